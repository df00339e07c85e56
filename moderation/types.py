"""The shared vocabulary of the moderation core: comments in, verdicts out.

Small frozen dataclasses with no I/O. Platform adapters translate into them at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Platform(StrEnum):
    VK = "vk"
    TELEGRAM = "telegram"


class Ground(StrEnum):
    """Deletion grounds of clause 2.5, by their stable codes (see REQUIREMENTS.md)."""

    LAW_VIOLATION = "law_violation"
    SPAM = "spam"
    UNVERIFIED_CLAIM = "unverified_claim"
    OBSCENITY = "obscenity"
    OFF_TOPIC = "off_topic"
    ADVERTISING = "advertising"
    PERSONAL_DATA = "personal_data"
    ENGAGEMENT_REQUEST = "engagement_request"
    DEFAMATION = "defamation"
    PROVOCATION = "provocation"


ALL_GROUNDS: tuple[Ground, ...] = tuple(Ground)


class Action(StrEnum):
    """What the policy decides for a comment."""

    KEEP = "keep"
    REVIEW = "review"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment to decide, with the text of the post it answers when known."""

    id: str
    text: str
    post_text: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) in the ORIGINAL comment text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One named reason: which rule (or model) saw which ground, how strongly, and where."""

    rule: str
    ground: Ground
    score: float
    spans: tuple[Span, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision for one comment with every reason behind it."""

    comment_id: str
    action: Action
    grounds: tuple[Ground, ...]
    scores: dict[Ground, float] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
