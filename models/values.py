"""Values stored by models/ and produced by monitor/: check results, posts, moderation figures.

Pure frozen values with no I/O; both packages import them from here, so storage never imports the monitor.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class PostKind(StrEnum):
    """Forms of publication named in clause 2.3."""

    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    POLL = "poll"
    LINK = "link"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Post:
    """One publication on a page; `kinds` is empty for plain text."""

    id: str
    published_at: datetime
    text: str = ""
    kinds: frozenset[PostKind] = frozenset()


@dataclass(frozen=True, slots=True)
class ModerationFigures:
    """Moderation over one period, all counts; grounds and choices by their stable codes."""

    comments_checked: int = 0
    deleted_by_ground: Mapping[str, int] = field(default_factory=dict)
    review_by_ground: Mapping[str, int] = field(default_factory=dict)
    decisions: Mapping[str, int] = field(default_factory=dict)
    overturned_auto_deletions: int = 0
    restrictions: int = 0
    waiting_cards: int = 0
    oldest_waiting_since: datetime | None = None

    @property
    def deleted(self) -> int:
        return sum(self.deleted_by_ground.values())

    @property
    def sent_to_review(self) -> int:
        return sum(self.review_by_ground.values())
