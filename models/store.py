"""The database behind the moderation pipeline: one Store over an Engine, implementing the core's protocols.

Each public method is one transaction run in a worker thread (synchronous SQLAlchemy via asyncio.to_thread),
so the event loop never blocks on the database. On SQLite, writes from this process are serialised by a lock:
SQLite has one writer anyway, and the lock turns "database is locked" surprises into plain waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import outbox, store_actions, store_comments, store_decisions, store_intake, store_undo
from models.store_support import audit, upsert
from models.tables import ActionRow, CommentRow, Cursor, ReviewCardRow
from moderation.daemon.outbox import SendRecord
from moderation.daemon.ports import DecisionRequest, IncomingComment, ReportRequest
from moderation.daemon.queue import LaneSpec, Owner, Settlement
from moderation.daemon.records import (
    ActionKind,
    ActionProblem,
    ActionStatus,
    CardInfo,
    CardStatus,
    DecidedBy,
    DecisionPlan,
    Plan,
    PriorDecision,
    QueuedAction,
    ReportInfo,
    StatusSummary,
)
from moderation.types import Platform, Verdict

T = TypeVar("T")


class Store:
    """Durable state of the pipeline: comments, verdicts, action queue, cards, decisions, cursors, audit."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()
        self.owner = Owner.current()  # the identity claims made through claim_due are held under

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        guard = self._lock if self._sqlite else contextlib.nullcontext()
        with guard, Session(self._engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def _run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        with self._session() as session:
            return fn(session, *args)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """One transaction in a worker thread: commit on return, roll back on any exception."""
        return await asyncio.to_thread(self._run_sync, fn, *args)

    @property
    def engine(self) -> Engine:
        return self._engine

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(session, *args)` as one transaction: for the store's companions (models.workbench)."""
        return await self._run(fn, *args)

    # comments and verdicts

    async def record_comment(self, comment: IncomingComment, now: datetime) -> int | None:
        """The revision of the comment to decide, or None for a redelivery of an already decided comment."""
        try:
            return await self._run(store_comments.record_comment, comment, now)
        except IntegrityError:
            return None  # stored concurrently by another worker, which decides it

    async def commit_verdict(
        self,
        key: str,
        revision: int,
        verdict: Verdict,
        decided_by: DecidedBy,
        model_version: str | None,
        plan: Plan,
        now: datetime,
    ) -> bool:
        """Record the verdict with all its intents atomically; False if this revision was decided already."""
        return await self._run(
            store_comments.commit_verdict, key, revision, verdict, decided_by, model_version, plan, now
        )

    async def count_violations(
        self, platform: Platform, page_id: str, author_id: str, since: datetime, exclude_key: str
    ) -> int:
        """Prior violations of an author on a page since a moment, not counting the comment being decided."""
        return await self._run(
            store_comments.count_violations, platform, page_id, author_id, since, exclude_key
        )

    async def undecided_comments(self, limit: int = 1000) -> list[IncomingComment]:
        """Comments recorded but not decided (the process stopped in between): decide them on start-up."""
        return await self._run(store_comments.undecided_comments, limit)

    async def record_post(
        self, platform: Platform, page_id: str, post_id: str, text: str, kind: str, posted_at: datetime
    ) -> None:
        """Remember a page's post (kept current: a second call updates text and kind)."""
        await self._run(store_comments.record_post, platform, page_id, post_id, text, kind, posted_at)

    async def post_text(self, platform: Platform, page_id: str, post_id: str) -> str | None:
        """The stored text of a post, if known."""
        return await self._run(store_comments.post_text, platform, page_id, post_id)

    # the action queue (moderation.daemon.queue.ActionQueue) and the outbox (moderation.daemon.outbox)

    async def claim(
        self, lane: LaneSpec | None, owner: Owner, now: datetime, limit: int, lease: timedelta
    ) -> list[QueuedAction]:
        """Due actions of a lane (None: any), running for `owner` under a lease, one attempt counted."""
        return await self._run(store_actions.claim, lane, owner, now, limit, lease)

    async def renew(self, action_ids: Sequence[int], owner: Owner, until: datetime) -> int:
        """Extend the lease of actions `owner` still holds; how many it still holds."""
        return await self._run(store_actions.renew, action_ids, owner, until)

    async def settle(self, settlements: Sequence[Settlement], now: datetime) -> int:
        """Record outcomes in one transaction; a claim no longer ours changes nothing."""
        return await self._run(store_actions.settle, settlements, now)

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedAction]:
        """Due actions of every lane, claimed for this store's own process identity."""
        return await self.claim(None, self.owner, now, limit, lease)

    async def complete(
        self, action_id: int, now: datetime, note: str | None = None, message_ref: str | None = None,
        attempt: int | None = None,
    ) -> bool:  # fmt: skip
        """Mark one claimed action done (the runner settles in batches; this is for tools and tests)."""
        if attempt is None:
            attempt = await self._run(store_actions.attempts_of, action_id)
        done = Settlement(action_id, attempt, ActionStatus.DONE, error=note, message_ref=message_ref)
        return await self.settle([done], now) == 1

    async def send_record(self, key: str) -> SendRecord | None:
        """The outbox entry of a send, if it was ever begun."""
        return await self._run(outbox.record, key)

    async def send_begin(
        self, key: str, chat_id: int, after_id: int | None, body: dict[str, Any], now: datetime
    ) -> None:
        """Record a send before it is made, with the last message id known in its chat."""
        await self._run(outbox.begin, key, chat_id, after_id, body, now)

    async def send_resolved(self, key: str, message_id: int, now: datetime) -> None:
        await self._run(outbox.resolve, key, message_id, now)

    async def send_progress(self, key: str, after_id: int, now: datetime) -> None:
        await self._run(outbox.progress, key, after_id, now)

    async def send_refused(self, key: str, now: datetime) -> None:
        await self._run(outbox.abandon, key, now)

    async def note_sent(self, chat_id: int, message_id: int, now: datetime) -> None:
        await self._run(outbox.note, chat_id, message_id, now)

    async def last_sent_id(self, chat_id: int) -> int | None:
        return await self._run(outbox.last_message_id, chat_id)

    async def known_sent_ids(self, chat_id: int, above: int) -> set[int]:
        return await self._run(outbox.known_ids, chat_id, above)

    # cards, decisions, moderators

    async def card_info(self, card_id: int, now: datetime, since: datetime | None = None) -> CardInfo | None:
        """A review card with its comment, machine verdict, the author's restrictions in force, its messages,
        and (with `since`) the author's other violations on the page since then."""
        return await self._run(store_decisions.card_info, card_id, now, since)

    async def record_decision(
        self, request: DecisionRequest, plan: DecisionPlan, now: datetime
    ) -> tuple[bool, PriorDecision | None]:
        """Record a moderator's decision and its actions, first press wins.

        Returns (True, None) when accepted; (False, the earlier decision) when someone was first;
        (False, None) when the card is gone or was closed without a decision (the comment was edited).
        """
        try:
            accepted = await self._run(store_decisions.record_decision, request, plan, now)
        except IntegrityError:
            accepted = False
        if accepted:
            return True, None
        return False, await self._run(store_decisions.prior_decision, request.card_id)

    async def undo_decision(self, card_id: int, request: DecisionRequest, now: datetime) -> int | None:
        """Take a card's decision back; the id of the card reopened in its place (None: nothing to undo)."""
        return await self._run(store_undo.undo_decision, card_id, request, now)

    async def report_info(self, report_id: int) -> ReportInfo | None:
        """A report of automatic deletions: its message, open items and acknowledgement."""
        return await self._run(store_undo.report_info, report_id)

    async def acknowledge_report(self, request: ReportRequest, now: datetime) -> bool:
        """Close a report's open automatic deletions (or take that back); False when the state changed."""
        return await self._run(store_undo.acknowledge_report, request, now)

    async def labelled_examples(self) -> list[dict[str, Any]]:
        """Moderators' decisions as {"text", "grounds", "action"} rows for `dozor train`."""
        return await self._run(store_decisions.labelled_examples)

    async def is_moderator(self, platform: Platform, user_id: str) -> bool:
        """True for an active moderator in the moderators table."""
        return await self._run(store_decisions.is_moderator, platform.value, user_id)

    async def set_moderator(
        self, platform: Platform, user_id: str, name: str | None = None, active: bool = True
    ) -> None:
        """Add or update a moderator."""
        await self._run(store_decisions.set_moderator, platform.value, user_id, name, active)

    # cursors, audit, status

    async def get_cursor(self, key: str) -> str | None:
        """Where a reader stopped, or None when it never ran."""
        return await self._run(_get_cursor, key)

    async def set_cursor(self, key: str, value: str, now: datetime) -> None:
        """Remember where a reader stopped."""
        await self._run(upsert, Cursor, {"key": key, "value": value, "updated_at": now}, ("key",))

    # intake positions

    async def remember_thread(
        self, chat_id: str, thread_id: str, channel_id: str, post: store_intake.ThreadPost, now: datetime
    ) -> store_intake.ThreadPost:
        """Tie a Telegram discussion thread to its channel post (the first answer sticks); what is stored."""
        return await self._run(store_intake.remember_thread, chat_id, thread_id, channel_id, post, now)

    async def find_thread(self, chat_id: str, thread_id: str) -> store_intake.ThreadPost | None:
        """The channel post a Telegram discussion thread belongs to, if ever seen."""
        return await self._run(store_intake.find_thread, chat_id, thread_id)

    async def vk_position(self, group_id: str) -> tuple[str | None, datetime | None] | None:
        """(ts, synced_at) of a VK community's long poll, or None when it never ran."""
        return await self._run(store_intake.vk_position, group_id)

    async def save_vk_position(
        self, group_id: str, ts: str | None, synced_at: datetime | None, now: datetime
    ) -> None:
        """Remember the long-poll position up to which every event is durably handled."""
        await self._run(store_intake.save_vk_position, group_id, ts, synced_at, now)

    async def vk_positions(self) -> list[tuple[str, str | None, datetime | None]]:
        """Every VK community's long-poll position, for the status command."""
        return await self._run(store_intake.vk_positions)

    async def is_recorded(self, key: str) -> bool:
        """True once the comment is stored, decided or not."""
        return await self._run(store_intake.is_recorded, key)

    async def audit(self, at: datetime, actor: str, event: str, details: dict[str, Any]) -> None:
        """Append to the audit log; personal data in details is redacted."""
        await self._run(audit, at, actor, event, details)

    async def status(self, problems_limit: int = 20) -> StatusSummary:
        """Open cards and the oldest one's age, queued, failed and parked actions with reasons, cursors."""
        return await self._run(_status, problems_limit)


def _get_cursor(session: Session, key: str) -> str | None:
    row = session.get(Cursor, key)
    return row.value if row is not None else None


def _comment_key(session: Session, comment_id: int | None) -> str | None:
    row = session.get(CommentRow, comment_id) if comment_id is not None else None
    return row.key if row is not None else None


def _count(session: Session, status: ActionStatus) -> int:
    return int(session.exec(select(func.count()).where(col(ActionRow.status) == status.value)).one())


def _status(session: Session, problems_limit: int) -> StatusSummary:
    is_open = col(ReviewCardRow.status) == CardStatus.OPEN.value
    waiting = select(func.count(), func.min(ReviewCardRow.created_at)).where(
        is_open, ~col(ReviewCardRow.auto_deleted)
    )
    count, oldest = session.exec(waiting).one()
    unacknowledged = session.exec(select(func.count()).where(is_open, col(ReviewCardRow.auto_deleted))).one()
    troubled = (ActionStatus.FAILED.value, ActionStatus.PARKED.value)
    rows = session.exec(
        select(ActionRow)
        .where(col(ActionRow.status).in_(troubled))
        .order_by(col(ActionRow.updated_at).desc())
    ).all()
    problems = tuple(
        ActionProblem(
            id=row.id or 0,
            kind=ActionKind(row.kind),
            status=ActionStatus(row.status),
            attempts=row.attempts,
            error=row.last_error or "",
            comment_key=_comment_key(session, row.comment_id),
        )
        for row in rows[:problems_limit]
    )
    cursors = {row.key: row.value for row in session.exec(select(Cursor)).all()}
    return StatusSummary(
        open_cards=int(count),
        oldest_open_card_at=oldest,
        pending_actions=_count(session, ActionStatus.PENDING) + _count(session, ActionStatus.RUNNING),
        parked_actions=_count(session, ActionStatus.PARKED),
        failed_actions=_count(session, ActionStatus.FAILED),
        problems=problems,
        cursors=cursors,
        unacknowledged_deletions=int(unacknowledged),
    )
