"""Import of the extra tables (address history, responsible staff, fact reports) alongside the first one.

Each extra row names its page by network and current address; the page must be a row of the first table
of the same file. A table that is present replaces what the first table says about the same thing (its
"Предыдущие адреса", "ФИО ответственных…" or report date columns), since it says more: former staff with
their dates, who detected an address change, every fact report. A table that is absent changes nothing,
so files from before the extra tables import as they always did. Where both say the same thing (current
staff, previous addresses, the creation report's dates) they must agree: an edit made in one place only is
reported rather than silently dropped.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from sqlmodel import Session

from models.registry import (
    DetectedBy,
    FactKind,
    RegistryAddressChange,
    RegistryFactReport,
    RegistryPage,
    RegistryStaff,
)
from monitor.registry.cells import Cells, RowError
from monitor.registry.errors import flush
from monitor.registry.labels import NETWORK_LABELS, parse_detected_by, parse_fact_kind, parse_network
from monitor.registry.sheets import FACTS, HISTORY, STAFF, Sheet
from monitor.registry.table import SheetRows

if TYPE_CHECKING:
    from monitor.registry.parsed import ParsedRow

PageKey = tuple[str, str]
"""A page as the extra tables name it: (network code, current address)."""
Pages = Mapping[PageKey, dt.date | None]
"""Pages of the first table: key -> creation date (None when that row is itself bad)."""
T = TypeVar("T")


@dataclass(frozen=True)
class HistoryItem:
    line: int
    previous_address: str
    new_address: str
    changed_on: dt.date
    detected_by: str


@dataclass(frozen=True)
class StaffItem:
    line: int
    full_name: str
    position: str
    from_on: dt.date
    to_on: dt.date | None


@dataclass(frozen=True)
class FactItem:
    line: int
    kind: str
    fact_date: dt.date
    reported_on: dt.date | None
    entered_on: dt.date | None


@dataclass
class Extras:
    """Checked rows of the extra tables, by page, in file order; `present` names the tables read."""

    present: frozenset[str] = frozenset()
    history: dict[PageKey, list[HistoryItem]] = field(default_factory=dict)
    staff: dict[PageKey, list[StaffItem]] = field(default_factory=dict)
    facts: dict[PageKey, list[FactItem]] = field(default_factory=dict)

    def has(self, sheet: Sheet) -> bool:
        """Whether the file had this table, so it (not the first table) is the source of its data."""
        return sheet.key in self.present


def _page_key(c: Cells, pages: Pages) -> PageKey | None:
    network = c.code("network", parse_network)
    address = c.text("address", required=True)
    if network is None or not address:
        return None
    if (network, address) not in pages:
        label = NETWORK_LABELS.get(network, network)
        c.problems.append(f"страницы {address} ({label}) нет среди страниц реестра в этом файле")
        return None
    return network, address


def _history(c: Cells, created_on: dt.date | None, line: int) -> HistoryItem | None:
    previous = c.text("previous_address", required=True)
    new = c.text("new_address", required=True)
    changed_on = c.date("changed_on", required=True)
    detected_by = c.code("detected_by", parse_detected_by, default=DetectedBy.MANUAL.value)
    if previous and previous == new:
        c.problems.append("«Прежний адрес» совпадает с «Новым адресом»")
    if changed_on and created_on and changed_on < created_on:
        c.problems.append("«Дата изменения» раньше даты создания страницы")
    if not (previous and new and changed_on and detected_by):
        return None
    return HistoryItem(line, previous, new, changed_on, detected_by)


def _staff(c: Cells, created_on: dt.date | None, line: int) -> StaffItem | None:
    name = c.text("full_name", required=True)
    position = c.text("position", required=True)
    from_on, to_on = c.date("from_on", required=True), c.date("to_on")
    if from_on and to_on and to_on < from_on:
        c.problems.append("«Ответственный по» раньше «Ответственный с»")
    if not (name and position and from_on):
        return None
    return StaffItem(line, name, position, from_on, to_on)


def _fact(c: Cells, created_on: dt.date | None, line: int) -> FactItem | None:
    kind = c.code("kind", parse_fact_kind)
    fact_date = c.date("fact_date", required=True)
    reported_on, entered_on = c.date("reported_on"), c.date("entered_on")
    if entered_on is not None and reported_on is None:
        c.problems.append("«Дата внесения в реестр» указана без «Даты поступления сведений»")
    if entered_on and reported_on and entered_on < reported_on:
        c.problems.append("«Дата внесения в реестр» раньше «Даты поступления сведений»")
    if not (kind and fact_date):
        return None
    return FactItem(line, kind, fact_date, reported_on, entered_on)


def _parse_sheet(
    table: SheetRows,
    sheet: Sheet,
    pages: Pages,
    parse: Callable[[Cells, dt.date | None, int], T | None],
) -> tuple[dict[PageKey, list[T]], list[RowError]]:
    """Check every row of one table on its own; group the good ones by page."""
    headers = {c.key: c.header for c in sheet.columns}
    items: dict[PageKey, list[T]] = {}
    errors: list[RowError] = []
    for source in table.rows:
        c = Cells(source.cells, headers)
        key = _page_key(c, pages)
        item = parse(c, pages.get(key) if key else None, source.line)
        errors += c.errors(source.line)
        if key is not None and item is not None and not c.problems:
            items.setdefault(key, []).append(item)
    return items, errors


def _check_chains(history: Mapping[PageKey, list[HistoryItem]]) -> list[RowError]:
    """Each change starts where the one before ended, and the last one ends at the page's address."""
    errors: list[RowError] = []
    for (_network, address), items in history.items():
        chain = sorted(items, key=lambda i: (i.changed_on, i.line))
        for before, after in itertools.pairwise(chain):
            if before.new_address != after.previous_address:
                message = (
                    f"«Прежний адрес» {after.previous_address} не совпадает с новым адресом "
                    f"предыдущего изменения ({before.new_address}, строка {before.line})"
                )
                errors.append(RowError(after.line, message))
        if chain and chain[-1].new_address != address:
            message = f"последний «Новый адрес» {chain[-1].new_address} не совпадает с адресом страницы"
            errors.append(RowError(chain[-1].line, message))
    return errors


def _check_facts(facts: Mapping[PageKey, list[FactItem]]) -> list[RowError]:
    errors: list[RowError] = []
    for items in facts.values():
        seen: dict[tuple[str, dt.date], int] = {}
        for item in items:
            first = seen.setdefault((item.kind, item.fact_date), item.line)
            if first != item.line:
                errors.append(RowError(item.line, f"эти же сведения уже указаны в строке {first}"))
    return errors


def _placed(errors: list[RowError], place: str) -> list[RowError]:
    return [replace(e, place=place) for e in sorted(errors, key=lambda e: e.line)]


def validate_extras(tables: Mapping[str, SheetRows], pages: Pages) -> tuple[Extras, list[RowError]]:
    """Check every row of every extra table present; errors come sheet by sheet, in line order."""
    extras = Extras(present=frozenset(tables))
    errors: list[RowError] = []
    if HISTORY.key in tables:
        extras.history, found = _parse_sheet(tables[HISTORY.key], HISTORY, pages, _history)
        errors += _placed(found + _check_chains(extras.history), tables[HISTORY.key].place)
    if STAFF.key in tables:
        extras.staff, found = _parse_sheet(tables[STAFF.key], STAFF, pages, _staff)
        errors += _placed(found, tables[STAFF.key].place)
    if FACTS.key in tables:
        extras.facts, found = _parse_sheet(tables[FACTS.key], FACTS, pages, _fact)
        errors += _placed(found + _check_facts(extras.facts), tables[FACTS.key].place)
    return extras, errors


def _comparisons(row: ParsedRow, extras: Extras) -> list[tuple[Sheet, str, object, object]]:
    """What the first table says about a page next to what an extra table says about the same thing."""
    key = (row.network, row.address)
    creation = next(
        (
            f
            for f in extras.facts.get(key, [])
            if f.kind == FactKind.CREATION and f.fact_date == row.created_on
        ),
        None,
    )
    current = [(s.full_name, s.position) for s in extras.staff.get(key, []) if s.to_on is None]
    changes = [(h.previous_address, h.changed_on) for h in extras.history.get(key, [])]
    return [
        (HISTORY, "Предыдущие адреса", sorted(row.history), sorted(changes)),
        (STAFF, "ФИО ответственных", sorted((n, p) for n, p, _ in row.staff), sorted(current)),
        (
            FACTS,
            "Дата поступления сведений",
            (row.reported_on, row.entered_on),
            (creation.reported_on, creation.entered_on) if creation else (None, None),
        ),
    ]


def check_agreement(
    rows: Sequence[ParsedRow], extras: Extras, tables: Mapping[str, SheetRows]
) -> list[RowError]:
    """The first table must agree with the extra tables present, so no edit is silently ignored."""
    errors: list[RowError] = []
    for row in rows:
        for sheet, header, mine, theirs in _comparisons(row, extras):
            if extras.has(sheet) and mine != theirs:
                place = tables[sheet.key].place
                message = f"«{header}» не совпадает с данными ({place}); исправьте одно из двух"
                errors.append(RowError(row.line, message))
    return errors


def apply_extras(session: Session, page: RegistryPage, extras: Extras) -> None:
    """Write the page's rows of the extra tables, in file order (so a re-export lists them the same)."""
    assert page.id is not None
    key = (page.network, page.address)
    for h in extras.history.get(key, []):
        session.add(
            RegistryAddressChange(
                page_id=page.id,
                previous_address=h.previous_address,
                new_address=h.new_address,
                changed_on=h.changed_on,
                detected_by=h.detected_by,
            )
        )
    for s in extras.staff.get(key, []):
        session.add(
            RegistryStaff(
                page_id=page.id, full_name=s.full_name, position=s.position, from_on=s.from_on, to_on=s.to_on
            )
        )
    for f in extras.facts.get(key, []):
        session.add(
            RegistryFactReport(
                page_id=page.id,
                kind=f.kind,
                fact_date=f.fact_date,
                reported_on=f.reported_on,
                entered_on=f.entered_on,
            )
        )
    flush(session)
