"""Where each intake stopped, so that a restart resumes instead of losing or guessing.

Telegram's discussion threads: which channel post a thread in a discussion group belongs to (the automatic
forward that tells it is seen once, when the post is published, so it must outlive the process). VK's Bots
Long Poll position: the `ts` up to which every event has been durably handled, and when that was, for
catch-up when VK no longer has the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.tables import ID


class TelegramThreadRow(SQLModel, table=True):
    """A discussion thread and the channel post it hangs off; `known` False: the post was never seen."""

    __tablename__ = "telegram_threads"

    chat_id: str = Field(primary_key=True, max_length=ID)
    thread_id: str = Field(primary_key=True, max_length=ID)
    channel_id: str = Field(max_length=ID)
    post_id: str = Field(max_length=ID)
    post_text: str | None = None
    known: bool = True
    created_at: datetime


class VkLongPollRow(SQLModel, table=True):
    """A VK community's long-poll position: events up to `ts` are handled; the page was current at
    `synced_at`."""

    __tablename__ = "vk_longpoll_state"

    group_id: str = Field(primary_key=True, max_length=ID)
    ts: str | None = Field(default=None, max_length=ID)
    synced_at: datetime | None = None
    updated_at: datetime
