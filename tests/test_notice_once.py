"""A notice to an author is sent at most once: a sender killed mid-send, or an answer that never came, may
already have put the message in front of the author, so it is closed, not sent a second time (the chaos run's
two daemons on PostgreSQL found one notice told twice when a database cut lost the record of the first)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text

from models.store import Store
from models.store_actions import NOTICE_UNKNOWN
from moderation.config import EscalationPolicy, Mode, RetryPolicy
from moderation.daemon.acting import NOTICE_NOT_REPEATED
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import TransientError
from moderation.daemon.queue import Owner
from moderation.daemon.records import ActionKind, QueuedAction
from moderation.types import Platform
from tests.db_fixtures import incoming
from tests.pipeline_fakes import Clock, FakePlatform, FakeReview, classify
from tests.test_action_lanes import OBSCENE, dead_pid


@dataclass
class UnansweredNotice(FakeReview):
    """A notice whose answer never comes (Telegram took it, the connection broke): the lane sees a
    TransientError; every other kind goes through."""

    notice_attempts: int = 0

    async def perform(self, item: QueuedAction) -> str | None:
        if item.kind is ActionKind.NOTICE:
            self.notice_attempts += 1
            raise TransientError("no answer within 10 s")
        return await super().perform(item)


def flow(store: Store, review: FakeReview, clock: Clock) -> tuple[Pipeline, FakePlatform]:
    vk = FakePlatform()
    retry = RetryPolicy(max_attempts=5, base_delay_seconds=1)
    return Pipeline(
        classify, store, {Platform.VK: vk}, review, Mode.ENFORCE, EscalationPolicy(), clock=clock, retry=retry
    ), vk


def notice_rows(store: Store) -> list[tuple[str, str | None]]:
    with store._engine.connect() as conn:
        rows = conn.execute(text("SELECT status, last_error FROM actions WHERE kind = 'notice'")).all()
    return [(str(r[0]), r[1]) for r in rows]


async def test_a_notice_left_running_by_a_killed_sender_is_not_sent_again(sqlite_store: Store) -> None:
    clock, review = Clock(), FakeReview()
    pipeline, vk = flow(sqlite_store, review, clock)
    await pipeline.handle(incoming(text=OBSCENE, author_id="701"))  # deleted and restricted at once: a notice
    killed = Owner(socket.gethostname(), dead_pid(), "killed-mid-send")
    claimed = await sqlite_store.claim(None, killed, clock.now, 10, timedelta(seconds=15))
    assert ActionKind.NOTICE in {item.kind for item in claimed}
    await pipeline.runner.run_due()
    assert vk.deleted == [incoming().key] and vk.restricted, "the platform's actions are resumed"
    assert review.of_kind(ActionKind.NOTICE) == [], "the notice may have gone out: it is not sent twice"
    assert notice_rows(sqlite_store) == [("done", NOTICE_UNKNOWN)]


async def test_a_notice_without_an_answer_is_closed_not_retried(sqlite_store: Store) -> None:
    clock, review = Clock(), UnansweredNotice()
    pipeline, vk = flow(sqlite_store, review, clock)
    await pipeline.handle(incoming(text=OBSCENE, author_id="702"))
    for _ in range(4):
        await pipeline.runner.run_due()
        clock.advance(seconds=120)
    assert review.notice_attempts == 1
    [(status, note)] = notice_rows(sqlite_store)
    assert status == "done" and note is not None and note.startswith(NOTICE_NOT_REPEATED)
    assert vk.deleted == [incoming().key]
