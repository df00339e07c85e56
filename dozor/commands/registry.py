"""`dozor registry ...`: the IT department's registry of official pages (section III of the regulation).

Messages are in Russian for the IT staff. Dates are typed as ДД.ММ.ГГГГ (ISO also accepted). Each command
is one transaction: it either changes the registry completely or, on a refusal, not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from dozor.commands.common import ConfigOption
from dozor.commands.registry_common import (
    DateOpt,
    EnteredOpt,
    PageArg,
    ReportedOpt,
    date_or_today,
    out,
    report_dates,
    session_for,
)

registry_app = typer.Typer(
    help="Реестр официальных страниц (раздел III Порядка): организации, страницы, сроки, публикация.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Attach the `registry` command group to the main `dozor` app."""
    from dozor.commands.registry_files import attach

    attach(registry_app)
    app.add_typer(registry_app, name="registry")


@registry_app.command("org-add")
def org_add(
    name: Annotated[str, typer.Argument(help="Официальное наименование.")],
    kind: Annotated[str, typer.Option(help="administration / department / institution (или по-русски).")],
    short: Annotated[str, typer.Option(help="Краткое наименование.")] = "",
    address: Annotated[str, typer.Option(help="Почтовый адрес.")] = "",
    email: Annotated[str | None, typer.Option(help="Эл. почта (при наличии).")] = None,
    phone: Annotated[str, typer.Option(help="Телефон для справок.")] = "",
    site: Annotated[str | None, typer.Option(help="Официальный сайт (при наличии).")] = None,
    config: ConfigOption = None,
) -> None:
    """Добавить организацию."""
    from monitor.registry.service import OrgData, add_organisation

    data = OrgData(name, kind, short, address, email, phone, site)
    with session_for(config) as session:
        org = add_organisation(session, data)
        out.print(f"Организация №{org.id} «{org.name}» добавлена.")


@registry_app.command("org-list")
def org_list(config: ConfigOption = None) -> None:
    """Список организаций."""
    from rich.table import Table

    from monitor.registry.labels import ORG_KIND_LABELS
    from monitor.registry.service import list_organisations

    table = Table("№", "Наименование", "Тип", "Почтовый адрес", "Телефон", "Эл. почта", "Сайт")
    with session_for(config) as session:
        for o in list_organisations(session):
            kind = ORG_KIND_LABELS.get(o.kind, o.kind)
            table.add_row(str(o.id), o.name, kind, o.postal_address, o.phone, o.email or "", o.website or "")
    out.print(table)


@registry_app.command("add")
def page_add(
    org: Annotated[str, typer.Argument(help="Организация: номер, наименование или краткое наименование.")],
    network: Annotated[str, typer.Option(help="Соцсеть: vk / telegram (или ВКонтакте, Телеграм).")],
    address: Annotated[str, typer.Option(help="Адрес страницы (URL).")],
    created: Annotated[str, typer.Option(help="Дата создания страницы (ДД.ММ.ГГГГ).")],
    platform_id: Annotated[str | None, typer.Option(help="ID сообщества/канала на платформе.")] = None,
    screen_name: Annotated[str | None, typer.Option(help="Короткое имя (screen name / username).")] = None,
    reported_on: ReportedOpt = None,
    entered_on: EnteredOpt = None,
    config: ConfigOption = None,
) -> None:
    """Добавить страницу (не более одной действующей в одной соцсети — п. 1.5)."""
    from monitor.registry.service import add_page, find_organisation

    created_on = date_or_today(created)
    reported, entered = report_dates(reported_on, entered_on)
    with session_for(config) as session:
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
    config: ConfigOption = None,
) -> None:
    """Изменить адрес страницы; прежний адрес сохраняется в истории."""
    from monitor.registry.service import change_address, find_page

    changed_on = date_or_today(on)
    reported, entered = report_dates(reported_on, entered_on)
    with session_for(config) as session:
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
def page_close(page: PageArg, on: DateOpt = None, config: ConfigOption = None) -> None:
    """Закрыть страницу (она остаётся в реестре)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import close_page, find_page

    closed_on = date_or_today(on)
    with session_for(config) as session:
        row = close_page(session, find_page(session, page), closed_on)
        out.print(f"Страница №{row.id} закрыта {fmt_date(row.closed_on)}.")


@registry_app.command("list")
def page_list(
    all_pages: Annotated[bool, typer.Option("--all", help="Показать и закрытые страницы.")] = False,
    network: Annotated[str | None, typer.Option(help="Только одна соцсеть: vk / telegram.")] = None,
    config: ConfigOption = None,
) -> None:
    """Список страниц."""
    from monitor.registry.findings import registry_findings
    from monitor.registry.render import pages_table
    from monitor.registry.service import list_pages

    with session_for(config) as session:
        rows = list_pages(session, status=None if all_pages else "active", network=network)
        out.print(pages_table(rows, registry_findings(session)))


@registry_app.command("show")
def page_show(page: PageArg, today: DateOpt = None, config: ConfigOption = None) -> None:
    """Всё о странице: сведения, история адресов, ответственные, сроки."""
    from monitor.registry.render import print_card
    from monitor.registry.service import find_page, page_card

    day = date_or_today(today)
    with session_for(config) as session:
        print_card(out, page_card(session, find_page(session, page)), day)


@registry_app.command("staff-add")
def staff_add(
    page: PageArg,
    name: Annotated[str, typer.Option(help="ФИО ответственного.")],
    position: Annotated[str, typer.Option(help="Должность.")],
    since: Annotated[str | None, typer.Option("--from", help="С какой даты (ДД.ММ.ГГГГ).")] = None,
    reported_on: ReportedOpt = None,
    entered_on: EnteredOpt = None,
    config: ConfigOption = None,
) -> None:
    """Добавить ответственного за страницу (смена ответственных — сведения по п. 3.2)."""
    from monitor.registry.service import add_staff, find_page

    from_on = date_or_today(since)
    reported, entered = report_dates(reported_on, entered_on)
    with session_for(config) as session:
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
    config: ConfigOption = None,
) -> None:
    """Завершить ответственность сотрудника (запись остаётся в истории)."""
    from models.registry import RegistryStaff
    from monitor.registry.errors import RegistryError
    from monitor.registry.service import end_staff

    to_on = date_or_today(to)
    with session_for(config) as session:
        person = session.get(RegistryStaff, staff_id)
        if person is None:
            raise RegistryError(f"ответственный №{staff_id} не найден")
        end_staff(session, person, to_on)
        out.print(f"Ответственный №{staff_id}: ответственность завершена.")


@registry_app.command("report")
def report(
    page: PageArg,
    kind: Annotated[
        str, typer.Option(help="Вид сведений: creation / address_change / staff_change (или по-русски).")
    ],
    fact_date: Annotated[str, typer.Option(help="Дата события (создания, изменения).")],
    reported_on: Annotated[
        str | None, typer.Option(help="Когда организация сообщила (по умолчанию — сегодня).")
    ] = None,
    entered_on: EnteredOpt = None,
    config: ConfigOption = None,
) -> None:
    """Отметить, когда организация сообщила о событии (п. 3.1, 3.2) и когда внесено в реестр (п. 3.4)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import find_page, record_report

    fact_on = date_or_today(fact_date)
    reported, entered = report_dates(reported_on or dt.date.today().isoformat(), entered_on)
    with session_for(config) as session:
        row = find_page(session, page)
        fact = record_report(session, row, kind, fact_on, reported_on=reported, entered_on=entered)
        dates = f"сведения от {fmt_date(fact.reported_on)}, внесены {fmt_date(fact.entered_on)}"
        out.print(f"Страница №{row.id}: {dates}.")


@registry_app.command("attest-2fa")
def attest(page: PageArg, on: DateOpt = None, config: ConfigOption = None) -> None:
    """Записать дату подтверждения двухфакторной аутентификации (п. 1.6)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import attest_2fa, find_page

    day = date_or_today(on)
    with session_for(config) as session:
        row = attest_2fa(session, find_page(session, page), day)
        out.print(f"Страница №{row.id}: 2FA подтверждена {fmt_date(row.twofa_attested_on)}.")


@registry_app.command("site-link")
def site_link(page: PageArg, on: DateOpt = None, config: ConfigOption = None) -> None:
    """Отметить, что ссылка на страницу размещена на сайте организации (п. 1.4.5)."""
    from monitor.registry.labels import fmt_date
    from monitor.registry.service import find_page, record_site_link

    day = date_or_today(on)
    with session_for(config) as session:
        row = record_site_link(session, find_page(session, page), day)
        out.print(f"Страница №{row.id}: ссылка на сайте с {fmt_date(row.site_link_found_on)}.")


@registry_app.command("overdue")
def overdue(
    today: DateOpt = None,
    late: Annotated[bool, typer.Option("--late", help="Показать и исполненные с опозданием.")] = False,
    config: ConfigOption = None,
) -> None:
    """Просроченные сроки (п. 1.4.5, 3.1, 3.2, 3.4) на указанную дату."""
    from monitor.registry.render import deadlines_table
    from monitor.registry.service import list_overdue

    day = date_or_today(today)
    with session_for(config) as session:
        items = list_overdue(session, day, include_late=late)
    out.print(deadlines_table(items, day) if items else "Просроченных сроков нет.")
