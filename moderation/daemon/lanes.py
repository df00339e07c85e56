"""One lane of the action runner: the actions one token performs, claimed, performed and recorded in turn.

Lanes run side by side, so a platform that hangs or says to wait holds back only its own lane. While a lane
works, it renews the short lease on what it holds; a process that dies stops renewing, and its claims are
taken over when the lease runs out (at once by a restarted daemon on the same host, see queue.Owner).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from moderation.config import RetryPolicy
from moderation.daemon.acting import Performer
from moderation.daemon.queue import ActionQueue, LaneSpec, Owner, Settlement

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Lane:
    """Claims its spec's due actions for `owner`, performs them and records the outcomes."""

    def __init__(
        self,
        spec: LaneSpec,
        queue: ActionQueue,
        performer: Performer,
        owner: Owner,
        policy: RetryPolicy,
        clock: Clock,
    ) -> None:
        self.spec = spec
        self._queue = queue
        self._performer = performer
        self._owner = owner
        self._policy = policy
        self._clock = clock
        self.wake = asyncio.Event()
        self.paused_until: datetime | None = None

    async def pass_once(self) -> int:
        """Claim and perform one batch; how many actions were claimed (0 while the platform says wait)."""
        now = self._clock()
        if self.paused_until is not None and now < self.paused_until:
            return 0
        batch = await self._queue.claim(
            self.spec, self._owner, now, self._policy.batch_size, self._policy.lease
        )
        if not batch:
            return 0
        held = {item.id for item in batch}

        async def record(settlements: list[Settlement]) -> None:
            if settlements:
                await self._queue.settle(settlements, self._clock())
                held.difference_update(item.action_id for item in settlements)

        renewer = asyncio.create_task(self._renew(held), name=f"lease-{self.spec.name}")
        try:
            self.paused_until = await self._performer.perform(batch, record)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        return len(batch)

    async def _renew(self, held: set[int]) -> None:
        """Keep the lease of what this lane still holds from running out while it works."""
        while True:
            await asyncio.sleep(self._policy.renew_seconds)
            if not held:
                continue
            try:
                await self._queue.renew(sorted(held), self._owner, self._clock() + self._policy.lease)
            except Exception:  # the database is away: the claim may lapse, and a repeat is harmless
                log.warning("lane %s could not renew its lease", self.spec.name, exc_info=True)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop`; idle between batches until woken, the next poll, or the platform's wait ends."""
        while not stop.is_set():
            self.wake.clear()
            try:
                claimed = await self.pass_once()
            except Exception:
                log.exception("lane %s: a pass failed; retrying after a pause", self.spec.name)
                claimed = 0
            if claimed:
                continue
            timeout = self._policy.idle_seconds
            if self.paused_until is not None:
                remaining = (self.paused_until - self._clock()).total_seconds()
                timeout = min(max(remaining, 0.0), self._policy.max_delay_seconds) or timeout
            await _first(self.wake, stop, timeout)


async def _first(wake: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    """Return when either event is set or `timeout` seconds have passed."""
    waiters = [asyncio.create_task(wake.wait()), asyncio.create_task(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
