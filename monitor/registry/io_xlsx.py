"""XLSX for the registry: the first sheet, then the extra sheets; header in row 1, dates as real date cells.

Cells come back as text in the same ДД.ММ.ГГГГ form the CSV uses, so one parser validates both formats.
Takes and returns bytes, not paths: the CLI opens the files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from monitor.registry.labels import fmt_date, parse_date
from monitor.registry.sheets import EXTRA_SHEETS
from monitor.registry.table import (
    COLUMNS,
    Column,
    Row,
    SheetRows,
    SourceRow,
    TableFormatError,
    header_keys,
    unrecognised_headers,
)

SHEET_TITLE = "Реестр"
DATE_FORMAT = "DD.MM.YYYY"


def _cell_text(value: object) -> str:
    """Spreadsheet values as the text the parser expects: dates as ДД.ММ.ГГГГ, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return fmt_date(value.date())
    if isinstance(value, dt.date):
        return fmt_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(sheet: Any, columns: Sequence[Column], place: str = "") -> SheetRows:
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None:
        raise TableFormatError("файл пуст")
    titles = [_cell_text(v) for v in header]
    keys = header_keys(titles, columns)
    rows: list[SourceRow] = []
    for number, values in enumerate(lines, start=2):
        texts = [_cell_text(v) for v in values]
        if any(texts):
            rows.append(SourceRow(number, {k: t for k, t in zip(keys, texts, strict=False) if k}))
    return SheetRows(rows, place, tuple(unrecognised_headers(titles, columns)))


def _open(data: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise TableFormatError(f"не удалось прочитать XLSX: {exc}") from exc


def read_xlsx(data: bytes) -> list[SourceRow]:
    """Rows of the first sheet keyed by column, each with its row number in the sheet."""
    book = _open(data)
    try:
        return _read_sheet(book.worksheets[0], COLUMNS).rows
    finally:
        book.close()


def read_xlsx_book(data: bytes) -> tuple[SheetRows, dict[str, SheetRows]]:
    """The first sheet and those extra sheets (by title) the workbook has; older files have none."""
    book = _open(data)
    try:
        first = book.worksheets[0]
        main = _read_sheet(first, COLUMNS, f"лист «{first.title}»")
        extras: dict[str, SheetRows] = {}
        for extra in EXTRA_SHEETS:
            if extra.title in book.sheetnames and extra.title != first.title:
                place = f"лист «{extra.title}»"
                try:
                    extras[extra.key] = _read_sheet(book[extra.title], extra.columns, place)
                except TableFormatError as exc:
                    raise TableFormatError(f"{place}: {exc}") from exc
        return main, extras
    finally:
        book.close()


def _typed(text: str, is_date: bool) -> object:
    if is_date and text:
        return parse_date(text)
    return text


def _fill(sheet: Any, columns: Sequence[Column], rows: Sequence[Row]) -> None:
    """A bold header, real date cells and readable column widths."""
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_typed(row.get(c.key, ""), c.is_date) for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(50, len(column.header) + 4))
        if column.is_date:
            for cell in sheet[letter][1:]:
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"


def write_xlsx(rows: Sequence[Row], extras: Mapping[str, Sequence[Row]] | None = None) -> bytes:
    """The registry sheet as IT keep it, then one sheet per extra table given in `extras`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    _fill(sheet, COLUMNS, rows)
    for extra in EXTRA_SHEETS:
        if extras is not None and extra.key in extras:
            _fill(book.create_sheet(extra.title), extra.columns, extras[extra.key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
