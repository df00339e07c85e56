"""Performs queued actions on the platforms and in the moderators' queue: one lane per platform token.

Intents are persisted before this runs (see pipeline.py), so a crash loses nothing. Each lane (the VK user
token, the Telegram bot's actions, each platform's notices to authors, the moderators' queue: cards, reports
of automatic deletions, redrawn cards) claims only its own work under a short lease it
renews while working, and every platform call has a timeout: a platform that hangs or rate-limits holds back
only its own lane. Platform actions are idempotent from our side (deleting a deleted comment is NotFound,
which counts as done); a review card goes through an outbox that finds a send whose answer was lost instead
of repeating it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from moderation.config import RetryPolicy
from moderation.daemon.acting import Performer
from moderation.daemon.lanes import Lane
from moderation.daemon.ports import PlatformActions, ReviewQueue
from moderation.daemon.queue import NOTICE_KINDS, ActionQueue, LaneSpec, Owner
from moderation.types import Platform

__all__ = ["ActionQueue", "ActionRunner", "Clock", "utc_now"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
REVIEW_LANE = "review"


def utc_now() -> datetime:
    return datetime.now(UTC)


class ActionRunner:
    """The lanes of this daemon process, started together; `run_due` is one pass of each, for tests."""

    def __init__(
        self,
        queue: ActionQueue,
        actions: Mapping[Platform, PlatformActions],
        review: ReviewQueue,
        policy: RetryPolicy | None = None,
        clock: Clock = utc_now,
        owner: Owner | None = None,
    ) -> None:
        policy = policy or RetryPolicy()
        self.owner = owner or Owner.current()
        performer = Performer(actions, review, policy, clock)
        served = frozenset(actions)
        specs = [LaneSpec(platform.value, platform=platform) for platform in sorted(served)]
        # A notice to an author goes on its own, so it never waits before (or holds up) a deletion.
        specs += [
            LaneSpec(f"notice:{platform.value}", platform=platform, kinds=NOTICE_KINDS)
            for platform in sorted(served)
        ]
        # The moderators' queue is one chat: one process posts to it at a time (see LaneSpec.exclusive).
        specs.append(LaneSpec(REVIEW_LANE, served=served, exclusive=True))
        self.lanes = [Lane(spec, queue, performer, self.owner, policy, clock) for spec in specs]

    def serve_only(self, pages: frozenset[tuple[Platform, str]] | None) -> None:
        """Act only on actions about these (platform, page id) pages from now on (None: on every page): a
        daemon sharing the database with others acts on the pages it holds, with the tokens it has."""
        for lane in self.lanes:
            lane.spec = dataclasses.replace(lane.spec, pages=pages)

    def wake(self) -> None:
        """New work was queued: every idle lane looks at once (safe to call from the event loop)."""
        for lane in self.lanes:
            lane.wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Run every lane until `stop` is set."""
        await asyncio.gather(*(lane.run(stop) for lane in self.lanes))

    async def run_due(self) -> int:
        """One pass of every lane in turn; how many actions were claimed."""
        claimed = 0
        for lane in self.lanes:
            claimed += await lane.pass_once()
        return claimed
