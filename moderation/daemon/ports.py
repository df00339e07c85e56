"""What the pipeline needs from the outside world, declared here by the consumer.

Platform adapters (bots/) and storage (models/) implement these protocols; the moderation core never imports
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from moderation.types import Ground, Platform, Verdict


@dataclass(frozen=True, slots=True)
class IncomingComment:
    """A comment as it arrives from a platform, translated at the edge.

    `page_id` is the platform's id of the page (VK: the community id as a positive string; Telegram: the
    channel chat id). `post_id` is the post the comment answers (Telegram: the channel post's message id).
    `chat_id` is where the comment physically lives when that differs from the page (Telegram: the linked
    discussion group).
    """

    platform: Platform
    page_id: str
    post_id: str
    comment_id: str
    author_id: str
    text: str
    created_at: datetime
    author_name: str | None = None
    post_text: str | None = None
    chat_id: str | None = None
    edited: bool = False
    author_is_chat: bool = False  # Telegram: posted on behalf of a channel (sender_chat)

    @property
    def key(self) -> str:
        """Stable identity across redeliveries: the same comment always has the same key."""
        return f"{self.platform.value}:{self.page_id}:{self.post_id}:{self.comment_id}"


@dataclass(frozen=True, slots=True)
class Restriction:
    """A restriction to apply to an author on one page; `until` None means permanent."""

    platform: Platform
    page_id: str
    author_id: str
    until: datetime | None
    ground: Ground
    comment: str = ""
    author_is_chat: bool = False


class PlatformError(Exception):
    """Root of the errors an adapter raises; adapters map every upstream error into one of these."""


class RateLimited(PlatformError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(PlatformError):
    """Network trouble, 5xx, flood control: worth retrying with backoff."""


class Forbidden(PlatformError):
    """The token lacks the right (wrong token kind, not an admin): retrying will not help."""


class NotFound(PlatformError):
    """The comment or user is gone already."""


class NotDeletable(PlatformError):
    """The platform refuses to delete it (Telegram: older than 48 hours)."""


class PlatformActions(Protocol):
    """Actions on one platform. Each is idempotent from the caller's point of view."""

    platform: Platform

    async def delete_comment(self, comment: IncomingComment) -> None: ...

    async def restore_comment(self, comment: IncomingComment) -> None: ...

    async def restrict(self, restriction: Restriction) -> None: ...

    async def lift_restriction(
        self, platform_page_id: str, author_id: str, author_is_chat: bool = False
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """What moderators see for one comment sent to review (or deleted automatically, for restore)."""

    card_id: int
    comment: IncomingComment
    verdict: Verdict
    auto_deleted: bool = False
    comment_url: str | None = None
    page_title: str | None = None


class ReviewQueue(Protocol):
    """The moderators' queue (a Telegram group with buttons)."""

    async def post_card(self, card: ReviewCard) -> str:
        """Show the card; return a reference (e.g. chat_id:message_id) to edit it later."""
        ...


class ModeratorChoice(StrEnum):
    """The buttons on a review card (and on the lines of a report of automatic deletions)."""

    KEEP = "keep"
    DELETE = "delete"
    DELETE_RESTRICT = "delete_restrict"
    RESTORE = "restore"
    LIFT = "lift"
    UNDO = "undo"  # take back the decision on a card (within the configured window) and reopen it


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """A moderator pressed a button."""

    card_id: int
    choice: ModeratorChoice
    moderator_id: str
    at: datetime
    restrict_days: int | None = None
    moderator_name: str | None = None
    message_ref: str | None = None  # `chat_id:message_id` of the message the button was on


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """A moderator acknowledged a report of automatic deletions (or took the acknowledgement back)."""

    report_id: int
    moderator_id: str
    at: datetime
    moderator_name: str | None = None
    message_ref: str | None = None
    undo: bool = False


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """What to tell the moderator who pressed, and how the card reads afterwards.

    `card_id` is the card to show afterwards (a reopened card is a new one), `report_id` the report whose
    message shows the card, when it is listed in one.
    """

    accepted: bool
    answer: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    card_id: int | None = None
    report_id: int | None = None


class DecisionHandler(Protocol):
    """Turns moderators' button presses into one recorded decision per card (the first one wins)."""

    async def is_moderator(self, user_id: str) -> bool: ...

    async def decide(self, request: DecisionRequest) -> DecisionOutcome: ...

    async def acknowledge(self, request: ReportRequest) -> DecisionOutcome: ...
