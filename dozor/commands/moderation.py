"""`dozor classify` and `dozor evaluate`: the moderation core from the command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dozor.commands.common import ConfigOption, settings_or_exit


def classify(
    explain: Annotated[
        bool, typer.Option(help="добавить обоснование: правила и найденные фрагменты (смещения в тексте)")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, help="сколько комментариев решать вместе (1 — для работы вручную)")
    ] = 256,
    no_model: Annotated[bool, typer.Option("--no-model", help="только правила, без классификатора")] = False,
    config: ConfigOption = None,
) -> None:
    """Читает JSON Lines {"id", "text", "post_text"} со stdin, пишет по строке на каждую входную, по порядку.

    Строка, которую нельзя прочесть (не UTF-8, не JSON, без полей), получает объект с "error"; вывод
    всегда в UTF-8, какой бы ни была кодировка терминала.
    """
    from dozor.build import build_moderator
    from moderation.batch import read_lines, run_batch

    moderator = build_moderator(settings_or_exit(config).moderation, with_model=not no_model)
    out = sys.stdout.buffer  # bytes: the output is UTF-8 whatever PYTHONIOENCODING or the locale say
    lines = run_batch(read_lines(sys.stdin.buffer), moderator.verdicts, explain, batch_size)
    try:
        for line in lines:
            out.write(line.encode("utf-8") + b"\n")
            if batch_size == 1:
                out.flush()
        out.flush()
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other filters do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None


def evaluate(
    file: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, help="размеченный файл JSON Lines (не нужен с --public)"),
    ] = None,
    public: Annotated[
        bool, typer.Option(help="отложенная часть открытых наборов (на ней не обучали), по источникам")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="вывод для программ (JSON)")] = False,
    compare: Annotated[
        bool, typer.Option(help="также базовая модель TF-IDF и фильтр по стоп-словам")
    ] = False,
    no_model: Annotated[bool, typer.Option("--no-model", help="только правила, без классификатора")] = False,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="с --public: только этот источник (можно повторять)")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Качество по основаниям: точность, полнота, F1; ошибочно удалённые и отправленные чистые комментарии."""
    from dozor.build import build_moderator
    from evaluation.labelled import read_labelled
    from evaluation.runner import run_systems
    from evaluation.show import print_reports

    if source:
        from evaluation.datasets import PUBLIC_SOURCES

        unknown = sorted(set(source) - set(PUBLIC_SOURCES))
        if unknown or not public:
            typer.echo(f"--source только с --public и из: {', '.join(sorted(PUBLIC_SOURCES))}", err=True)
            raise typer.Exit(2)
    moderator = build_moderator(settings_or_exit(config).moderation, with_model=not no_model)
    if public:
        from evaluation.public import public_sets

        sets = public_sets()
        if source:
            wanted = {f"holdout:{name}" for name in source} | {f"holdout:{name}_neutral" for name in source}
            sets = {name: rows for name, rows in sets.items() if name in wanted}
    elif file is not None:
        sets = {str(file): read_labelled(file.read_text(encoding="utf-8").splitlines(), str(file))}
    else:
        raise typer.BadParameter("укажите размеченный ФАЙЛ.jsonl или --public")
    results = {name: run_systems(rows, moderator, compare=compare) for name, rows in sets.items()}
    if as_json:
        out = {name: {s: r.as_dict() for s, r in reports.items()} for name, reports in results.items()}
        typer.echo(json.dumps(out if public else next(iter(out.values())), ensure_ascii=False, indent=2))
        return
    for name, reports in results.items():
        print_reports(reports, title=name)


def register(app: typer.Typer) -> None:
    app.command()(classify)
    app.command()(evaluate)
