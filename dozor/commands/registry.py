"""`dozor registry ...`: the IT department's registry of official pages (section III of the regulation).

Messages are in Russian for the IT staff. Dates are typed as ДД.ММ.ГГГГ (ISO also accepted). Each command
is one transaction: it either changes the registry completely or, on a refusal, not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlmodel import Session

registry_app = typer.Typer(
    help="Реестр официальных страниц (раздел III Порядка): организации, страницы, сроки, публикация.",
    no_args_is_help=True,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DateOpt = Annotated[str | None, typer.Option(help="Дата ДД.ММ.ГГГГ (по умолчанию — сегодня).")]
ReportedOpt = Annotated[str | None, typer.Option(help="Когда организация сообщила (ДД.ММ.ГГГГ).")]
EnteredOpt = Annotated[str | None, typer.Option(help="Когда внесено в реестр (по умолч. — сегодня).")]
PageArg = Annotated[str, typer.Argument(help="Номер страницы в реестре, её адрес или короткое имя.")]


def register(app: typer.Typer) -> None:
    """Attach the `registry` command group to the main `dozor` app."""
    app.add_typer(registry_app, name="registry")


def _maybe_date(value: str | None) -> dt.date | None:
    from monitor.registry.labels import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _day(value: str | None) -> dt.date:
    """The given date, or today when none is given."""
    return _maybe_date(value) or dt.date.today()


def _report_dates(reported_on: str | None, entered_on: str | None) -> tuple[dt.date | None, dt.date | None]:
    """Entering happens now unless told otherwise, but only once something has been received."""
    reported, entered = _maybe_date(reported_on), _maybe_date(entered_on)
    if reported is not None and entered is None:
        entered = dt.date.today()
    return reported, entered


@contextmanager
def _session() -> Iterator[Session]:
    """One transaction per command; a registry refusal is printed in Russian and exits with code 1."""
    from sqlmodel import Session

    from models.db import database_url, make_engine
    from models.migrate import upgrade
    from monitor.registry.errors import RegistryError

    engine = make_engine(database_url())
    upgrade(engine=engine)
    try:
        with Session(engine) as session:
            yield session
            session.commit()
    except RegistryError as exc:
        err.print(f"[red]Ошибка:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@registry_app.command("org-add")
def org_add(
    name: Annotated[str, typer.Argument(help="Официальное наименование.")],
    kind: Annotated[str, typer.Option(help="administration / department / institution (или по-русски).")],
    short: Annotated[str, typer.Option(help="Краткое наименование.")] = "",
    address: Annotated[str, typer.Option(help="Почтовый адрес.")] = "",
    email: Annotated[str | None, typer.Option(help="Эл. почта (при наличии).")] = None,
    phone: Annotated[str, typer.Option(help="Телефон для справок.")] = "",
    site: Annotated[str | None, typer.Option(help="Официальный сайт (при наличии).")] = None,
) -> None:
    """Добавить организацию."""
    from monitor.registry.service import OrgData, add_organisation

    data = OrgData(name, kind, short, address, email, phone, site)
    with _session() as session:
        org = add_organisation(session, data)
        out.print(f"Организация №{org.id} «{org.name}» добавлена.")


@registry_app.command("org-list")
def org_list() -> None:
    """Список организаций."""
    from rich.table import Table

    from monitor.registry.labels import ORG_KIND_LABELS
    from monitor.registry.service import list_organisations

    table = Table("№", "Наименование", "Тип", "Почтовый адрес", "Телефон", "Эл. почта", "Сайт")
    with _session() as session:
        for o in list_organisations(session):
            kind = ORG_KIND_LABELS.get(o.kind, o.kind)
            table.add_row(str(o.id), o.name, kind, o.postal_address, o.phone, o.email or "", o.website or "")
    out.print(table)


@registry_app.command("add")
def page_add(
    org: Annotated[str, typer.Argument(help="Организация: номер, наименование или краткое наименование.")],
    network: Annotated[str, typer.Option(help="vk / telegram.")],
    address: Annotated[str, typer.Option(help="Адрес страницы (URL).")],
    created: Annotated[str, typer.Option(help="Дата создания страницы (ДД.ММ.ГГГГ).")],
    platform_id: Annotated[str | None, typer.Option(help="ID сообщества/канала на платформе.")] = None,
    screen_name: Annotated[str | None, typer.Option(help="Короткое имя (screen name / username).")] = None,
    reported_on: ReportedOpt = None,
    entered_on: EnteredOpt = None,
) -> None:
    """Добавить страницу (не более одной действующей в одной соцсети — п. 1.5)."""
    from monitor.registry.service import add_page, find_organisation

    created_on = _day(created)
    reported, entered = _report_dates(reported_on, entered_on)
    with _session() as session:
        owner = find_organisation(session, org)
        page = add_page(
            session,
            owner,
            network=network,
            address=address,
            created_on=created_on,
            platform_id=platform_id,
            screen_name=screen_name,
            reported_on=reported,
            entered_on=entered,
        )
        out.print(f"Страница №{page.id} ({page.address}) добавлена.")


@registry_app.command("change")
def page_change(
    page: PageArg,
    new_address: Annotated[str, typer.Argument(help="Новый адрес страницы.")],
    on: DateOpt = None,
    by: Annotated[str, typer.Option(help="Кто обнаружил: manual или monitor.")] = "manual",
    screen_name: Annotated[str | None, typer.Option(help="Новое короткое имя.")] = None,
    reported_on: ReportedOpt = None,
    entered_on: EnteredOpt = None,
) -> None:
    """Изменить адрес страницы; прежний адрес сохраняется в истории."""
    from monitor.registry.service import change_address, find_page

    changed_on = _day(on)
    reported, entered = _report_dates(reported_on, entered_on)
    with _session() as session:
        row = find_page(session, page)
        change = change_address(
            session,
            row,
            new_address,
            changed_on,
            detected_by=by,
            screen_name=screen_name,
            reported_on=reported,
            entered_on=entered,
        )
        out.print(f"Страница №{row.id}: {change.previous_address} → {change.new_address}.")


@registry_app.command("close")
def page_close(page: PageArg, on: DateOpt = None) -> None:
    """Закрыть страницу (она остаётся в реестре)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import close_page, find_page

    closed_on = _day(on)
    with _session() as session:
        row = close_page(session, find_page(session, page), closed_on)
        out.print(f"Страница №{row.id} закрыта {fmt_date(row.closed_on)}.")


@registry_app.command("list")
def page_list(
    all_pages: Annotated[bool, typer.Option("--all", help="Показать и закрытые страницы.")] = False,
    network: Annotated[str | None, typer.Option(help="Только одна соцсеть: vk / telegram.")] = None,
) -> None:
    """Список страниц."""
    from monitor.registry.render import pages_table
    from monitor.registry.service import list_pages

    with _session() as session:
        rows = list_pages(session, status=None if all_pages else "active", network=network)
        out.print(pages_table(rows))


@registry_app.command("show")
def page_show(page: PageArg, today: DateOpt = None) -> None:
    """Всё о странице: сведения, история адресов, ответственные, сроки."""
    from monitor.registry.render import print_card
    from monitor.registry.service import find_page, page_card

    day = _day(today)
    with _session() as session:
        print_card(out, page_card(session, find_page(session, page)), day)


@registry_app.command("staff-add")
def staff_add(
    page: PageArg,
    name: Annotated[str, typer.Option(help="ФИО ответственного.")],
    position: Annotated[str, typer.Option(help="Должность.")],
    since: Annotated[str | None, typer.Option("--from", help="С какой даты (ДД.ММ.ГГГГ).")] = None,
    reported_on: ReportedOpt = None,
    entered_on: EnteredOpt = None,
) -> None:
    """Добавить ответственного за страницу (смена ответственных — сведения по п. 3.2)."""
    from monitor.registry.service import add_staff, find_page

    from_on = _day(since)
    reported, entered = _report_dates(reported_on, entered_on)
    with _session() as session:
        person = add_staff(
            session,
            find_page(session, page),
            full_name=name,
            position=position,
            from_on=from_on,
            reported_on=reported,
            entered_on=entered,
        )
        out.print(f"Ответственный №{person.id} добавлен.")


@registry_app.command("staff-end")
def staff_end(
    staff_id: Annotated[int, typer.Argument(help="Номер записи об ответственном (см. show).")],
    to: Annotated[str | None, typer.Option("--to", help="По какую дату (ДД.ММ.ГГГГ).")] = None,
) -> None:
    """Завершить ответственность сотрудника (запись остаётся в истории)."""
    from models.registry import RegistryStaff
    from monitor.registry.errors import RegistryError
    from monitor.registry.service import end_staff

    to_on = _day(to)
    with _session() as session:
        person = session.get(RegistryStaff, staff_id)
        if person is None:
            raise RegistryError(f"ответственный №{staff_id} не найден")
        end_staff(session, person, to_on)
        out.print(f"Ответственный №{staff_id}: ответственность завершена.")


@registry_app.command("report")
def report(
    page: PageArg,
    kind: Annotated[str, typer.Option(help="creation / address_change / staff_change.")],
    fact_date: Annotated[str, typer.Option(help="Дата события (создания, изменения).")],
    reported_on: Annotated[
        str | None, typer.Option(help="Когда организация сообщила (по умолчанию — сегодня).")
    ] = None,
    entered_on: EnteredOpt = None,
) -> None:
    """Отметить, когда организация сообщила о событии (п. 3.1, 3.2) и когда внесено в реестр (п. 3.4)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import find_page, record_report

    fact_on = _day(fact_date)
    reported, entered = _report_dates(reported_on or dt.date.today().isoformat(), entered_on)
    with _session() as session:
        row = find_page(session, page)
        fact = record_report(session, row, kind, fact_on, reported_on=reported, entered_on=entered)
        dates = f"сведения от {fmt_date(fact.reported_on)}, внесены {fmt_date(fact.entered_on)}"
        out.print(f"Страница №{row.id}: {dates}.")


@registry_app.command("attest-2fa")
def attest(page: PageArg, on: DateOpt = None) -> None:
    """Записать дату подтверждения двухфакторной аутентификации (п. 1.6)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import attest_2fa, find_page

    day = _day(on)
    with _session() as session:
        row = attest_2fa(session, find_page(session, page), day)
        out.print(f"Страница №{row.id}: 2FA подтверждена {fmt_date(row.twofa_attested_on)}.")


@registry_app.command("site-link")
def site_link(page: PageArg, on: DateOpt = None) -> None:
    """Отметить, что ссылка на страницу размещена на сайте организации (п. 1.4.5)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import find_page, record_site_link

    day = _day(on)
    with _session() as session:
        row = record_site_link(session, find_page(session, page), day)
        out.print(f"Страница №{row.id}: ссылка на сайте с {fmt_date(row.site_link_found_on)}.")


@registry_app.command("overdue")
def overdue(
    today: DateOpt = None,
    late: Annotated[bool, typer.Option("--late", help="Показать и исполненные с опозданием.")] = False,
) -> None:
    """Просроченные сроки (п. 1.4.5, 3.1, 3.2, 3.4) на указанную дату."""
    from monitor.registry.render import deadlines_table
    from monitor.registry.service import list_overdue

    day = _day(today)
    with _session() as session:
        items = list_overdue(session, day, include_late=late)
    out.print(deadlines_table(items, day) if items else "Просроченных сроков нет.")


@registry_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="Файл .csv или .xlsx.", exists=True, dir_okay=False)],
) -> None:
    """Загрузить реестр из таблицы (для .csv — и из файлов рядом с ней). При ошибках не загружается ничего."""
    from monitor.registry.files import read_tables
    from monitor.registry.importer import ImportRejected, import_rows
    from monitor.registry.table import TableFormatError

    _suffix(file)
    try:
        main, extras = read_tables(file)
    except TableFormatError as exc:
        err.print(f"[red]Файл не прочитан:[/red] {exc}")
        raise typer.Exit(1) from exc
    try:
        with _session() as session:
            result = import_rows(session, main.rows, extras, main.place)
    except ImportRejected as exc:
        err.print(f"[red]Ничего не загружено: ошибок {len(exc.errors)}.[/red]")
        for error in exc.errors:
            err.print(f"  {error}")
        raise typer.Exit(1) from exc
    out.print(f"Загружено: страниц {result.pages}, новых организаций {result.organisations}.")


@registry_app.command("export")
def export_file(file: Annotated[Path, typer.Argument(help="Файл .csv или .xlsx.", dir_okay=False)]) -> None:
    """Выгрузить весь реестр (для отдела ИТО: с ответственными, историей адресов и сообщениями)."""
    from monitor.registry.files import write_tables

    _suffix(file)
    with _session() as session:
        pages, written = write_tables(session, file)
    out.print(f"Выгружено страниц: {pages} → {', '.join(str(path) for path in written)}")


@registry_app.command("publish")
def publish(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Каталог для index.html, registry.csv, registry.json.")
    ],
    on: DateOpt = None,
) -> None:
    """Открытая часть реестра для сайта (п. 3.6): без ФИО и должностей ответственных."""
    from monitor.registry.public import public_files

    day = _day(on)
    with _session() as session:
        files = public_files(session, day)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8", newline="")
    out.print(f"Опубликовано в {out_dir}: {', '.join(files)}")


def _suffix(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise typer.BadParameter("поддерживаются файлы .csv и .xlsx", param_hint="FILE")
    return suffix
