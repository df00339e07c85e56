"""What the moderators' workbench shows: a card with its context, a report of automatic deletions, a hit.

Plain frozen dataclasses: the store fills in what it knows (the author's record on the page, what happened to
the card), the platform adapters what only the platform knows (the author's name, the comment's and the
author's state now), and the Telegram side renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from moderation.daemon.ports import ModeratorChoice, ReviewCard
from moderation.daemon.records import CardInfo, CardStatus
from moderation.types import Ground, Platform


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote the comment, as the card names them: a name and a link to the profile when known."""

    name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """The author's past on this page: earlier deletions by ground, the last one, a restriction in force."""

    deletions: dict[Ground, int] = field(default_factory=dict)
    last_deletion_at: datetime | None = None
    restricted: bool = False
    restricted_until: datetime | None = None  # None while restricted: for ever

    @property
    def total(self) -> int:
        return sum(self.deletions.values())


class Source(StrEnum):
    """Where the state on a card comes from."""

    PLATFORM = "platform"  # read from VK or Telegram just now
    RECORDS = "records"  # our records (the platform cannot be asked, or did not answer)


@dataclass(frozen=True, slots=True)
class LiveState:
    """The comment's and the author's state: deleted or not, restricted until when; `pending` while actions
    are still under way."""

    comment_deleted: bool | None = None  # None: not known
    restricted: bool | None = None
    restricted_until: datetime | None = None
    source: Source = Source.RECORDS
    pending: bool = False


class EventKind(StrEnum):
    DECIDED = "decided"
    UNDONE = "undone"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of a card's history: who did what, when."""

    kind: EventKind
    at: datetime
    who: str
    choice: ModeratorChoice | None = None
    days: int | None = None


@dataclass(frozen=True, slots=True)
class CardView:
    """A card with everything it shows and which buttons apply now.

    `policy_days`: what «Удалить» costs the author by the escalation rules (0: the comment only), given
    `prior_violations` within the rules' window;
    `undo_until`: the decision can be taken back until then; `position`: its number in a report.
    """

    card: ReviewCard
    status: CardStatus
    author: Author = Author()
    record: AuthorRecord = AuthorRecord()
    state: LiveState = LiveState()
    history: tuple[HistoryEntry, ...] = ()
    policy_days: int = 0
    prior_violations: int = 0
    restrict_days: tuple[int, ...] = (1, 7, 30)
    undo_until: datetime | None = None
    can_restore: bool = False
    can_lift: bool = False
    message_ref: str | None = None
    report_id: int | None = None
    position: int | None = None
    now: datetime | None = None

    @property
    def card_id(self) -> int:
        return self.card.card_id

    @property
    def can_undo(self) -> bool:
        return self.undo_until is not None and (self.now is None or self.now < self.undo_until)


@dataclass(frozen=True, slots=True)
class CardFacts:
    """What the store knows of a card: the decision handler's view of it and the card as far as records go."""

    info: CardInfo
    view: CardView


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report of a page's automatic deletions: the listed cards and its acknowledgement."""

    report_id: int
    platform: Platform
    page_id: str
    items: tuple[CardView, ...]
    created_at: datetime
    page_title: str | None = None
    message_ref: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    undo_until: datetime | None = None
    now: datetime | None = None
    detailed: int = 10  # items shown one by one with their buttons; the rest summed up by ground

    @property
    def open_items(self) -> int:
        return sum(1 for item in self.items if item.status is CardStatus.OPEN)

    @property
    def can_undo(self) -> bool:
        return self.undo_until is not None and (self.now is None or self.now < self.undo_until)


class Outcome(StrEnum):
    """What became of a comment, for search results and an author's history."""

    KEPT = "kept"
    DELETED = "deleted"
    RESTORED = "restored"
    WAITING = "waiting"  # a card waits for a moderator
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class FoundComment:
    """A comment found by /find or listed by /history."""

    platform: Platform
    page_id: str
    author_id: str
    author_name: str | None
    text: str
    created_at: datetime
    outcome: Outcome
    grounds: tuple[Ground, ...] = ()
    card_ref: str | None = None  # the message of its card or report in the moderators' chat


@dataclass(frozen=True, slots=True)
class AuthorHistory:
    """Everything about one author for /history: their record on each page and their latest comments."""

    author_id: str
    platform: Platform | None
    name: str | None
    records: dict[tuple[Platform, str], AuthorRecord]
    comments: tuple[FoundComment, ...]
