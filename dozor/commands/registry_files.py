"""`dozor registry import / export / publish`: the registry in the office's workbook and on the site."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from dozor.commands.common import ConfigOption
from dozor.commands.registry_common import DateOpt, check_suffix, date_or_today, err, out, session_for


def _confirmed() -> bool:
    """Ask before an update writes; without a terminal to ask on, only --yes writes."""
    if not sys.stdin.isatty():
        err.print("Чтобы записать эти изменения без вопроса, повторите команду с --yes.")
        return False
    return typer.confirm("Записать эти изменения в реестр?", default=False)


def attach(registry_app: typer.Typer) -> None:
    """Add the file commands to the `registry` group."""
    registry_app.command("import")(import_file)
    registry_app.command("export")(export_file)
    registry_app.command("publish")(publish)


def import_file(
    file: Annotated[Path, typer.Argument(help="Файл .csv или .xlsx.", exists=True, dir_okay=False)],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Режим обновления: страницы из файла, которые уже есть в реестре, изменяются, новые "
            "добавляются, отмеченные закрытыми — закрываются.",
        ),
    ] = False,
    preview_only: Annotated[
        bool, typer.Option("--preview", help="Только показать, что изменится, ничего не записывая.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="В режиме обновления — записать без вопроса после показа изменений."
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Загрузить реестр из таблицы (для .csv — и из файлов рядом с ней).

    Сначала показывается, что изменится (добавлено, изменено, закрыто, ошибки по листу, строке и полю);
    при ошибках не записывается ничего.
    """
    from monitor.registry.files import read_tables
    from monitor.registry.preview import preview_lines
    from monitor.registry.table import TableFormatError
    from monitor.registry.update import apply_prepared, prepare

    check_suffix(file)
    try:
        main, extras = read_tables(file)
    except TableFormatError as exc:
        err.print(f"[red]Файл не прочитан:[/red] {exc}")
        raise typer.Exit(1) from exc
    with session_for(config) as session:
        prepared = prepare(session, main, extras, update=update, today=dt.date.today())
        preview = prepared.preview
        for line in preview_lines(preview):
            (err if preview.errors else out).print(line, markup=False)
        if preview.errors:
            err.print("[red]Ничего не загружено: исправьте ошибки и загрузите файл снова.[/red]")
            raise typer.Exit(1)
        if preview_only or not preview.writes_anything:
            out.print("Ничего не записано." if preview_only else "Изменений нет.")
            return
        if update and not yes and not _confirmed():
            out.print("Ничего не записано.")
            return
        result = apply_prepared(session, prepared, dt.date.today())
    out.print(
        f"Загружено: добавлено страниц {result.added}, изменено {result.changed}, закрыто {result.closed}, "
        f"новых организаций {result.organisations}."
    )


def export_file(
    file: Annotated[Path, typer.Argument(help="Файл .csv или .xlsx.", dir_okay=False)],
    config: ConfigOption = None,
) -> None:
    """Выгрузить весь реестр (для отдела ИТО: с ответственными, историей адресов и сообщениями)."""
    from monitor.registry.files import write_tables

    check_suffix(file)
    with session_for(config) as session:
        pages, written = write_tables(session, file)
    out.print(f"Выгружено страниц: {pages} → {', '.join(str(path) for path in written)}")


def publish(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Каталог для index.html, registry.csv, registry.json.")
    ],
    on: DateOpt = None,
    config: ConfigOption = None,
) -> None:
    """Открытая часть реестра для сайта (п. 3.6): без ФИО и должностей ответственных."""
    from monitor.registry.public import public_files

    day = date_or_today(on)
    with session_for(config) as session:
        files = public_files(session, day)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8", newline="")
    out.print(f"Опубликовано в {out_dir}: {', '.join(files)}")
