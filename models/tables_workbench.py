"""The moderators' workbench tables: reports of automatic deletions, what happened to each card, reminders.

Kept apart from the pipeline's tables (models/tables.py): they describe how the queue in Telegram is kept, not
what was decided about a comment. Datetimes are aware UTC, as everywhere in the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from models.tables import ID, KEY, SHORT


class CardReport(SQLModel, table=True):
    """One message in the moderators' chat listing a page's automatic deletions, with undo buttons."""

    __tablename__ = "card_reports"
    __table_args__ = (Index("ix_card_reports_page", "platform", "page_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=SHORT)
    page_id: str = Field(max_length=ID)
    message_ref: str | None = Field(default=None, max_length=KEY)
    created_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=ID)
    acknowledged_by_name: str | None = Field(default=None, max_length=KEY)


class ReportItem(SQLModel, table=True):
    """An automatic deletion's card listed in a report, at a position (its number in the message)."""

    __tablename__ = "report_items"
    __table_args__ = (Index("ix_report_items_report", "report_id", "position"),)

    card_id: int = Field(primary_key=True, foreign_key="review_cards.id")
    report_id: int = Field(foreign_key="card_reports.id")
    position: int


class CardEvent(SQLModel, table=True):
    """Something that happened to a card: decided (with the effects to take back), undone, closed.

    `details` of a decision hold the ids of the actions it queued and cancelled, the restrictions it marked
    lifted, and the author's violation mark before it, so that undoing it is exact.
    """

    __tablename__ = "card_events"
    __table_args__ = (Index("ix_card_events_card", "card_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="review_cards.id")
    kind: str = Field(max_length=SHORT)
    actor: str = Field(max_length=ID)
    actor_name: str | None = Field(default=None, max_length=KEY)
    at: datetime
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CardReminder(SQLModel, table=True):
    """When a waiting card was last brought up in the moderators' chat (claimed by one daemon at a time)."""

    __tablename__ = "card_reminders"

    card_id: int = Field(primary_key=True, foreign_key="review_cards.id")
    reminded_at: datetime
