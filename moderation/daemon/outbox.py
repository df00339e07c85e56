"""Posting a message exactly once on a platform without idempotency keys: the record and its journal port.

The sender (bots/telegram/sending.py) declares what it needs from storage here, below models/, so the store
can implement it without either side importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class SendState(StrEnum):
    """sending: begun, outcome unknown; sent: its message id is known; refused: nothing was posted."""

    SENDING = "sending"
    SENT = "sent"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SendRecord:
    """A send as the outbox remembers it; `body` (text, buttons) is kept only while the outcome is unknown."""

    key: str
    chat_id: int
    state: SendState
    message_id: int | None = None
    after_id: int | None = None
    body: dict[str, Any] | None = None


class SendJournal(Protocol):
    """The durable outbox (models.store.Store implements it)."""

    async def send_record(self, key: str) -> SendRecord | None: ...

    async def send_begin(
        self, key: str, chat_id: int, after_id: int | None, body: dict[str, Any], now: datetime
    ) -> None: ...

    async def send_resolved(self, key: str, message_id: int, now: datetime) -> None: ...

    async def send_progress(self, key: str, after_id: int, now: datetime) -> None: ...

    async def send_refused(self, key: str, now: datetime) -> None: ...

    async def note_sent(self, chat_id: int, message_id: int, now: datetime) -> None: ...

    async def last_sent_id(self, chat_id: int) -> int | None: ...

    async def known_sent_ids(self, chat_id: int, above: int) -> set[int]: ...
