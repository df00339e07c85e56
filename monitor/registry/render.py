"""Rich tables for the registry commands: what the IT staff see in the terminal, in Russian."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table

from models.registry import RegistryOrganisation, RegistryPage
from monitor.registry.deadlines import Deadline, DeadlineState
from monitor.registry.findings import Finding
from monitor.registry.labels import (
    DETECTED_BY_LABELS,
    FACT_KIND_LABELS,
    NETWORK_LABELS,
    ORG_KIND_LABELS,
    STATUS_LABELS,
    fmt_date,
)
from monitor.registry.service import PageCard

_STATE_STYLE = {
    DeadlineState.OVERDUE: "bold red",
    DeadlineState.LATE: "yellow",
    DeadlineState.ON_TIME: "green",
    DeadlineState.PENDING: "cyan",
}


def pages_table(
    rows: Sequence[tuple[RegistryPage, RegistryOrganisation]],
    findings: Mapping[int, list[Finding]] | None = None,
) -> Table:
    """The page list: number, owner, network, address, creation, status, 2FA, and what to correct."""
    table = Table(
        "№",
        "Организация",
        "Соцсеть",
        "Адрес",
        "Создана",
        "Статус",
        "2FA",
        "Замечания",
        title="Страницы реестра",
    )
    for page, org in rows:
        status = STATUS_LABELS.get(page.status, page.status)
        if page.closed_on:
            status += f" {fmt_date(page.closed_on)}"
        table.add_row(
            str(page.id),
            org.short_name or org.name,
            NETWORK_LABELS.get(page.network, page.network),
            page.address,
            fmt_date(page.created_on),
            status,
            fmt_date(page.twofa_attested_on) or "нет",
            "\n".join(f"п. {f.clause}: {f.text}" for f in (findings or {}).get(page.id or 0, [])),
        )
    return table


def deadlines_table(items: Sequence[Deadline], today: dt.date) -> Table:
    """Deadlines with their state on `today`, overdue ones in red."""
    table = Table(
        "Стр.", "Организация", "Пункт", "Что", "Срок", "Состояние", title=f"Сроки на {fmt_date(today)}"
    )
    for d in items:
        state = d.state(today)
        text = d.state_text(today)
        table.add_row(
            str(d.page_id),
            d.organisation,
            d.clause,
            d.subject,
            fmt_date(d.due),
            f"[{_STATE_STYLE[state]}]{text}",
        )
    return table


def print_card(console: Console, card: PageCard, today: dt.date) -> None:
    """Everything about one page: details, address history, responsible staff, facts, deadlines."""
    page, org = card.page, card.organisation
    console.print(f"[bold]Страница №{page.id}[/bold] — {page.address}")
    details = [
        ("Организация", f"{org.name} ({ORG_KIND_LABELS.get(org.kind, org.kind)})"),
        (
            "Контакты",
            "; ".join(v for v in (org.postal_address, org.phone, org.email or "", org.website or "") if v),
        ),
        ("Соцсеть", NETWORK_LABELS.get(page.network, page.network)),
        ("ID / короткое имя", f"{page.platform_id or '—'} / {page.screen_name or '—'}"),
        ("Создана", fmt_date(page.created_on)),
        ("Статус", STATUS_LABELS.get(page.status, page.status) + f" {fmt_date(page.closed_on)}".rstrip()),
        ("2FA подтверждена", fmt_date(page.twofa_attested_on) or "нет"),
        ("Ссылка на сайте", fmt_date(page.site_link_found_on) or "не отмечена"),
    ]
    for label, value in details:
        console.print(f"  {label}: {value}")
    history = Table("Дата", "Прежний адрес", "Новый адрес", "Источник", title="История адресов")
    for c in card.history:
        history.add_row(
            fmt_date(c.changed_on), c.previous_address, c.new_address, DETECTED_BY_LABELS[c.detected_by]
        )
    staff = Table("№", "ФИО", "Должность", "С", "По", title="Ответственные")
    for p in card.staff:
        staff.add_row(str(p.id), p.full_name, p.position, fmt_date(p.from_on), fmt_date(p.to_on) or "н. в.")
    facts = Table("Сведения", "Дата события", "Поступили", "Внесены", title="Сведения от организации")
    for f in card.facts:
        kind = FACT_KIND_LABELS.get(f.kind, f.kind)
        facts.add_row(
            kind, fmt_date(f.fact_date), fmt_date(f.reported_on) or "—", fmt_date(f.entered_on) or "—"
        )
    for table in (history, staff, facts):
        console.print(table if table.row_count else f"{table.title}: нет записей")
    console.print(deadlines_table(card.deadlines, today) if card.deadlines else "Сроков нет.")
