"""The whole registry in files: one XLSX workbook, or one CSV file per table.

XLSX: the first sheet is the one the IT staff keep (one row per page), then a sheet per extra table.
CSV holds one table per file, so the extra tables go into files next to the main one
(`registry.csv`, `registry.адреса.csv`, `registry.ответственные.csv`, `registry.сообщения.csv`), in the
same encoding and with the same separator. Import reads whichever extra tables are there.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from monitor.registry.io_csv import decode_csv, read_csv_sheet, write_csv
from monitor.registry.io_xlsx import read_xlsx_book, write_xlsx
from monitor.registry.sheets import EXTRA_SHEETS, export_extras
from monitor.registry.table import SheetRows, TableFormatError, export_rows

SUFFIXES = (".csv", ".xlsx")


def _read_csv_tables(path: Path) -> tuple[SheetRows, dict[str, SheetRows]]:
    extras: dict[str, SheetRows] = {}
    for sheet in EXTRA_SHEETS:
        sibling = sheet.csv_path(path)
        if sibling.is_file():
            place = f"файл «{sibling.name}»"
            try:
                extras[sheet.key] = read_csv_sheet(decode_csv(sibling.read_bytes()), sheet.columns, place)
            except TableFormatError as exc:
                raise TableFormatError(f"{place}: {exc}") from exc
    main = read_csv_sheet(decode_csv(path.read_bytes()), place=f"файл «{path.name}»" if extras else "")
    return main, extras


def read_tables(path: Path) -> tuple[SheetRows, dict[str, SheetRows]]:
    """The first table and the extra tables present, by `Sheet.key`; TableFormatError if unreadable."""
    if path.suffix.lower() == ".csv":
        return _read_csv_tables(path)
    return read_xlsx_book(path.read_bytes())


def write_tables(session: Session, path: Path) -> tuple[int, list[Path]]:
    """Export the whole registry to `path` (and, for CSV, the files next to it).

    Returns the number of pages and every file written.
    """
    rows, extras = export_rows(session), export_extras(session)
    if path.suffix.lower() != ".csv":
        path.write_bytes(write_xlsx(rows, extras))
        return len(rows), [path]
    path.write_text(write_csv(rows), encoding="utf-8", newline="")
    written = [path]
    for sheet in EXTRA_SHEETS:
        sibling = sheet.csv_path(path)
        sibling.write_text(write_csv(extras[sheet.key], sheet.columns), encoding="utf-8", newline="")
        written.append(sibling)
    return len(rows), written
