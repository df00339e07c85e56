"""Import in update mode: the office's workbook stays the working copy of the registry.

Each row of the file is matched to a page of the registry (by network and address, then by platform id, then
by a previous address the row lists), and the import adds the rows that match nothing, changes the pages whose
values differ and closes those the file marks closed. Pages of the registry the file does not list are shown
and left alone: a row deleted by mistake must not close a page. `prepare` checks everything and builds the
preview (nothing written); `apply_prepared` writes it in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.registry import (
    PageStatus,
    RegistryAddressChange,
    RegistryFactReport,
    RegistryOrganisation,
    RegistryPage,
    RegistryStaff,
)
from monitor.registry import importer as base
from monitor.registry.cells import HEADER_BY_KEY, RowError
from monitor.registry.errors import RegistryError, flush
from monitor.registry.findings import phone_finding, staff_finding
from monitor.registry.import_extras import Extras, apply_extras, check_agreement, validate_extras
from monitor.registry.labels import NETWORK_LABELS, fmt_date
from monitor.registry.parsed import ParsedRow
from monitor.registry.preview import FieldChange, ImportPreview, PageChange
from monitor.registry.reports import add_staff, end_staff, record_report
from monitor.registry.service import active_page, add_organisation, list_pages
from monitor.registry.sheets import FACTS, HISTORY, STAFF, Sheet
from monitor.registry.table import SheetRows, SourceRow, page_row

_COMPARED: tuple[tuple[str, str], ...] = (
    ("org.name", "org_name"),
    ("org.kind", "org_kind"),
    ("org.short_name", "short_name"),
    ("org.postal_address", "postal_address"),
    ("org.email", "email"),
    ("org.phone", "phone"),
    ("org.website", "website"),
    ("address", "address"),
    ("platform_id", "platform_id"),
    ("screen_name", "screen_name"),
    ("created_on", "created_on"),
    ("status", "status"),
    ("closed_on", "closed_on"),
    ("reported_on", "reported_on"),
    ("entered_on", "entered_on"),
    ("twofa_attested_on", "twofa_attested_on"),
    ("site_link_found_on", "site_link_found_on"),
    ("history", "previous_addresses"),
    ("staff", "staff_names"),
)
"""ParsedRow attribute -> the column it comes from (and is shown under in the preview)."""


@dataclass
class PreparedImport:
    """A checked file with its preview, ready to be written (only when `preview.errors` is empty)."""

    preview: ImportPreview
    rows: list[ParsedRow] = field(default_factory=list)
    matches: dict[int, int] = field(default_factory=dict)  # row line -> page number
    extras: Extras = field(default_factory=Extras)
    place: str = ""


def _value(row: ParsedRow, attribute: str) -> object:
    target: object = row
    for part in attribute.split("."):
        target = getattr(target, part)
    if attribute in ("history", "staff"):
        return sorted(target)  # type: ignore[call-overload]
    return target or None


def _match(session: Session, row: ParsedRow) -> RegistryPage | None:
    """The registry's page this row describes, if any."""
    same = select(RegistryPage).where(RegistryPage.network == row.network)
    found = session.exec(same.where(RegistryPage.address == row.address)).first()
    if found is None and row.platform_id:
        found = session.exec(same.where(RegistryPage.platform_id == row.platform_id)).first()
    for previous, _ in row.history:
        if found is None:
            found = session.exec(same.where(RegistryPage.address == previous)).first()
    return found


def _db_parsed(session: Session, page: RegistryPage) -> tuple[dict[str, str], ParsedRow | None]:
    org = session.get(RegistryOrganisation, page.organisation_id)
    assert org is not None
    cells = page_row(session, page, org)
    parsed = base.parse_row(SourceRow(0, cells))
    return cells, parsed if isinstance(parsed, ParsedRow) else None


def _extra_items(session: Session, page: RegistryPage, sheet: Sheet) -> list[tuple[object, ...]]:
    if sheet is HISTORY:
        changes = session.exec(select(RegistryAddressChange).where(RegistryAddressChange.page_id == page.id))
        return sorted((c.previous_address, c.new_address, c.changed_on, c.detected_by) for c in changes)
    if sheet is STAFF:
        people = session.exec(select(RegistryStaff).where(RegistryStaff.page_id == page.id)).all()
        return sorted((p.full_name, p.position, p.from_on, p.to_on) for p in people)
    facts = session.exec(select(RegistryFactReport).where(RegistryFactReport.page_id == page.id)).all()
    return sorted((f.kind, f.fact_date, f.reported_on, f.entered_on) for f in facts)


def _file_items(row: ParsedRow, extras: Extras, sheet: Sheet) -> list[tuple[object, ...]]:
    key = (row.network, row.address)
    if sheet is HISTORY:
        return sorted(
            (h.previous_address, h.new_address, h.changed_on, h.detected_by)
            for h in extras.history.get(key, [])
        )
    if sheet is STAFF:
        return sorted((s.full_name, s.position, s.from_on, s.to_on) for s in extras.staff.get(key, []))
    return sorted((f.kind, f.fact_date, f.reported_on, f.entered_on) for f in extras.facts.get(key, []))


def _item_text(item: tuple[object, ...]) -> str:
    return " ".join(fmt_date(v) if isinstance(v, dt.date) else str(v) for v in item if v is not None)


def _field_changes(
    session: Session, row: ParsedRow, cells: Mapping[str, str], page: RegistryPage, extras: Extras
) -> list[FieldChange]:
    before_cells, before = _db_parsed(session, page)
    changes = []
    for attribute, key in _COMPARED:
        old, new = before_cells.get(key, ""), cells.get(key, "")
        differs = old != new if before is None else _value(before, attribute) != _value(row, attribute)
        if differs:
            changes.append(FieldChange(HEADER_BY_KEY[key], old, new))
    for sheet in (HISTORY, STAFF, FACTS):
        if not extras.has(sheet):
            continue
        stored, given = _extra_items(session, page, sheet), _file_items(row, extras, sheet)
        if stored != given:
            removed = "; ".join(_item_text(i) for i in stored if i not in given)
            added = "; ".join(_item_text(i) for i in given if i not in stored)
            changes.append(FieldChange(f"лист «{sheet.title}»", removed, added))
    return changes


def _db_conflicts(session: Session, rows: Sequence[ParsedRow], matches: Mapping[int, int]) -> list[RowError]:
    """Clause 1.5 after the update: no second active page of an organisation on a network."""
    errors: list[RowError] = []
    closing = {matches[r.line] for r in rows if r.line in matches and r.status == PageStatus.CLOSED}
    described = set(matches.values())
    for row in rows:
        org = session.exec(
            select(RegistryOrganisation).where(RegistryOrganisation.name == row.org.name)
        ).first()
        if org is None or org.id is None or row.status != PageStatus.ACTIVE:
            continue
        other = active_page(session, org.id, row.network)
        if other is None or other.id == matches.get(row.line) or other.id in closing:
            continue
        if other.id in described:
            continue  # the file moves that page elsewhere; the file-level check covers the rest
        message = f"у организации уже есть действующая страница {other.address} в этой сети; п. 1.5"
        errors.append(RowError(row.line, message))
    return errors


def _warnings(
    main: SheetRows, extras: Mapping[str, SheetRows], rows: Sequence[ParsedRow], checked: Extras
) -> list[RowError]:
    found = [RowError(1, w, main.place) for w in main.warnings]
    for table in extras.values():
        found += [RowError(1, w, table.place) for w in table.warnings]
    for row in rows:
        current = (
            [s for s in checked.staff.get((row.network, row.address), []) if s.to_on is None]
            if checked.has(STAFF)
            else row.staff
        )
        texts = [phone_finding(row.org.phone), staff_finding(len(current))]
        found += [
            RowError(row.line, t, main.place) for t in texts if t is not None and row.status == "active"
        ]
    return found


def _carry_old_address(session: Session, row: ParsedRow, page: RegistryPage, today: dt.date) -> ParsedRow:
    """A new address whose old one the row does not list keeps the old one in the history, dated today."""
    listed = {address for address, _ in row.history}
    if page.address == row.address or page.address in listed:
        return row
    return replace(row, history=sorted([*row.history, (page.address, today)], key=lambda pair: pair[1]))


def prepare(
    session: Session,
    main: SheetRows,
    extras: Mapping[str, SheetRows] | None = None,
    *,
    update: bool,
    today: dt.date,
) -> PreparedImport:
    """Check the file against itself and the registry, and say what importing it would change."""
    extras = extras or {}
    preview = ImportPreview(update=update)
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    for source in main.rows:
        result = base.parse_row(source)
        parsed += [result] if isinstance(result, ParsedRow) else []
        errors += result if isinstance(result, list) else []
    cells = {source.line: source.cells for source in main.rows}
    matched = {row.line: page for row in parsed if (page := _match(session, row)) is not None}
    parsed = [
        _carry_old_address(session, r, matched[r.line], today) if r.line in matched else r for r in parsed
    ]
    matches = {line: page.id for line, page in matched.items() if page.id is not None}
    errors += base._check_against_file(parsed)
    errors += _db_conflicts(session, parsed, matches) if update else base._check_against_db(session, parsed)
    if not main.rows:
        errors.append(RowError(1, "в файле нет ни одной строки с данными"))
    checked, extra_errors = validate_extras(extras, base._pages(main.rows, parsed))
    if not extra_errors:
        errors += check_agreement(parsed, checked, extras)
    preview.errors = [
        replace(e, place=main.place) for e in sorted(errors, key=lambda e: e.line)
    ] + extra_errors
    preview.warnings = _warnings(main, extras, parsed, checked)
    for row in parsed:
        label = NETWORK_LABELS.get(row.network, row.network)
        page = matched.get(row.line)
        if page is None:
            preview.pages.append(PageChange("added", row.org.name, label, row.address, row.line, main.place))
            continue
        fields = _field_changes(session, row, cells[row.line], page, checked)
        if not fields:
            preview.unchanged += 1
            continue
        kind = "closed" if row.status == PageStatus.CLOSED and page.status == PageStatus.ACTIVE else "changed"
        preview.pages.append(
            PageChange(kind, row.org.name, label, row.address, row.line, main.place, tuple(fields))
        )
    if update:
        seen = set(matches.values())
        for page, org in list_pages(session, status=PageStatus.ACTIVE.value):
            if page.id not in seen:
                label = NETWORK_LABELS.get(page.network, page.network)
                preview.pages.append(PageChange("absent", org.name, label, page.address))
    return PreparedImport(preview, parsed, matches, checked, main.place)


def _organisation(
    session: Session, row: ParsedRow, cache: dict[str, RegistryOrganisation]
) -> tuple[RegistryOrganisation, bool]:
    org = (
        cache.get(row.org.name)
        or session.exec(select(RegistryOrganisation).where(RegistryOrganisation.name == row.org.name)).first()
    )
    created = org is None
    if org is None:
        org = add_organisation(session, row.org)
    else:
        for name in base._ORG_FIELDS:
            setattr(org, name, getattr(row.org, name))
        session.add(org)
    cache[row.org.name] = org
    return org, created


def _update_staff(session: Session, row: ParsedRow, page: RegistryPage, today: dt.date) -> None:
    current = session.exec(
        select(RegistryStaff).where(RegistryStaff.page_id == page.id, col(RegistryStaff.to_on).is_(None))
    ).all()
    wanted = {(name, position): start for name, position, start in row.staff}
    for person in current:
        if (person.full_name, person.position) not in wanted:
            end_staff(session, person, max(today, person.from_on))
    have = {(p.full_name, p.position) for p in current}
    for (name, position), start in wanted.items():
        if (name, position) not in have:
            add_staff(session, page, full_name=name, position=position, from_on=start, record_fact=False)


def _update_page(
    session: Session,
    row: ParsedRow,
    page: RegistryPage,
    org: RegistryOrganisation,
    extras: Extras,
    today: dt.date,
) -> None:
    """Make the page what the row (and the extra sheets present) say, keeping what the file cannot say."""
    assert org.id is not None and page.id is not None
    page.organisation_id, page.address = org.id, row.address
    page.platform_id, page.screen_name, page.created_on = row.platform_id, row.screen_name, row.created_on
    page.twofa_attested_on, page.site_link_found_on = row.twofa_attested_on, row.site_link_found_on
    page.status = row.status
    page.closed_on = row.closed_on if row.status == PageStatus.CLOSED else None
    session.add(page)
    flush(session)
    history = sorted(
        (c.previous_address, c.changed_on)
        for c in session.exec(select(RegistryAddressChange).where(RegistryAddressChange.page_id == page.id))
    )
    if extras.has(HISTORY) or history != sorted(row.history):
        session.exec(delete(RegistryAddressChange).where(col(RegistryAddressChange.page_id) == page.id))
        if not extras.has(HISTORY):
            base._add_history(session, row, page)
    if extras.has(STAFF):
        session.exec(delete(RegistryStaff).where(col(RegistryStaff.page_id) == page.id))
    else:
        _update_staff(session, row, page, today)
    if extras.has(FACTS):
        session.exec(delete(RegistryFactReport).where(col(RegistryFactReport.page_id) == page.id))
    elif row.reported_on is not None:
        record_report(
            session, page, "creation", row.created_on, reported_on=row.reported_on, entered_on=row.entered_on
        )
    flush(session)
    apply_extras(session, page, extras)


def mark_undated_entries(session: Session, page_ids: Sequence[int]) -> None:
    """Facts a file gave with a report date but no entry date: in the registry, entry day unknown (3.4)."""
    for fact in session.exec(
        select(RegistryFactReport).where(
            col(RegistryFactReport.page_id).in_(page_ids),
            col(RegistryFactReport.reported_on).is_not(None),
            col(RegistryFactReport.entered_on).is_(None),
        )
    ):
        fact.entry_undated = True
        session.add(fact)
    flush(session)


@dataclass(frozen=True)
class UpdateResult:
    """What an import wrote."""

    added: int
    changed: int
    closed: int
    organisations: int


def apply_prepared(session: Session, prepared: PreparedImport, today: dt.date) -> UpdateResult:
    """Write a prepared import in the caller's transaction; refuses one with errors."""
    if prepared.preview.errors:
        raise base.ImportRejected(prepared.preview.errors)
    kinds = {p.line: p.kind for p in prepared.preview.pages if p.line}
    # closing first frees the network slot (clause 1.5) a changed or added row may take
    order = sorted(prepared.rows, key=lambda r: {"closed": 0, "changed": 1}.get(kinds.get(r.line, ""), 2))
    cache: dict[str, RegistryOrganisation] = {}
    touched: list[int] = []
    created = 0
    for row in order:
        if row.line not in kinds:
            continue  # unchanged
        org, new = _organisation(session, row, cache)
        created += int(new)
        page_id = prepared.matches.get(row.line)
        try:
            if page_id is None:
                base._apply_row(session, row, org, prepared.extras)
                page = session.exec(
                    select(RegistryPage).where(
                        RegistryPage.network == row.network, RegistryPage.address == row.address
                    )
                ).one()
            else:
                found = session.get(RegistryPage, page_id)
                assert found is not None
                page = found
                _update_page(session, row, page, org, prepared.extras, today)
        except RegistryError as exc:
            session.rollback()
            raise base.ImportRejected([RowError(row.line, str(exc), prepared.place)]) from exc
        if page.id is not None:
            touched.append(page.id)
    mark_undated_entries(session, touched)
    counts = {kind: sum(1 for k in kinds.values() if k == kind) for kind in ("added", "changed", "closed")}
    return UpdateResult(counts["added"], counts["changed"], counts["closed"], created)
