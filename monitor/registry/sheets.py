"""The registry's extra tables: address history, responsible staff (current and former) and fact reports.

The first table (`table.COLUMNS`, one row per page) is the one the IT staff keep today and stays as it is.
These tables hold what one row per page cannot: one row per address change, per period of a responsible
person and per fact report. Each row names its page by network and current address — the pair that is
unique in the registry and, unlike the page number, survives an import into another database.

In XLSX they are further sheets of the same workbook; in CSV, files next to the main one
(`registry.csv` → `registry.адреса.csv`, `registry.ответственные.csv`, `registry.сообщения.csv`).
The staff table holds personal data (clause 3.3(4)): it is for IT only, never for the public export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from models.registry import RegistryPage
from monitor.registry.labels import DETECTED_BY_LABELS, FACT_KIND_LABELS, NETWORK_LABELS, fmt_date
from monitor.registry.service import facts, history, list_pages, staff
from monitor.registry.table import Column, Row


@dataclass(frozen=True)
class Sheet:
    """An extra table: its key, XLSX sheet title, CSV file infix and columns."""

    key: str
    title: str
    csv_infix: str
    columns: tuple[Column, ...]

    def csv_path(self, main: Path) -> Path:
        """The CSV file of this table next to the main one: `registry.csv` → `registry.адреса.csv`."""
        return main.with_name(f"{main.stem}.{self.csv_infix}{main.suffix}")


PAGE_KEY: tuple[Column, ...] = (
    Column("Соцсеть", "network", required=True),
    Column("Адрес страницы", "address", required=True),
)
HISTORY = Sheet(
    "history",
    "История адресов",
    "адреса",
    (
        *PAGE_KEY,
        Column("Прежний адрес", "previous_address", required=True),
        Column("Новый адрес", "new_address", required=True),
        Column("Дата изменения", "changed_on", required=True, is_date=True),
        Column("Кто обнаружил", "detected_by"),
    ),
)
STAFF = Sheet(
    "staff",
    "Ответственные",
    "ответственные",
    (
        *PAGE_KEY,
        Column("ФИО", "full_name", required=True),
        Column("Должность", "position", required=True),
        Column("Ответственный с", "from_on", required=True, is_date=True),
        Column("Ответственный по", "to_on", is_date=True),
    ),
)
FACTS = Sheet(
    "facts",
    "Сообщения о фактах",
    "сообщения",
    (
        *PAGE_KEY,
        Column("Вид сведений", "kind", required=True),
        Column("Дата события", "fact_date", required=True, is_date=True),
        Column("Дата поступления сведений", "reported_on", is_date=True),
        Column("Дата внесения в реестр", "entered_on", is_date=True),
    ),
)
EXTRA_SHEETS: tuple[Sheet, ...] = (HISTORY, STAFF, FACTS)


def _page_rows(session: Session, page: RegistryPage) -> dict[str, list[Row]]:
    key = {"network": NETWORK_LABELS.get(page.network, page.network), "address": page.address}
    changes = [
        key
        | {
            "previous_address": c.previous_address,
            "new_address": c.new_address,
            "changed_on": fmt_date(c.changed_on),
            "detected_by": DETECTED_BY_LABELS.get(c.detected_by, c.detected_by),
        }
        for c in history(session, page)
    ]
    people = [
        key
        | {
            "full_name": p.full_name,
            "position": p.position,
            "from_on": fmt_date(p.from_on),
            "to_on": fmt_date(p.to_on),
        }
        for p in staff(session, page)
    ]
    reports = [
        key
        | {
            "kind": FACT_KIND_LABELS.get(f.kind, f.kind),
            "fact_date": fmt_date(f.fact_date),
            "reported_on": fmt_date(f.reported_on),
            "entered_on": fmt_date(f.entered_on),
        }
        for f in facts(session, page)
    ]
    return {HISTORY.key: changes, STAFF.key: people, FACTS.key: reports}


def export_extras(session: Session) -> dict[str, list[Row]]:
    """Rows of every extra table, keyed by `Sheet.key`, pages in the order of the first table."""
    result: dict[str, list[Row]] = {sheet.key: [] for sheet in EXTRA_SHEETS}
    for page, _org in list_pages(session):
        for key, rows in _page_rows(session, page).items():
            result[key] += rows
    return result
