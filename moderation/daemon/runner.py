"""Performs queued actions on the platforms and in the moderators' queue, with retries.

Intents are persisted before this runs (see pipeline.py), so a crash loses nothing: a claimed action whose
runner died is claimed again once its lease runs out. Platform calls are idempotent from our side (deleting
a deleted comment is NotFound, which counts as done), so the rare repeat after a crash mid-call is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from moderation.config import RetryPolicy
from moderation.daemon.ports import (
    Forbidden,
    NotDeletable,
    NotFound,
    PlatformActions,
    RateLimited,
    ReviewQueue,
    TransientError,
)
from moderation.daemon.records import WORKBENCH_KINDS, ActionKind, ActionStatus, QueuedAction
from moderation.types import Platform

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ERROR_LIMIT = 500
REVIEW_TARGET = "review"


def utc_now() -> datetime:
    return datetime.now(UTC)


class ActionQueue(Protocol):
    """The durable queue of intents, as the runner uses it."""

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedAction]: ...

    async def complete(
        self,
        action_id: int,
        now: datetime,
        note: str | None = None,
        message_ref: str | None = None,
        attempt: int | None = None,
    ) -> bool: ...

    async def reschedule(
        self, action_id: int, at: datetime, error: str, now: datetime, attempt: int | None = None
    ) -> bool: ...

    async def defer(
        self, action_id: int, at: datetime, now: datetime, attempt: int | None = None
    ) -> bool: ...

    async def give_up(
        self, action_id: int, status: ActionStatus, error: str, now: datetime, attempt: int | None = None
    ) -> bool: ...


@runtime_checkable
class Workbench(Protocol):
    """A review queue that also keeps the workbench: reports, card refreshes, notices to authors."""

    async def perform(self, item: QueuedAction) -> str | None: ...


class Unperformable(Exception):
    """The action lacks what it needs (no adapter for its platform, its comment is gone from the database)."""


def describe(error: BaseException) -> str:
    """A short reason for the status command: the error class and message, bounded in length."""
    return f"{type(error).__name__}: {error}"[:ERROR_LIMIT]


class ActionRunner:
    """Claims due actions and performs them: done, retried with backoff, failed with a reason, or parked."""

    def __init__(
        self,
        queue: ActionQueue,
        actions: Mapping[Platform, PlatformActions],
        review: ReviewQueue,
        policy: RetryPolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._queue = queue
        self._actions = dict(actions)
        self._review = review
        self._policy = policy or RetryPolicy()
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New work was queued: stop idling (safe to call from the event loop at any time)."""
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; a failing pass is logged and the loop goes on."""
        while not stop.is_set():
            try:
                done = await self.run_due()
            except Exception:
                log.exception("action runner pass failed; retrying after a pause")
                done = 0
            if done == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wait(stop), timeout=self._policy.idle_seconds)

    async def _wait(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def run_due(self) -> int:
        """One pass over the due actions; how many were claimed. A rate-limited target pauses for the pass."""
        now = self._clock()
        batch = await self._queue.claim_due(now, self._policy.batch_size, self._policy.lease)
        paused: dict[str, datetime] = {}
        for item in batch:
            target = _target(item)
            if target in paused:
                await self._queue.defer(item.id, paused[target], self._clock(), item.attempts)
                continue
            resume_at = await self._execute(item)
            if resume_at is not None:
                paused[target] = resume_at
        return len(batch)

    async def _execute(self, item: QueuedAction) -> datetime | None:
        """Perform one action and record the outcome; returns when to resume its target if rate limited."""
        try:
            ref = await self._perform(item)
        except RateLimited as error:
            at = self._clock() + self._policy.rate_limited_delay(item.attempts, error.retry_after)
            await self._retry_or_park(item, describe(error), at)
            return at
        except TransientError as error:
            await self._retry_or_park(
                item, describe(error), self._clock() + self._policy.backoff(item.attempts)
            )
        except NotFound as error:
            await self._queue.complete(
                item.id, self._clock(), note=f"already gone: {describe(error)}", attempt=item.attempts
            )
        except (Forbidden, NotDeletable, Unperformable) as error:
            log.warning("action %s (%s) failed for good: %s", item.id, item.kind.value, describe(error))
            await self._queue.give_up(
                item.id, ActionStatus.FAILED, describe(error), self._clock(), item.attempts
            )
        except Exception as error:
            log.exception("action %s (%s) raised unexpectedly", item.id, item.kind.value)
            await self._retry_or_park(
                item, describe(error), self._clock() + self._policy.backoff(item.attempts)
            )
        else:
            await self._queue.complete(item.id, self._clock(), message_ref=ref, attempt=item.attempts)
        return None

    async def _retry_or_park(self, item: QueuedAction, error: str, at: datetime) -> None:
        now = self._clock()
        if self._policy.exhausted(item.attempts):
            log.warning(
                "action %s (%s) parked after %d attempts: %s", item.id, item.kind.value, item.attempts, error
            )
            await self._queue.give_up(item.id, ActionStatus.PARKED, error, now, item.attempts)
        else:
            await self._queue.reschedule(item.id, at, error, now, item.attempts)

    async def _perform(self, item: QueuedAction) -> str | None:
        """The one platform (or review queue) call behind an action; a card returns its message reference."""
        if item.kind is ActionKind.CARD:
            if item.card is None:
                raise Unperformable("the card or its comment is missing from the database")
            return await self._review.post_card(item.card)
        if item.kind in WORKBENCH_KINDS:
            if not isinstance(self._review, Workbench):
                raise Unperformable(f"no moderators' workbench to perform {item.kind.value}")
            return await self._review.perform(item)
        if item.kind in (ActionKind.DELETE, ActionKind.RESTORE):
            if item.comment is None:
                raise Unperformable("the comment is missing from the database")
            adapter = self._adapter(item.comment.platform)
            if item.kind is ActionKind.DELETE:
                await adapter.delete_comment(item.comment)
            else:
                await adapter.restore_comment(item.comment)
            return None
        restriction = item.restriction
        if restriction is None:
            raise Unperformable("the restriction is missing from the database")
        adapter = self._adapter(restriction.platform)
        if item.kind is ActionKind.RESTRICT:
            await adapter.restrict(restriction)
        else:
            await adapter.lift_restriction(
                restriction.page_id, restriction.author_id, restriction.author_is_chat
            )
        return None

    def _adapter(self, platform: Platform) -> PlatformActions:
        adapter = self._actions.get(platform)
        if adapter is None:
            raise Unperformable(f"no adapter configured for {platform.value}")
        return adapter


def _target(item: QueuedAction) -> str:
    """What a rate limit applies to: the platform of the action, or the moderators' queue for cards; a notice
    to an author waits on its own, never holding up deletions."""
    if item.kind in (ActionKind.CARD, ActionKind.REPORT, ActionKind.REFRESH):
        return REVIEW_TARGET
    if item.kind is ActionKind.NOTICE and item.comment is not None:
        return f"notice:{item.comment.platform.value}"
    if item.comment is not None:
        return item.comment.platform.value
    if item.restriction is not None:
        return item.restriction.platform.value
    return "unknown"
