"""Which channel post a discussion thread belongs to, kept across restarts.

Telegram says it once: the automatic forward of the channel post opens the thread in the discussion group. A
direct comment quotes that forward, but a reply to a comment quotes only the comment, so after a restart the
thread's post can be known only if it was stored. A thread never seen gets a stand-in post id (`thread-N`):
its comments are still recorded and moderated, and the stand-in sticks, because a comment's key contains its
post id and an edit must find the comment it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread's channel post (id and text, for off-topic checks); `known` False: a stand-in."""

    post_id: str
    post_text: str | None
    known: bool = True


def stand_in(thread_id: int) -> Thread:
    """The post of a thread whose automatic forward was never seen (it came before the bot, or was lost)."""
    return Thread(f"thread-{thread_id}", None, known=False)


class ThreadStore(Protocol):
    """Where threads are kept (the database, through dozor/); the first answer for a thread sticks."""

    async def find(self, chat_id: int, thread_id: int) -> Thread | None: ...

    async def remember(self, chat_id: int, thread_id: int, channel_id: int, thread: Thread) -> Thread:
        """Store `thread` unless one is stored for this thread already; return the stored one."""
        ...


class MemoryThreads:
    """A ThreadStore in a dict: for tests (a new one is a restart that lost the map)."""

    def __init__(self) -> None:
        self.values: dict[tuple[int, int], Thread] = {}

    async def find(self, chat_id: int, thread_id: int) -> Thread | None:
        return self.values.get((chat_id, thread_id))

    async def remember(self, chat_id: int, thread_id: int, channel_id: int, thread: Thread) -> Thread:
        return self.values.setdefault((chat_id, thread_id), thread)
