"""Performing a lane's claimed actions: one call each, or batched where the adapter can, every call timed.

What each outcome means for the queue is decided here: done (or already gone), failed for good, retried with
backoff and parked when retries run out, or put back unattempted when the platform says to wait (a rate limit
is never a failure: it neither counts as an attempt nor parks anything).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast, runtime_checkable

from moderation.config import RetryPolicy
from moderation.daemon.ports import (
    Forbidden,
    IncomingComment,
    NotDeletable,
    NotFound,
    PlatformActions,
    PlatformError,
    RateLimited,
    Restriction,
    ReviewQueue,
    TransientError,
)
from moderation.daemon.queue import PLATFORM_KINDS, Settlement
from moderation.daemon.records import WORKBENCH_KINDS, ActionKind, ActionStatus, QueuedAction
from moderation.types import Platform

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Record = Callable[[list[Settlement]], Awaitable[None]]
Outcome = str | None | BaseException  # a card's message reference, None (done) or what went wrong
ERROR_LIMIT = 500
#: Posting a card or a report may take several requests (the author's name, finding a send whose answer was
#: lost), each timed by the sender; so may redrawing a card (the platform's state) or a notice.
CARD_TIMEOUT_FACTOR = 6
#: A notice to an author is sent at most once: an outcome that may have reached the author is not retried.
NOTICE_NOT_REPEATED = "исход неизвестен: уведомление не повторяется"


@dataclass(frozen=True, slots=True)
class PlatformOp:
    """One action on a platform as an adapter batches it (DELETE, RESTORE, RESTRICT or LIFT)."""

    kind: ActionKind
    comment: IncomingComment | None = None
    restriction: Restriction | None = None


class BatchingActions(Protocol):
    """An adapter that performs many actions in few requests (VK `execute`, Telegram `deleteMessages`).

    `perform_batch` answers one outcome per op, in order: None when done, else the PlatformError; ops it did
    not attempt because the platform said to wait carry that RateLimited. Each request is bounded by
    `timeout`.
    """

    batch_limit: int

    async def perform_batch(
        self, ops: Sequence[PlatformOp], timeout: float
    ) -> list[PlatformError | None]: ...


@runtime_checkable
class Workbench(Protocol):
    """A review queue that also keeps the moderators' workbench: reports of automatic deletions, cards
    redrawn after a decision's actions ran, notices to authors (ActionKind REPORT, REFRESH, NOTICE).

    `perform` returns the message reference of what it posted (a report), or None; it raises the
    PlatformError subclasses as adapters do (a RateLimited is waited out by the lane).
    """

    async def perform(self, item: QueuedAction) -> str | None: ...


class Unperformable(Exception):
    """The action lacks what it needs (no adapter for its platform, its comment is gone from the database)."""


def describe(error: BaseException) -> str:
    """A short reason for the status command: the error class and message, bounded in length."""
    return f"{type(error).__name__}: {error}"[:ERROR_LIMIT]


class Performer:
    """Performs claimed actions and turns each outcome into a Settlement for the queue."""

    def __init__(
        self,
        actions: Mapping[Platform, PlatformActions],
        review: ReviewQueue,
        policy: RetryPolicy,
        clock: Clock,
    ) -> None:
        self._actions = dict(actions)
        self._review = review
        self._policy = policy
        self._clock = clock

    async def perform(self, batch: Sequence[QueuedAction], record: Record) -> datetime | None:
        """Perform a claimed batch, recording outcomes chunk by chunk; when to resume if rate limited."""
        resume_at: datetime | None = None
        for chunk in self._chunks(batch):
            if resume_at is not None:
                await record([self._later(item, resume_at) for item in chunk])
                continue
            outcomes = await self._run_chunk(chunk)
            limited = [o.retry_after for o in outcomes if isinstance(o, RateLimited)]
            if limited:
                resume_at = self._clock() + timedelta(seconds=max(max(limited), 0.0))
            await record(
                [
                    self._settlement(item, outcome, resume_at)
                    for item, outcome in zip(chunk, outcomes, strict=True)
                ]
            )
        return resume_at

    def _chunks(self, batch: Sequence[QueuedAction]) -> list[list[QueuedAction]]:
        """Consecutive actions for one batching adapter go together (up to its limit); the rest alone."""
        chunks: list[list[QueuedAction]] = []
        for item in batch:
            adapter = self._batching(item)
            last = chunks[-1] if chunks else None
            if (
                adapter is not None
                and last is not None
                and self._batching(last[0]) is adapter
                and len(last) < max(adapter.batch_limit, 1)
            ):
                last.append(item)
            else:
                chunks.append([item])
        return chunks

    def _batching(self, item: QueuedAction) -> BatchingActions | None:
        """The batching adapter for a platform action that has what it needs; None for anything else."""
        try:
            _op(item)
        except Unperformable:
            return None
        platform = _platform(item)
        adapter = self._actions.get(platform) if platform is not None else None
        if adapter is None or not callable(getattr(adapter, "perform_batch", None)):
            return None
        return cast(BatchingActions, adapter)  # checked structurally just above

    async def _run_chunk(self, chunk: list[QueuedAction]) -> list[Outcome]:
        timeout = self._policy.call_timeout_seconds
        adapter = self._batching(chunk[0])
        if adapter is None:
            return [await self._single(chunk[0], timeout)]
        ops = [_op(item) for item in chunk]
        try:
            results = await asyncio.wait_for(adapter.perform_batch(ops, timeout), timeout * (len(ops) + 1))
        except TimeoutError:
            return [TransientError(f"no answer within {timeout:g} s") for _ in chunk]
        except Exception as error:  # the adapter failed as a whole: every op shares the outcome
            return [error for _ in chunk]
        if len(results) != len(chunk):
            return [PlatformError("the adapter answered a batch out of shape") for _ in chunk]
        return list(results)

    async def _single(self, item: QueuedAction, timeout: float) -> Outcome:
        limit = timeout if item.kind in PLATFORM_KINDS else timeout * CARD_TIMEOUT_FACTOR
        try:
            return await asyncio.wait_for(self._perform_one(item), limit)
        except TimeoutError:
            return TransientError(f"no answer within {limit:g} s")
        except Exception as error:
            return error

    async def _perform_one(self, item: QueuedAction) -> str | None:
        """The one platform (or review queue) call behind an action; a card returns its message reference."""
        if item.kind is ActionKind.CARD:
            if item.card is None:
                raise Unperformable("the card or its comment is missing from the database")
            return await self._review.post_card(item.card)
        if item.kind in WORKBENCH_KINDS:
            if not isinstance(self._review, Workbench):
                raise Unperformable(f"no moderators' workbench to perform {item.kind.value}")
            return await self._review.perform(item)
        op = _op(item)
        adapter = self._adapter(_platform(item))
        if op.kind is ActionKind.DELETE and op.comment is not None:
            await adapter.delete_comment(op.comment)
        elif op.kind is ActionKind.RESTORE and op.comment is not None:
            await adapter.restore_comment(op.comment)
        elif op.kind is ActionKind.RESTRICT and op.restriction is not None:
            await adapter.restrict(op.restriction)
        elif op.restriction is not None:
            r = op.restriction
            await adapter.lift_restriction(r.page_id, r.author_id, r.author_is_chat)
        return None

    def _adapter(self, platform: Platform | None) -> PlatformActions:
        adapter = self._actions.get(platform) if platform is not None else None
        if adapter is None:
            name = platform.value if platform is not None else "an unknown platform"
            raise Unperformable(f"no adapter configured for {name}")
        return adapter

    def _later(self, item: QueuedAction, at: datetime) -> Settlement:
        """Not attempted: back to the queue without counting the attempt."""
        return Settlement(item.id, item.attempts, ActionStatus.PENDING, at=at, counted=False)

    def _settlement(self, item: QueuedAction, outcome: Outcome, resume_at: datetime | None) -> Settlement:
        """What the queue records for one outcome."""
        if outcome is None or isinstance(outcome, str):
            return Settlement(item.id, item.attempts, ActionStatus.DONE, message_ref=outcome)
        if isinstance(outcome, RateLimited):
            return self._later(item, resume_at or self._clock())
        if isinstance(outcome, NotFound):
            note = f"already gone: {describe(outcome)}"
            return Settlement(item.id, item.attempts, ActionStatus.DONE, error=note)
        if isinstance(outcome, Forbidden | NotDeletable | Unperformable):
            log.warning("action %s (%s) failed for good: %s", item.id, item.kind.value, describe(outcome))
            return Settlement(item.id, item.attempts, ActionStatus.FAILED, error=describe(outcome))
        if item.kind is ActionKind.NOTICE and isinstance(outcome, TransientError):
            # No answer or a failed answer: the author may have the notice already; never a second copy.
            note = f"{NOTICE_NOT_REPEATED}: {describe(outcome)}"
            return Settlement(item.id, item.attempts, ActionStatus.DONE, error=note[:ERROR_LIMIT])
        if not isinstance(outcome, TransientError):
            log.warning("action %s (%s) raised unexpectedly: %s", item.id, item.kind.value, describe(outcome))
        return self._retry_or_park(item, describe(outcome))

    def _retry_or_park(self, item: QueuedAction, error: str) -> Settlement:
        if self._policy.exhausted(item.attempts):
            log.warning(
                "action %s (%s) parked after %d attempts: %s", item.id, item.kind.value, item.attempts, error
            )
            return Settlement(item.id, item.attempts, ActionStatus.PARKED, error=error)
        at = self._clock() + self._policy.backoff(item.attempts)
        return Settlement(item.id, item.attempts, ActionStatus.PENDING, at=at, error=error)


def _platform(item: QueuedAction) -> Platform | None:
    if item.comment is not None and item.kind in (ActionKind.DELETE, ActionKind.RESTORE):
        return item.comment.platform
    if item.restriction is not None:
        return item.restriction.platform
    return None


def _op(item: QueuedAction) -> PlatformOp:
    """The platform operation behind an action, or Unperformable when its record is gone."""
    if item.kind in (ActionKind.DELETE, ActionKind.RESTORE):
        if item.comment is None:
            raise Unperformable("the comment is missing from the database")
        return PlatformOp(item.kind, comment=item.comment)
    if item.kind in (ActionKind.RESTRICT, ActionKind.LIFT):
        if item.restriction is None:
            raise Unperformable("the restriction is missing from the database")
        return PlatformOp(item.kind, restriction=item.restriction)
    raise Unperformable(f"{item.kind.value} is not a platform action")
