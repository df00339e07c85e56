"""The moderators' workbench over the database: card and report facts, reports' timing, keeping the queue,
the chat commands' searches and the week's figures. Every call is one transaction of the pipeline's Store (its
lock and its engine), so the workbench never races the pipeline on SQLite.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models import stats, store_cards, store_search
from models.store import Store
from models.store_cards import ReportFacts
from models.store_comments import enqueue
from models.tables import ActionRow, CommentRow, VerdictRow
from models.values import ModerationFigures
from moderation.daemon.records import ActionKind, DecidedBy
from moderation.daemon.views import AuthorHistory, CardFacts, FoundComment
from moderation.types import Ground, Platform


class WorkbenchStore:
    """What the workbench (dozor.cards) reads and writes, over the pipeline's Store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def card_facts(self, card_id: int, now: datetime, since: datetime | None) -> CardFacts | None:
        return await self.store.run(store_cards.card_facts, card_id, now, since)

    async def report_facts(self, report_id: int, now: datetime, since: datetime | None) -> ReportFacts | None:
        return await self.store.run(store_cards.report_facts, report_id, now, since)

    async def settled(self, card_id: int, now: datetime) -> bool:
        return await self.store.run(store_cards.settled, card_id, now)

    async def report_due(
        self, platform: Platform, page_id: str, interval: timedelta, gather: timedelta
    ) -> datetime | None:
        return await self.store.run(store_cards.report_due, platform.value, page_id, interval, gather)

    async def open_report(self, platform: Platform, page_id: str, now: datetime, limit: int) -> int | None:
        return await self.store.run(store_cards.open_report, platform.value, page_id, now, limit)

    async def set_report_message(self, report_id: int, message_ref: str) -> None:
        await self.store.run(store_cards.set_report_message, report_id, message_ref)

    async def unreported_count(self, platform: Platform, page_id: str) -> int:
        return await self.store.run(store_cards.unreported_count, platform.value, page_id)

    async def cards_waiting_to_be_posted(self) -> int:
        return await self.store.run(store_cards.cards_waiting_to_be_posted)

    async def requeue(
        self,
        key: str,
        kind: ActionKind,
        at: datetime,
        *,
        comment_id: int | None = None,
        card_id: int | None = None,
        restriction_id: int | None = None,
    ) -> bool:
        """Queue a workbench action for later (a report that must wait, a refresh before its actions ran)."""
        return await self.store.run(_enqueue_at, key, kind, at, comment_id, card_id, restriction_id)

    async def comment_row_id(self, comment_key: str) -> int | None:
        return await self.store.run(_comment_row_id, comment_key)

    async def close_stale_deletions(self, now: datetime, older_than: datetime) -> list[int]:
        return await self.store.run(store_cards.close_stale_deletions, now, older_than)

    async def seal_expired_undo(self, now: datetime, window: timedelta) -> int:
        return await self.store.run(store_cards.seal_expired_undo, now, window)

    async def claim_reminders(
        self, now: datetime, every: timedelta
    ) -> list[tuple[int, str | None, datetime]]:
        return await self.store.run(store_cards.claim_reminders, now, every)

    async def find(self, query: str, limit: int) -> list[FoundComment]:
        return await self.store.run(store_search.find_comments, query, limit)

    async def author_ids(self, query: str) -> list[tuple[str, str, str | None]]:
        return await self.store.run(store_search.author_ids, query)

    async def author_history(self, platform: str, author_id: str, now: datetime, limit: int) -> AuthorHistory:
        return await self.store.run(store_search.author_history, platform, author_id, now, limit)

    async def week(self, since: datetime, until: datetime) -> ModerationFigures:
        return await asyncio.to_thread(stats.figures, self.store.engine, since, until)

    async def restrict_outcome(self, restriction_id: int) -> str | None:
        """The status of the action that applies a restriction (done, failed, pending...), None if none."""
        return await self.store.run(_restrict_outcome, restriction_id)

    async def main_ground(self, comment_key: str) -> Ground | None:
        return await self.store.run(_main_ground, comment_key)


def _enqueue_at(
    session: Session,
    key: str,
    kind: ActionKind,
    at: datetime,
    comment_id: int | None,
    card_id: int | None,
    restriction_id: int | None,
) -> bool:
    return enqueue(
        session, key, kind, at, comment_id=comment_id, card_id=card_id, restriction_id=restriction_id
    )


def _comment_row_id(session: Session, comment_key: str) -> int | None:
    return session.exec(select(CommentRow.id).where(CommentRow.key == comment_key)).first()


def _restrict_outcome(session: Session, restriction_id: int) -> str | None:
    stmt = (
        select(ActionRow.status)
        .where(ActionRow.restriction_id == restriction_id, ActionRow.kind == ActionKind.RESTRICT.value)
        .order_by(col(ActionRow.id).desc())
    )
    return session.exec(stmt).first()


def _main_ground(session: Session, comment_key: str) -> Ground | None:
    stmt = (
        select(VerdictRow)
        .join(CommentRow, col(CommentRow.id) == col(VerdictRow.comment_id))
        .where(CommentRow.key == comment_key, VerdictRow.decided_by != DecidedBy.MODERATOR.value)
        .order_by(col(VerdictRow.id).desc())
    )
    verdict = session.exec(stmt).first()
    if verdict is None or not verdict.grounds:
        return None
    return Ground(max(verdict.grounds, key=lambda g: verdict.scores.get(g, 0.0)))
