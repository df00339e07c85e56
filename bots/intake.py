"""What every intake worker shares: its health for `dozor status`, and handing a comment over until it sticks.

A worker must never move past a comment the product has not durably recorded: a database that is down or
locked stops intake (the VK position is not saved, the Telegram update is not confirmed) and intake resumes by
itself when the database is back. `hand_over` is that rule in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_DELAY = 30.0


class WorkerState(StrEnum):
    """starting: not reading yet; running: reading; retrying: stopped by an error it waits out; dead: gave up
    (retrying cannot help: wrong token or page); stopped: asked to stop."""

    STARTING = "starting"
    RUNNING = "running"
    RETRYING = "retrying"
    DEAD = "dead"
    STOPPED = "stopped"


@dataclass
class Health:
    """A worker's state and why, as `dozor status` shows it; the daemon writes it with its heartbeat."""

    state: WorkerState = WorkerState.STARTING
    reason: str = ""
    since: datetime = field(default_factory=lambda: datetime.now(UTC))

    def set(self, state: WorkerState, reason: str = "") -> None:
        if (state, reason) != (self.state, self.reason):
            self.state, self.reason, self.since = state, reason, datetime.now(UTC)

    def running(self) -> None:
        self.set(WorkerState.RUNNING)

    def retrying(self, reason: str) -> None:
        self.set(WorkerState.RETRYING, reason)

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state.value, "reason": self.reason, "since": self.since.isoformat()}


def next_delay(delay: float, cap: float = MAX_DELAY) -> float:
    """Exponential backoff: the next wait after `delay`, doubled and capped."""
    return min(delay * 2, cap)


async def sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds`; True if `stop` was set meanwhile (the caller should give up at once)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()


async def hand_over(
    handler: Callable[[T], Awaitable[None]],
    item: T,
    what: str,
    *,
    stop: asyncio.Event,
    health: Health,
    backoff: float = 0.5,
) -> bool:
    """Call `handler(item)` until it returns; False if the worker was stopped first (nothing is confirmed).

    Whatever the handler raises (a database outage, a lock) is waited out with backoff. Only the error's
    class is logged: a database error's text may quote the statement's parameters, a comment among them.
    """
    delay = backoff
    failures = 0
    while not stop.is_set():
        try:
            await handler(item)
        except Exception as error:
            failures += 1
            if failures == 1:
                log.warning("%s not handled (%s); intake waits and retries", what, type(error).__name__)
            health.retrying(f"не удаётся записать {what} ({type(error).__name__}); приём ждёт")
            if await sleep_unless(stop, delay):
                return False
            delay = next_delay(delay)
            continue
        if failures:
            log.info("%s handled after %d failed attempt(s); intake resumes", what, failures)
            health.running()
        return True
    return False
