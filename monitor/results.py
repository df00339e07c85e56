"""What a compliance check says about one page: a status, a plain summary and exactly what is wrong.

Pure values with no I/O, shared by the checks, the result store, the digest and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Traffic light. ERROR: the check itself could not run (site down, API error), not the page's fault."""

    OK = "ok"
    WARNING = "warning"
    FAIL = "fail"
    ERROR = "error"


#: Worst first: the order in which the digest shows pages and picks a page's overall colour.
SEVERITY: dict[Status, int] = {Status.FAIL: 3, Status.WARNING: 2, Status.ERROR: 1, Status.OK: 0}


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The overall colour of several checks; OK when there are none."""
    return max(statuses, key=SEVERITY.__getitem__, default=Status.OK)


class CheckName(StrEnum):
    """Stable codes of the checks, one per clause of the regulation."""

    POSTING = "posting"  # 2.1, 2.3
    DESCRIPTION = "description"  # 2.4
    MANAGERS = "managers"  # 1.6
    SITE_LINK = "site_link"  # 1.4.5
    ADDRESS = "address"  # 3.2, 3.3


CLAUSES: dict[CheckName, str] = {
    CheckName.POSTING: "2.1",
    CheckName.DESCRIPTION: "2.4",
    CheckName.MANAGERS: "1.6",
    CheckName.SITE_LINK: "1.4.5",
    CheckName.ADDRESS: "3.2",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One precise deviation: which field, what the registry expects, what the page shows, how to fix it.

    `kind` is one of: missing, differs, exceeds, behind, late, unreachable, changed.
    """

    field: str
    kind: str
    fix: str
    expected: str | None = None
    found: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check of one page at one moment; stored with history, never updated in place."""

    page_key: str
    check: CheckName
    status: Status
    summary: str
    checked_at: datetime
    problems: tuple[Problem, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def missing_fields(self) -> tuple[str, ...]:
        return tuple(p.field for p in self.problems if p.kind == "missing")


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian agreement for summaries: 1 публикация, 3 публикации, 5 публикаций, 21 публикация."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def posts_word(n: int) -> str:
    return f"{n} {plural(n, 'публикация', 'публикации', 'публикаций')}"
