"""The moderation pipeline's tables: what came in, what was decided, what was done and who decided it.

Datetimes are SQLModel's UTCDateTime (aware UTC in and out on SQLite and PostgreSQL alike); structured details
are portable JSON columns. Constraint names are explicit so migrations compare cleanly on both databases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

# Plain-string column sizes: generous, but bounded so PostgreSQL and SQLite behave alike.
ID = 64
KEY = 300
SHORT = 32


class Post(SQLModel, table=True):
    """A page's publication, for the comment it answers and the weekly count."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("platform", "page_id", "post_id", name="uq_posts_platform_page_post"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=SHORT)
    page_id: str = Field(max_length=ID)
    post_id: str = Field(max_length=ID)
    text: str = ""
    kind: str = Field(default="text", max_length=SHORT)
    posted_at: datetime


class CommentRow(SQLModel, table=True):
    """An incoming comment, once per key; `revision` grows when an edit changes the text."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("key", name="uq_comments_key"),
        Index("ix_comments_author", "platform", "page_id", "author_id", "violation_at"),
        Index("ix_comments_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY)
    platform: str = Field(max_length=SHORT)
    page_id: str = Field(max_length=ID)
    post_id: str = Field(max_length=ID)
    comment_id: str = Field(max_length=ID)
    chat_id: str | None = Field(default=None, max_length=ID)
    author_id: str = Field(max_length=ID)
    author_name: str | None = Field(default=None, max_length=KEY)
    author_is_chat: bool = False
    text: str
    post_text: str | None = None
    created_at: datetime
    received_at: datetime
    status: str = Field(default="received", max_length=SHORT)
    revision: int = 1
    violation_at: datetime | None = None


class VerdictRow(SQLModel, table=True):
    """One decision about one revision of a comment, with every reason behind it."""

    __tablename__ = "verdicts"
    __table_args__ = (Index("ix_verdicts_comment", "comment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comments.id")
    revision: int = 1
    action: str = Field(max_length=SHORT)
    grounds: list[str] = Field(default_factory=list, sa_type=JSON)
    scores: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    decided_by: str = Field(max_length=SHORT)
    model_version: str | None = Field(default=None, max_length=ID)
    at: datetime


class ReviewCardRow(SQLModel, table=True):
    """A card in the moderators' queue; `message_ref` is set once it has been posted."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_status", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comments.id")
    verdict_id: int = Field(foreign_key="verdicts.id")
    message_ref: str | None = Field(default=None, max_length=KEY)
    status: str = Field(default="open", max_length=SHORT)
    auto_deleted: bool = False
    created_at: datetime
    decided_at: datetime | None = None


class DecisionRow(SQLModel, table=True):
    """A moderator's decision; one per card, so the second press on a card is refused by the database."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("card_id", name="uq_decisions_card"),)

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="review_cards.id")
    choice: str = Field(max_length=SHORT)
    moderator_id: str = Field(max_length=ID)
    moderator_name: str | None = Field(default=None, max_length=KEY)
    restrict_days: int | None = None
    at: datetime


class RestrictionRow(SQLModel, table=True):
    """A restriction of an author on a page: who set it, why, until when, and when it was lifted."""

    __tablename__ = "restrictions"
    __table_args__ = (Index("ix_restrictions_author", "platform", "page_id", "author_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=SHORT)
    page_id: str = Field(max_length=ID)
    author_id: str = Field(max_length=ID)
    author_is_chat: bool = False
    comment_id: int | None = Field(default=None, foreign_key="comments.id")
    ground: str = Field(max_length=SHORT)
    start: datetime
    until: datetime | None = None
    lifted_at: datetime | None = None
    by: str = Field(max_length=ID)
    notice: str | None = Field(default=None, max_length=KEY)  # the reason shown to the author (a VK ban's)


class ActionRow(SQLModel, table=True):
    """An intent to act, persisted before acting; the idempotency key makes enqueueing it twice a no-op."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_actions_idempotency_key"),
        Index("ix_actions_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=KEY)
    kind: str = Field(max_length=SHORT)
    status: str = Field(default="pending", max_length=SHORT)
    comment_id: int | None = Field(default=None, foreign_key="comments.id")
    restriction_id: int | None = Field(default=None, foreign_key="restrictions.id")
    card_id: int | None = Field(default=None, foreign_key="review_cards.id")
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=200)  # host:pid:nonce of the holding process
    last_error: str | None = None
    created_at: datetime
    updated_at: datetime


class Moderator(SQLModel, table=True):
    """A person allowed to press the buttons on review cards."""

    __tablename__ = "moderators"
    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_moderators_platform_user"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(default="telegram", max_length=SHORT)
    user_id: str = Field(max_length=ID)
    name: str | None = Field(default=None, max_length=KEY)
    active: bool = True


class Cursor(SQLModel, table=True):
    """Where a reader stopped (long-poll offsets, last seen comment), so a restart resumes, not replays."""

    __tablename__ = "cursors"

    key: str = Field(primary_key=True, max_length=KEY)
    value: str
    updated_at: datetime


class AuditEntry(SQLModel, table=True):
    """Who did what and when; details have personal data redacted before they get here."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=ID)
    event: str = Field(max_length=ID)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
