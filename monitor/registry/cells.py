"""What the importer reports and how it reads a row: typed cells that collect every problem of a row.

A row error names its line and, when the import reads more than one table, its sheet or file, so the
person can open exactly that row: "лист «Ответственные», строка 4: …".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from monitor.registry.labels import parse_date
from monitor.registry.table import COLUMNS, Row

HEADER_BY_KEY: dict[str, str] = {c.key: c.header for c in COLUMNS}
T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """A reason a row cannot be imported, with the line the person should open (and the sheet, if many)."""

    line: int
    message: str
    place: str = ""

    def __str__(self) -> str:
        where = f"{self.place}, строка {self.line}" if self.place else f"строка {self.line}"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The file has bad rows; nothing was imported. `errors` lists every one."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class Cells:
    """Typed access to one row's cells that collects every problem instead of stopping at the first."""

    def __init__(self, cells: Row, headers: Mapping[str, str] = HEADER_BY_KEY) -> None:
        self.cells = cells
        self.headers = headers
        self.problems: list[str] = []

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.cells.get(key, "").strip()
        if required and not value:
            self.problems.append(f"не заполнено «{self.headers[key]}»")
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.text(key, required=required)
        return self.convert(value, parse_date, key) if value else None

    def code(self, key: str, parser: Callable[[str], str], default: str = "") -> str | None:
        value = self.text(key, required=not default) or default
        return self.convert(value, parser, key) if value else None

    def convert(self, value: str, parser: Callable[[str], T], key: str) -> T | None:
        try:
            return parser(value)
        except ValueError as exc:
            self.problems.append(f"«{self.headers[key]}»: {exc}")
            return None

    def errors(self, line: int) -> list[RowError]:
        """The problems found so far, as errors of the row at `line`."""
        return [RowError(line, problem) for problem in self.problems]
