"""The outbox of messages Dozor posts (review cards): each send is recorded before it is made.

The Bot API has no idempotency key and cannot list a chat's history, so a send whose answer was lost (the
process killed, a timeout) leaves an unknown outcome. The row records the last message id known in the chat
before the send and the exact text and buttons sent; the sender then probes the ids after it to find the
message instead of posting it twice (bots/telegram/sending.py). Rows without a key are messages the bot was
seen to post in the chat by other means, so that probing never touches them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.store_support import insert_ignoring_conflict
from moderation.daemon.outbox import SendRecord, SendState

ID = 64
KEY = 300
SHORT = 32


class SentMessageRow(SQLModel, table=True):
    """One message posted (or being posted) to a chat; `body` is kept only while the outcome is unknown."""

    __tablename__ = "sent_messages"
    __table_args__ = (
        UniqueConstraint("send_key", name="uq_sent_messages_send_key"),
        Index("ix_sent_messages_chat_message", "chat_id", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    send_key: str | None = Field(default=None, max_length=KEY)
    chat_id: str = Field(max_length=ID)
    message_id: int | None = None
    after_id: int | None = None
    state: str = Field(max_length=SHORT)
    body: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime
    updated_at: datetime


def record(session: Session, key: str) -> SendRecord | None:
    """The outbox entry of a send, if it was ever begun."""
    row = session.exec(select(SentMessageRow).where(col(SentMessageRow.send_key) == key)).first()
    if row is None:
        return None
    return SendRecord(
        key=key,
        chat_id=int(row.chat_id),
        state=SendState(row.state),
        message_id=row.message_id,
        after_id=row.after_id,
        body=dict(row.body) if row.body is not None else None,
    )


def begin(
    session: Session, key: str, chat_id: int, after_id: int | None, body: Mapping[str, Any], now: datetime
) -> None:
    """Record that a send is about to be made (a second begin of the same key starts it over)."""
    values = {
        "chat_id": str(chat_id),
        "after_id": after_id,
        "state": SendState.SENDING.value,
        "body": dict(body),
    }
    if not insert_ignoring_conflict(
        session, SentMessageRow, {"send_key": key, "created_at": now, "updated_at": now, **values}
    ):
        session.connection().execute(
            update(SentMessageRow)
            .where(col(SentMessageRow.send_key) == key)
            .values(message_id=None, updated_at=now, **values)
        )


def resolve(session: Session, key: str, message_id: int, now: datetime) -> None:
    """The send is known to have produced `message_id`; its text is no longer needed (it holds a comment)."""
    session.connection().execute(
        update(SentMessageRow)
        .where(col(SentMessageRow.send_key) == key)
        .values(message_id=message_id, state=SendState.SENT.value, body=None, updated_at=now)
    )


def progress(session: Session, key: str, after_id: int, now: datetime) -> None:
    """Ids up to `after_id` were looked at and hold no message of this send: a later search starts after."""
    session.connection().execute(
        update(SentMessageRow)
        .where(col(SentMessageRow.send_key) == key, col(SentMessageRow.state) == SendState.SENDING.value)
        .values(after_id=after_id, updated_at=now)
    )


def abandon(session: Session, key: str, now: datetime) -> None:
    """The platform refused the send, so nothing was posted and nothing needs finding."""
    session.connection().execute(
        update(SentMessageRow)
        .where(col(SentMessageRow.send_key) == key, col(SentMessageRow.state) == SendState.SENDING.value)
        .values(state=SendState.REFUSED.value, body=None, updated_at=now)
    )


def note(session: Session, chat_id: int, message_id: int, now: datetime) -> None:
    """Remember a message the bot posted in the chat by other means (the digest, a command's answer)."""
    session.add(
        SentMessageRow(
            chat_id=str(chat_id),
            message_id=message_id,
            state=SendState.SENT.value,
            created_at=now,
            updated_at=now,
        )
    )


def last_message_id(session: Session, chat_id: int) -> int | None:
    """The highest message id the bot is known to have posted in the chat."""
    found = session.exec(
        select(func.max(SentMessageRow.message_id)).where(col(SentMessageRow.chat_id) == str(chat_id))
    ).one()
    return int(found) if found is not None else None


def known_ids(session: Session, chat_id: int, above: int) -> set[int]:
    """Ids above `above` the bot is known to have posted in the chat: never to be probed."""
    rows = session.exec(
        select(SentMessageRow.message_id).where(
            col(SentMessageRow.chat_id) == str(chat_id), col(SentMessageRow.message_id) > above
        )
    ).all()
    return {int(found) for found in rows if found is not None}


def forget_bodies(session: Session, cutoff: datetime) -> int:
    """Drop the kept text of sends begun before `cutoff` and never resolved (a card's text quotes a comment):
    retention keeps no comment text longer than the configured period, here either."""
    result = session.connection().execute(
        update(SentMessageRow)
        .where(col(SentMessageRow.updated_at) < cutoff, col(SentMessageRow.body).is_not(None))
        .values(body=None)
    )
    return int(getattr(result, "rowcount", 0))
