"""Import of the IT staff's spreadsheet: every row is checked first, then all of them land or none does.

A half-imported registry is worse than none: the staff would have to find which rows made it. So the
import parses every row, checks the rows against each other and against the database, and reports every
bad row by its line number with the reason. Only a clean file is written, inside the caller's transaction.
The extra tables (history, staff, fact reports; `import_extras`) are checked and written the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, select

from models.registry import PageStatus, RegistryAddressChange, RegistryOrganisation, RegistryPage
from monitor.registry.cells import HEADER_BY_KEY, Cells, ImportRejected, RowError
from monitor.registry.errors import RegistryError
from monitor.registry.import_extras import Extras, PageKey, apply_extras, check_agreement, validate_extras
from monitor.registry.labels import parse_date, parse_network, parse_org_kind, parse_status
from monitor.registry.parsed import ParsedRow
from monitor.registry.service import (
    OrgData,
    active_page,
    add_organisation,
    add_page,
    add_staff,
    attest_2fa,
    close_page,
    record_site_link,
)
from monitor.registry.sheets import FACTS, HISTORY, STAFF
from monitor.registry.table import SheetRows, SourceRow, split_list

__all__ = ["ImportRejected", "ImportResult", "ParsedRow", "RowError", "import_rows", "parse_row", "validate"]

_HISTORY_ITEM = re.compile(r"^(?P<address>.+?)\s*\(до\s+(?P<date>[\d.\-]+)\)$")
_ORG_FIELDS = ("kind", "short_name", "postal_address", "email", "phone", "website")


@dataclass(frozen=True)
class ImportResult:
    """What an import added."""

    organisations: int
    pages: int


def _parse_history(c: Cells, created_on: dt.date | None) -> list[tuple[str, dt.date]]:
    items: list[tuple[str, dt.date]] = []
    for item in split_list(c.text("previous_addresses")):
        match = _HISTORY_ITEM.match(item)
        changed = c.convert(match["date"], parse_date, "previous_addresses") if match else None
        if match is None:
            c.problems.append(f"«Предыдущие адреса»: «{item}» не в виде «адрес (до ДД.ММ.ГГГГ)»")
        elif changed is not None and created_on is not None and changed < created_on:
            c.problems.append(f"«Предыдущие адреса»: изменение {match['date']} раньше даты создания")
        elif changed is not None:
            items.append((match["address"].strip(), changed))
    return sorted(items, key=lambda pair: pair[1])


def _parse_staff(c: Cells, created_on: dt.date | None) -> list[tuple[str, str, dt.date]]:
    names = split_list(c.text("staff_names"))
    positions = split_list(c.text("staff_positions"))
    starts = split_list(c.text("staff_from"))
    if len(names) != len(positions) or (starts and len(starts) != len(names)):
        c.problems.append("число ФИО, должностей и дат «Ответственные с» не совпадает")
        return []
    result: list[tuple[str, str, dt.date]] = []
    for index, (name, position) in enumerate(zip(names, positions, strict=True)):
        start = c.convert(starts[index], parse_date, "staff_from") if starts else created_on
        if start is not None:
            result.append((name, position, start))
    return result


def _check_dates(c: Cells, row: ParsedRow) -> None:
    if row.status == PageStatus.CLOSED and row.closed_on is None:
        c.problems.append("страница закрыта, но не указана «Дата закрытия»")
    if row.status == PageStatus.ACTIVE and row.closed_on is not None:
        c.problems.append("указана «Дата закрытия», а статус — действует")
    if row.closed_on is not None and row.closed_on < row.created_on:
        c.problems.append("«Дата закрытия» раньше «Даты создания»")
    if row.entered_on is not None and row.reported_on is None:
        c.problems.append("«Дата внесения в реестр» указана без «Даты поступления сведений»")
    if row.entered_on and row.reported_on and row.entered_on < row.reported_on:
        c.problems.append("«Дата внесения в реестр» раньше «Даты поступления сведений»")
    if row.org.email and "@" not in row.org.email:
        c.problems.append(f"«Эл. почта»: «{row.org.email}» не похожа на адрес")


def parse_row(source: SourceRow) -> ParsedRow | list[RowError]:
    """Check one row on its own: required cells, known values, dates and their order."""
    c = Cells(source.cells)
    name = c.text("org_name", required=True)
    kind = c.code("org_kind", parse_org_kind)
    network = c.code("network", parse_network)
    address = c.text("address", required=True)
    created_on = c.date("created_on", required=True)
    status = c.code("status", parse_status, default=PageStatus.ACTIVE.value)
    org = OrgData(
        name=name,
        kind=kind or "",
        short_name=c.text("short_name"),
        postal_address=c.text("postal_address"),
        email=c.text("email") or None,
        phone=c.text("phone"),
        website=c.text("website") or None,
    )
    history, staff = _parse_history(c, created_on), _parse_staff(c, created_on)
    closed_on, reported_on, entered_on = c.date("closed_on"), c.date("reported_on"), c.date("entered_on")
    twofa, site_link = c.date("twofa_attested_on"), c.date("site_link_found_on")
    if c.problems or not (name and kind and network and address and status and created_on):
        return [RowError(source.line, p) for p in (c.problems or ["неверная строка"])]
    row = ParsedRow(
        source.line,
        org,
        network,
        address,
        created_on,
        status,
        platform_id=c.text("platform_id") or None,
        screen_name=c.text("screen_name") or None,
        closed_on=closed_on,
        reported_on=reported_on,
        entered_on=entered_on,
        twofa_attested_on=twofa,
        site_link_found_on=site_link,
        history=history,
        staff=staff,
    )
    _check_dates(c, row)
    return [RowError(source.line, p) for p in c.problems] or row


def _org_conflicts(row: ParsedRow, known: OrgData | RegistryOrganisation, where: str) -> list[RowError]:
    """Rows of one organisation must agree with each other and with the registry on its details."""
    errors = []
    for name in _ORG_FIELDS:
        mine, theirs = getattr(row.org, name) or "", getattr(known, name) or ""
        if mine != theirs:
            header = HEADER_BY_KEY.get(name, HEADER_BY_KEY["org_kind"] if name == "kind" else name)
            errors.append(RowError(row.line, f"«{header}» организации «{row.org.name}» расходится с {where}"))
    return errors


def _check_against_file(rows: Sequence[ParsedRow]) -> list[RowError]:
    errors: list[RowError] = []
    addresses: dict[tuple[str, str], int] = {}
    active: dict[tuple[str, str], int] = {}
    orgs: dict[str, ParsedRow] = {}
    for row in rows:
        first = orgs.setdefault(row.org.name, row)
        if first is not row:
            errors += _org_conflicts(row, first.org, f"строкой {first.line}")
        seen = addresses.setdefault((row.network, row.address), row.line)
        if seen != row.line:
            errors.append(RowError(row.line, f"адрес {row.address} уже указан в строке {seen}"))
        if row.status == PageStatus.ACTIVE:
            other = active.setdefault((row.org.name, row.network), row.line)
            if other != row.line:
                message = (
                    f"вторая действующая страница организации в этой сети (первая — строка {other}); п. 1.5"
                )
                errors.append(RowError(row.line, message))
    return errors


def _check_against_db(session: Session, rows: Sequence[ParsedRow]) -> list[RowError]:
    errors: list[RowError] = []
    for row in rows:
        query = select(RegistryPage).where(
            RegistryPage.network == row.network, RegistryPage.address == row.address
        )
        if session.exec(query).first() is not None:
            message = (
                f"страница {row.address} уже есть в реестре; чтобы обновить реестр по этому файлу, "
                "загрузите его в режиме обновления (dozor registry import --update)"
            )
            errors.append(RowError(row.line, message))
        query_org = select(RegistryOrganisation).where(RegistryOrganisation.name == row.org.name)
        org = session.exec(query_org).first()
        if org is None:
            continue
        errors += _org_conflicts(row, org, "записью в реестре")
        assert org.id is not None
        existing = active_page(session, org.id, row.network)
        if row.status == PageStatus.ACTIVE and existing is not None:
            message = f"у организации уже есть действующая страница {existing.address} в этой сети; п. 1.5"
            errors.append(RowError(row.line, message))
    return errors


def _check_main(session: Session, sources: Sequence[SourceRow]) -> tuple[list[ParsedRow], list[RowError]]:
    """Parse and check every row of the first table; the good rows and every error, in line order."""
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    for source in sources:
        result = parse_row(source)
        if isinstance(result, list):
            errors += result
        else:
            parsed.append(result)
    errors += _check_against_file(parsed) + _check_against_db(session, parsed)
    if not sources:
        errors.append(RowError(1, "в файле нет ни одной строки с данными"))
    return parsed, sorted(errors, key=lambda e: e.line)


def _pages(sources: Sequence[SourceRow], parsed: Sequence[ParsedRow]) -> dict[PageKey, dt.date | None]:
    """Pages of the first table for the extra tables to refer to; a bad row's page is known but undated."""
    pages: dict[PageKey, dt.date | None] = {}
    for source in sources:
        try:
            network = parse_network(source.cells.get("network", ""))
        except ValueError:
            continue
        pages[(network, source.cells.get("address", "").strip())] = None
    pages.update({(row.network, row.address): row.created_on for row in parsed})
    return pages


def validate(
    session: Session,
    sources: Sequence[SourceRow],
    extras: Mapping[str, SheetRows] | None = None,
    place: str = "",
) -> tuple[list[ParsedRow], Extras]:
    """Check every row of every table; raise ImportRejected listing all bad rows, table by table."""
    parsed, errors = _check_main(session, sources)
    checked, extra_errors = validate_extras(extras or {}, _pages(sources, parsed))
    if not extra_errors:
        errors = sorted(errors + check_agreement(parsed, checked, extras or {}), key=lambda e: e.line)
    errors = [replace(e, place=place) for e in errors] + extra_errors
    if errors:
        raise ImportRejected(errors)
    return parsed, checked


def _add_history(session: Session, row: ParsedRow, page: RegistryPage) -> None:
    """The first table's "Предыдущие адреса": the chain of changes ending at the current address."""
    assert page.id is not None
    chain = [address for address, _ in row.history] + [row.address]
    for (previous, changed_on), new in zip(row.history, chain[1:], strict=True):
        session.add(
            RegistryAddressChange(
                page_id=page.id, previous_address=previous, new_address=new, changed_on=changed_on
            )
        )


def _apply_row(session: Session, row: ParsedRow, org: RegistryOrganisation, extras: Extras) -> None:
    page = add_page(
        session,
        org,
        network=row.network,
        address=row.address,
        created_on=row.created_on,
        platform_id=row.platform_id,
        screen_name=row.screen_name,
        reported_on=row.reported_on,
        entered_on=row.entered_on,
        record_fact=row.reported_on is not None and not extras.has(FACTS),
    )
    if not extras.has(HISTORY):
        _add_history(session, row, page)
    if not extras.has(STAFF):
        for name, position, start in row.staff:
            add_staff(session, page, full_name=name, position=position, from_on=start, record_fact=False)
    apply_extras(session, page, extras)
    if row.twofa_attested_on:
        attest_2fa(session, page, row.twofa_attested_on)
    if row.site_link_found_on:
        record_site_link(session, page, row.site_link_found_on)
    if row.status == PageStatus.CLOSED and row.closed_on:
        close_page(session, page, row.closed_on)


def import_rows(
    session: Session,
    sources: Sequence[SourceRow],
    extras: Mapping[str, SheetRows] | None = None,
    place: str = "",
) -> ImportResult:
    """Validate all rows of all tables, then write them in the caller's transaction (the caller commits).

    `extras` are the extra tables present in the file (see `sheets.EXTRA_SHEETS`), by key; `place` names
    the first table in error messages. Without the fact table, imported address history carries no report
    terms: when those changes were reported is not known.
    """
    rows, checked = validate(session, sources, extras, place)
    orgs: dict[str, RegistryOrganisation] = {}
    created = 0
    for row in rows:
        org = (
            orgs.get(row.org.name)
            or session.exec(
                select(RegistryOrganisation).where(RegistryOrganisation.name == row.org.name)
            ).first()
        )
        if org is None:
            org = add_organisation(session, row.org)
            created += 1
        orgs[row.org.name] = org
        try:
            _apply_row(session, row, org, checked)
        except RegistryError as exc:
            session.rollback()
            raise ImportRejected([RowError(row.line, str(exc), place)]) from exc
    return ImportResult(organisations=created, pages=len(rows))
