"""Intake positions, in the caller's transaction: Telegram threads (the first answer sticks), VK long poll."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.intake import TelegramThreadRow, VkLongPollRow
from models.store_support import insert_ignoring_conflict, upsert
from models.tables import CommentRow, Cursor

ThreadPost = tuple[str, str | None, bool]  # post id, post text, whether the post is really known


def remember_thread(
    session: Session, chat_id: str, thread_id: str, channel_id: str, post: ThreadPost, now: datetime
) -> ThreadPost:
    """Store what a thread belongs to unless it is stored already, and return what is stored.

    The first answer sticks: a comment's key contains its post id, so a thread must map to the same post id
    for as long as any comment in it can be edited (an edit must find the comment it changes).
    """
    post_id, post_text, known = post
    values = {
        "chat_id": chat_id,
        "thread_id": thread_id,
        "channel_id": channel_id,
        "post_id": post_id,
        "post_text": post_text,
        "known": known,
        "created_at": now,
    }
    insert_ignoring_conflict(session, TelegramThreadRow, values)
    stored = find_thread(session, chat_id, thread_id)
    assert stored is not None
    return stored


def find_thread(session: Session, chat_id: str, thread_id: str) -> ThreadPost | None:
    """The post a discussion thread belongs to, if the thread was ever seen."""
    row = session.get(TelegramThreadRow, (chat_id, thread_id))
    return (row.post_id, row.post_text, row.known) if row is not None else None


def vk_position(session: Session, group_id: str) -> tuple[str | None, datetime | None] | None:
    """(ts, synced_at) of a community's long poll, or None when it never ran.

    A page followed by an older release has only its comment-id cursor: no `ts`, but the cursor's last
    update says when the page was last current, so the first start after the upgrade catches up from then.
    """
    row = session.get(VkLongPollRow, group_id)
    if row is not None:
        return row.ts, row.synced_at
    legacy = session.get(Cursor, f"vk:{group_id}")
    return (None, legacy.updated_at) if legacy is not None else None


def save_vk_position(
    session: Session, group_id: str, ts: str | None, synced_at: datetime | None, now: datetime
) -> None:
    """Remember that every event up to `ts` is handled and the page was current at `synced_at`."""
    values = {"group_id": group_id, "ts": ts, "synced_at": synced_at, "updated_at": now}
    upsert(session, VkLongPollRow, values, ("group_id",))


def vk_positions(session: Session) -> list[tuple[str, str | None, datetime | None]]:
    """Every community's (group id, ts, synced_at), for the status command."""
    rows = session.exec(select(VkLongPollRow).order_by(col(VkLongPollRow.group_id))).all()
    return [(row.group_id, row.ts, row.synced_at) for row in rows]


def is_recorded(session: Session, key: str) -> bool:
    """True once a comment with this key is stored (decided or not)."""
    return session.exec(select(CommentRow.id).where(CommentRow.key == key)).first() is not None
