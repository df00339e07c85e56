"""XLSX for the registry: the first sheet, header in row 1, dates as real date cells.

Cells come back as text in the same ДД.ММ.ГГГГ form the CSV uses, so one parser validates both formats.
Takes and returns bytes, not paths: the CLI opens the files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from monitor.registry.labels import fmt_date, parse_date
from monitor.registry.table import COLUMNS, HEADERS, Row, SourceRow, TableFormatError, header_keys

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


def read_xlsx(data: bytes) -> list[SourceRow]:
    """Rows keyed by column, each with its row number in the sheet."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise TableFormatError(f"не удалось прочитать XLSX: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise TableFormatError("файл пуст")
        keys = header_keys([_cell_text(v) for v in header])
        rows: list[SourceRow] = []
        for number, values in enumerate(lines, start=2):
            texts = [_cell_text(v) for v in values]
            if any(texts):
                rows.append(SourceRow(number, {k: t for k, t in zip(keys, texts, strict=False) if k}))
        return rows
    finally:
        book.close()


def _typed(text: str, is_date: bool) -> object:
    if is_date and text:
        return parse_date(text)
    return text


def write_xlsx(rows: Sequence[Row]) -> bytes:
    """A workbook with a bold header, real date cells and readable column widths."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_typed(row.get(c.key, ""), c.is_date) for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(50, len(column.header) + 4))
        if column.is_date:
            for cell in sheet[letter][1:]:
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
