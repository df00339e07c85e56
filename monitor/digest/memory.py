"""In-memory ModerationStats and DigestSender for tests and the demo; the real ones live with storage/bots."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from models.values import ModerationFigures


@dataclass(frozen=True)
class ModerationEvent:
    """One thing that happened in moderation.

    kind: checked, deleted, review, decision, overturned, restricted, waiting (an open card posted at `at`).
    """

    kind: str
    at: datetime
    code: str = ""


@dataclass
class InMemoryModerationStats:
    events: list[ModerationEvent] = field(default_factory=list)

    def add(self, kind: str, at: datetime, code: str = "", times: int = 1) -> None:
        self.events.extend(ModerationEvent(kind, at, code) for _ in range(times))

    async def figures(self, since: datetime, until: datetime) -> ModerationFigures:
        inside = [e for e in self.events if since <= e.at < until]
        waiting = [e.at for e in self.events if e.kind == "waiting" and e.at < until]
        return ModerationFigures(
            comments_checked=sum(1 for e in inside if e.kind == "checked"),
            deleted_by_ground=dict(Counter(e.code for e in inside if e.kind == "deleted")),
            review_by_ground=dict(Counter(e.code for e in inside if e.kind == "review")),
            decisions=dict(Counter(e.code for e in inside if e.kind == "decision")),
            overturned_auto_deletions=sum(1 for e in inside if e.kind == "overturned"),
            restrictions=sum(1 for e in inside if e.kind == "restricted"),
            waiting_cards=len(waiting),
            oldest_waiting_since=min(waiting, default=None),
        )


@dataclass
class RecordingSender:
    """DigestSender that keeps what it was asked to send."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    documents: list[tuple[str, str, bytes, str]] = field(default_factory=list)

    async def send_message(self, chat_id: str, html_text: str) -> None:
        self.messages.append((chat_id, html_text))

    async def send_document(self, chat_id: str, filename: str, content: bytes, caption: str = "") -> None:
        self.documents.append((chat_id, filename, content, caption))
