"""The registry as the IT staff keep it in a spreadsheet: one row per page, Russian column headers.

Every cell is text here (dates as ДД.ММ.ГГГГ); the CSV and XLSX modules only move these rows in and out of
their formats, so both formats share one set of columns and one parser. Several responsible people or
previous addresses go in one cell separated by "; ".
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from models.registry import PageStatus, RegistryOrganisation, RegistryPage
from monitor.registry.labels import NETWORK_LABELS, ORG_KIND_LABELS, STATUS_LABELS, fmt_date
from monitor.registry.service import facts, history, list_pages, staff

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    """A spreadsheet column: its Russian header, the key the parser uses, and whether a row needs it."""

    header: str
    key: str
    required: bool = False
    is_date: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("Организация", "org_name", required=True),
    Column("Краткое наименование", "short_name"),
    Column("Тип организации", "org_kind", required=True),
    Column("Почтовый адрес", "postal_address"),
    Column("Эл. почта", "email"),
    Column("Телефон для справок", "phone"),
    Column("Официальный сайт", "website"),
    Column("Соцсеть", "network", required=True),
    Column("Адрес страницы", "address", required=True),
    Column("ID на платформе", "platform_id"),
    Column("Короткое имя", "screen_name"),
    Column("Дата создания", "created_on", required=True, is_date=True),
    Column("Статус", "status"),
    Column("Дата закрытия", "closed_on", is_date=True),
    Column("Дата поступления сведений", "reported_on", is_date=True),
    Column("Дата внесения в реестр", "entered_on", is_date=True),
    Column("Дата подтверждения 2FA", "twofa_attested_on", is_date=True),
    Column("Ссылка на сайте с", "site_link_found_on", is_date=True),
    Column("Предыдущие адреса", "previous_addresses"),
    Column("ФИО ответственных", "staff_names"),
    Column("Должности ответственных", "staff_positions"),
    Column("Ответственные с", "staff_from"),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
KEY_BY_HEADER: dict[str, str] = {c.header.casefold(): c.key for c in COLUMNS}

Row = dict[str, str]
"""One spreadsheet row: column key -> cell text ("" for an empty cell)."""


@dataclass(frozen=True)
class SourceRow:
    """A row read from a file, with the line (CSV) or row number (XLSX) a person can find it by."""

    line: int
    cells: Row


class TableFormatError(ValueError):
    """The file is not a registry table at all (no header, missing columns); message in Russian."""


@dataclass(frozen=True)
class SheetRows:
    """The rows of one table read from a file, and where they came from for error messages.

    `place` is "лист «…»" for an XLSX sheet or "файл «…»" for a CSV file; "" when the file is the only one.
    """

    rows: list[SourceRow]
    place: str = ""
    warnings: tuple[str, ...] = ()


def _header_form(text: str) -> str:
    """A header as compared: case, doubled spaces and a trailing colon or asterisk do not matter."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).strip(" :*").casefold()


def suggest_header(unknown: Sequence[str], wanted: str) -> str | None:
    """The header cell in the file that most likely means `wanted` (a typo, a shortened name), if any."""
    forms = {_header_form(cell): cell for cell in unknown if cell.strip()}
    target = _header_form(wanted)
    close = difflib.get_close_matches(target, list(forms), n=1, cutoff=0.6)
    if close:
        return forms[close[0]]
    inside = [cell for form, cell in forms.items() if form in target or target in form]
    return inside[0] if len(inside) == 1 else None


def header_keys(header: Sequence[str], columns: Sequence[Column] = COLUMNS) -> list[str | None]:
    """Map header cells to column keys; unknown columns (staff notes) map to None and are ignored.

    A required column that is missing is named together with the header cell that most likely meant it
    («Соц. сеть» → «Соцсеть»), so the person renames one cell instead of guessing.
    """
    by_header = {_header_form(c.header): c.key for c in columns}
    keys = [by_header.get(_header_form(cell)) for cell in header]
    unknown = [cell for cell, key in zip(header, keys, strict=True) if key is None]
    missing = [c.header for c in columns if c.required and c.key not in keys]
    if missing:
        parts = []
        for name in missing:
            guess = suggest_header(unknown, name)
            parts.append(f"«{name}»" + (f" (возможно, это столбец «{guess.strip()}»?)" if guess else ""))
        raise TableFormatError("в файле нет обязательных столбцов: " + ", ".join(parts))
    return keys


def unrecognised_headers(header: Sequence[str], columns: Sequence[Column] = COLUMNS) -> list[str]:
    """Warnings for header cells that are not columns but look like one that is absent from the file."""
    known = {_header_form(c.header) for c in columns}
    present = {_header_form(cell) for cell in header}
    absent = [c.header for c in columns if _header_form(c.header) not in present]
    warnings = []
    for cell in header:
        if not cell.strip() or _header_form(cell) in known:
            continue
        meant = [name for name in absent if suggest_header([cell], name) is not None]
        if meant:
            warnings.append(f"столбец «{cell.strip()}» не распознан и пропущен; возможно, это «{meant[0]}»?")
    return warnings


def split_list(cell: str) -> list[str]:
    """Items of a "; "-separated cell, without empty ones."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def format_history_item(previous_address: str, changed_on_text: str) -> str:
    """ "old address (до ДД.ММ.ГГГГ)": the page had `previous_address` until that date."""
    return f"{previous_address} (до {changed_on_text})"


def _org_cells(org: RegistryOrganisation) -> Row:
    return {
        "org_name": org.name,
        "short_name": org.short_name,
        "org_kind": ORG_KIND_LABELS.get(org.kind, org.kind),
        "postal_address": org.postal_address,
        "email": org.email or "",
        "phone": org.phone,
        "website": org.website or "",
    }


def _page_cells(session: Session, page: RegistryPage) -> Row:
    creation = next((f for f in facts(session, page) if f.kind == "creation"), None)
    current = [p for p in staff(session, page) if p.to_on is None]
    changes = history(session, page)
    return {
        "network": NETWORK_LABELS.get(page.network, page.network),
        "address": page.address,
        "platform_id": page.platform_id or "",
        "screen_name": page.screen_name or "",
        "created_on": fmt_date(page.created_on),
        "status": STATUS_LABELS.get(page.status, page.status),
        "closed_on": fmt_date(page.closed_on) if page.status == PageStatus.CLOSED else "",
        "reported_on": fmt_date(creation.reported_on) if creation else "",
        "entered_on": fmt_date(creation.entered_on) if creation else "",
        "twofa_attested_on": fmt_date(page.twofa_attested_on),
        "site_link_found_on": fmt_date(page.site_link_found_on),
        "previous_addresses": LIST_SEPARATOR.join(
            format_history_item(c.previous_address, fmt_date(c.changed_on)) for c in changes
        ),
        "staff_names": LIST_SEPARATOR.join(p.full_name for p in current),
        "staff_positions": LIST_SEPARATOR.join(p.position for p in current),
        "staff_from": LIST_SEPARATOR.join(fmt_date(p.from_on) for p in current),
    }


def page_row(session: Session, page: RegistryPage, org: RegistryOrganisation) -> Row:
    """One page as its spreadsheet row: what an import in update mode compares the file's row with."""
    return _org_cells(org) | _page_cells(session, page)


def export_rows(session: Session) -> list[Row]:
    """Every page of the registry as a spreadsheet row (for IT: includes the responsible staff)."""
    return [page_row(session, page, org) for page, org in list_pages(session)]


def rows_to_matrix(rows: Sequence[Row], columns: Sequence[Column] = COLUMNS) -> list[list[str]]:
    """Header line plus one list of cells per row, in the column order."""
    return [[c.header for c in columns]] + [[row.get(c.key, "") for c in columns] for row in rows]
