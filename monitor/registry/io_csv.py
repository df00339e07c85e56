"""CSV in the shape Russian Excel reads and writes: UTF-8 with BOM, ";" between cells.

Reading also accepts "," and tab separated files, files without the BOM and Windows-1251 files, since
staff save CSVs from different programs. Takes and returns text, not paths: the CLI opens the files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from monitor.registry.table import (
    COLUMNS,
    Column,
    Row,
    SheetRows,
    SourceRow,
    TableFormatError,
    header_keys,
    rows_to_matrix,
    unrecognised_headers,
)

BOM = "\ufeff"


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251: Russian Excel still saves "CSV" in 1251."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d])


def read_csv(text: str, columns: Sequence[Column] = COLUMNS) -> list[SourceRow]:
    """Rows keyed by column, each with the line number where the record starts in the file."""
    return read_csv_sheet(text, columns).rows


def read_csv_sheet(text: str, columns: Sequence[Column] = COLUMNS, place: str = "") -> SheetRows:
    """The rows with warnings about header cells that look like a misnamed column."""
    text = text.removeprefix(BOM)
    if not text.strip():
        raise TableFormatError("файл пуст")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text.splitlines()[0]))
    header = next(reader)
    keys = header_keys(header, columns)
    rows: list[SourceRow] = []
    start = reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            cells: Row = {key: cell.strip() for key, cell in zip(keys, record, strict=False) if key}
            rows.append(SourceRow(start, cells))
        start = reader.line_num + 1
    return SheetRows(rows, place, tuple(unrecognised_headers(header, columns)))


def write_csv(rows: Sequence[Row], columns: Sequence[Column] = COLUMNS) -> str:
    """The table as text with a BOM so Excel opens the Cyrillic correctly."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows_to_matrix(rows, columns))
    return BOM + out.getvalue()
