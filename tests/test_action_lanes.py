"""The runner's lanes: a hang on one platform never stalls another, rate limits are waited out and never
park, an interrupted batch is taken back at once by a restarted daemon, a working lane keeps its claim.

In-memory fakes of the platforms (STYLE 14) over a real store; the platform side through the real clients
is in test_daemon_actions.py.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.store import Store
from moderation.config import EscalationPolicy, Mode, RetryPolicy
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import IncomingComment, RateLimited, ReviewCard, TransientError
from moderation.daemon.queue import LaneSpec, Owner
from moderation.daemon.records import ActionKind, ActionStatus, QueuedAction
from moderation.daemon.runner import ActionRunner, utc_now
from moderation.types import Ground, Platform
from tests.db_fixtures import incoming
from tests.pipeline_fakes import Clock, FakePlatform, FakeReview, classify

OBSCENE = "Пиздец, а не благоустройство"
#: A first obscene comment is deleted and reported, its author not yet restricted: these tests are about the
#: lanes, so each comment makes one platform action (test_pipeline.py covers the restriction policy).
FIRST_DELETION_ONLY = EscalationPolicy(steps=(0, 1), grounds={Ground.OBSCENITY: (0, 1)})


@dataclass
class HangingPlatform(FakePlatform):
    """Deletes only once `release` is set; until then every call hangs, as a platform that stopped
    answering."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    attempts: int = 0

    async def delete_comment(self, comment: IncomingComment) -> None:
        self.attempts += 1
        self.started.set()
        await self.release.wait()
        await super().delete_comment(comment)


@dataclass
class LimitedReview(FakeReview):
    """Telegram's answer to a card: "retry after" so many times, then the card goes out."""

    refusals: int = 0

    async def post_card(self, card: ReviewCard) -> str:
        if self.refusals > 0:
            self.refusals -= 1
            raise RateLimited("Too Many Requests: retry after 5", retry_after=5)
        return await super().post_card(card)


def pipeline(
    store: Store,
    actions: dict[Platform, FakePlatform],
    review: FakeReview | None = None,
    clock: Callable[[], datetime] | None = None,
    **policy: float,
) -> Pipeline:
    retry = RetryPolicy(**{"max_attempts": 2, "base_delay_seconds": 1, **policy})  # type: ignore[arg-type]
    review = review or FakeReview()
    return Pipeline(
        classify,
        store,
        actions,
        review,
        Mode.ENFORCE,
        FIRST_DELETION_ONLY,
        clock=clock or Clock(),
        retry=retry,
    )


async def until(predicate: object, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_a_hanging_platform_holds_back_only_its_own_lane(sqlite_store: Store) -> None:
    vk, telegram = HangingPlatform(), FakePlatform(Platform.TELEGRAM)
    actions: dict[Platform, FakePlatform] = {Platform.VK: vk, Platform.TELEGRAM: telegram}
    flow = pipeline(sqlite_store, actions, clock=utc_now, call_timeout_seconds=0.5, base_delay_seconds=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(flow.runner.run_forever(stop))
    try:
        await flow.handle(incoming("1", text=OBSCENE))
        await asyncio.wait_for(vk.started.wait(), 30)
        await flow.handle(incoming("2", text=OBSCENE, platform=Platform.TELEGRAM))
        await until(lambda: telegram.deleted == [incoming("2", platform=Platform.TELEGRAM).key])
        assert vk.deleted == [], "VK still hangs while Telegram's deletion went through"
        await until(lambda: vk.attempts >= 2)  # the hanging call timed out and is tried again
        vk.release.set()
        await until(lambda: vk.deleted == [incoming("1").key])
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    status = await sqlite_store.status()
    assert status.pending_actions == 0 and status.parked_actions == 0


async def test_a_card_that_meets_the_rate_limit_again_and_again_is_never_parked(sqlite_store: Store) -> None:
    clock, review = Clock(), LimitedReview(refusals=8)
    flow = pipeline(sqlite_store, {Platform.VK: FakePlatform()}, review, clock)
    await flow.handle(incoming(text="Купить окна со скидкой"))
    for _ in range(8):
        await flow.runner.run_due()
        assert review.cards == []
        clock.advance(seconds=5)
    await flow.runner.run_due()
    assert len(review.cards) == 1, "eight 429s were waited out; max_attempts is 2"
    status = await sqlite_store.status()
    assert status.parked_actions == 0 and status.pending_actions == 0 and status.problems == ()


async def test_real_failures_still_back_off_and_park(sqlite_store: Store) -> None:
    clock, vk = Clock(), FakePlatform()
    vk.errors = [TransientError("HTTP 502"), TransientError("HTTP 502")]
    flow = pipeline(sqlite_store, {Platform.VK: vk}, clock=clock)
    await flow.handle(incoming(text=OBSCENE))
    await flow.runner.run_due()
    clock.advance(seconds=1)
    await flow.runner.run_due()
    [problem] = (await sqlite_store.status()).problems
    assert problem.status is ActionStatus.PARKED and problem.attempts == 2


async def test_a_rate_limited_lane_waits_without_holding_back_the_others(sqlite_store: Store) -> None:
    clock, vk, telegram = Clock(), FakePlatform(), FakePlatform(Platform.TELEGRAM)
    vk.errors = [RateLimited("flood control", retry_after=60)]
    flow = pipeline(sqlite_store, {Platform.VK: vk, Platform.TELEGRAM: telegram}, clock=clock)
    await flow.handle(incoming("1", text=OBSCENE))
    await flow.handle(incoming("2", text=OBSCENE, platform=Platform.TELEGRAM))
    await flow.runner.run_due()
    assert vk.deleted == [] and len(telegram.deleted) == 1
    await flow.handle(incoming("3", text=OBSCENE))
    clock.advance(seconds=30)
    await flow.runner.run_due()
    assert vk.calls == 1, "VK said wait a minute: the lane waits, new work included"
    clock.advance(seconds=30)
    await flow.runner.run_due()
    assert sorted(vk.deleted) == sorted([incoming("1").key, incoming("3").key])


def dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    return int(finished.stdout)


async def test_a_restarted_daemon_takes_its_own_dead_claims_at_once(sqlite_store: Store) -> None:
    vk = FakePlatform()
    flow = pipeline(sqlite_store, {Platform.VK: vk})
    await flow.handle(incoming(text=OBSCENE))
    killed = Owner(socket.gethostname(), dead_pid(), "before-the-kill")
    claimed = await sqlite_store.claim(None, killed, Clock().now, 10, timedelta(seconds=15))
    assert {item.kind for item in claimed} == {ActionKind.DELETE, ActionKind.REPORT}
    assert await flow.runner.run_due() == 2, "no waiting for the lease of a process that is gone"
    assert vk.deleted == [incoming().key] and vk.calls == 1


async def test_a_claim_of_this_very_pid_from_before_a_restart_is_taken_at_once(sqlite_store: Store) -> None:
    vk = FakePlatform()
    flow = pipeline(sqlite_store, {Platform.VK: vk})
    await flow.handle(incoming(text=OBSCENE))
    predecessor = Owner(socket.gethostname(), flow.runner.owner.pid, "previous-start")  # a container's pid 1
    await sqlite_store.claim(None, predecessor, Clock().now, 10, timedelta(seconds=15))
    assert await flow.runner.run_due() == 2
    assert vk.deleted == [incoming().key]


async def test_a_working_lane_renews_its_lease_so_no_one_takes_over(
    sqlite_store: Store, sqlite_url: str
) -> None:
    clock, vk = Clock(), HangingPlatform()
    policy = RetryPolicy(lease_seconds=15, renew_seconds=0.05, call_timeout_seconds=300)
    working = ActionRunner(sqlite_store, {Platform.VK: vk}, FakeReview(), policy, clock)
    flow = pipeline(sqlite_store, {Platform.VK: vk}, clock=clock)
    await flow.handle(incoming(text=OBSCENE))
    busy = asyncio.create_task(working.lanes[0].pass_once())
    await asyncio.wait_for(vk.started.wait(), 30)
    clock.advance(minutes=5)  # far past the lease the claim was made with
    await until(lambda: lease_of_the_deletion(sqlite_url) > clock.now)  # renewed by the working lane
    lane, other = LaneSpec("vk", platform=Platform.VK), Owner("another-host", 1, "x")
    assert await sqlite_store.claim(lane, other, clock.now, 10, policy.lease) == []
    vk.release.set()
    assert await asyncio.wait_for(busy, 30) == 1
    assert vk.deleted == [incoming().key] and vk.calls == 1
    assert (await sqlite_store.status()).pending_actions == 1, (
        "only the report is left: the deletion was recorded"
    )


def lease_of_the_deletion(url: str) -> datetime:
    from sqlmodel import Session, select

    from models.db import make_engine
    from models.tables import ActionRow

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            row = session.exec(select(ActionRow).where(ActionRow.kind == ActionKind.DELETE.value)).one()
    finally:
        engine.dispose()
    assert row.lease_until is not None and row.claimed_by is not None
    return row.lease_until


async def test_only_one_process_posts_to_the_moderators_queue_at_a_time(store: Store) -> None:
    flow = pipeline(store, {Platform.VK: FakePlatform()})
    for n in ("1", "2"):
        await flow.handle(incoming(n, text="Купить окна со скидкой"))
    review = LaneSpec("review", served=frozenset({Platform.VK}), exclusive=True)
    first, second = Owner("host-a", 1, "a"), Owner("host-b", 1, "b")
    now, lease = Clock().now, timedelta(seconds=15)
    assert len(await store.claim(review, first, now, 1, lease)) == 1
    assert await store.claim(review, second, now, 10, lease) == [], "another process is posting there"
    assert len(await store.claim(review, first, now, 10, lease)) == 1, "the holder goes on"


async def test_concurrent_claims_never_share_an_action(store: Store) -> None:
    flow = pipeline(store, {Platform.VK: FakePlatform()})
    for n in range(12):
        await flow.handle(incoming(str(n), text=OBSCENE, author_id=str(600 + n)))
    lane, now, lease = LaneSpec("vk", platform=Platform.VK), Clock().now, timedelta(seconds=15)
    owners = [Owner(f"host-{n}", 1, "x") for n in range(4)]
    batches = await asyncio.gather(*(store.claim(lane, owner, now, 5, lease) for owner in owners))
    ids = [item.id for batch in batches for item in batch]
    assert len(ids) == len(set(ids)) == 12
    assert all(item.kind is ActionKind.DELETE for batch in batches for item in batch)


async def test_actions_for_a_platform_without_an_adapter_fail_visibly(sqlite_store: Store) -> None:
    flow = pipeline(sqlite_store, {Platform.VK: FakePlatform()})
    await flow.handle(incoming(text=OBSCENE, platform=Platform.TELEGRAM))
    await flow.runner.run_due()
    [problem] = (await sqlite_store.status()).problems
    assert problem.status is ActionStatus.FAILED and "no adapter configured for telegram" in problem.error


async def test_a_daemon_holding_some_pages_acts_only_on_those(store: Store) -> None:
    mine, theirs = FakePlatform(), FakePlatform()
    flow = pipeline(store, {Platform.VK: theirs})
    await flow.handle(incoming("1", text=OBSCENE, page_id="111", author_id="601"))
    await flow.handle(incoming("2", text=OBSCENE, page_id="222", author_id="602"))
    runner = ActionRunner(store, {Platform.VK: mine}, FakeReview(), RetryPolicy(), Clock())
    runner.serve_only(frozenset({(Platform.VK, "111")}))
    assert await runner.run_due() == 2, "the deletion and the report of page 111"
    assert mine.deleted == [incoming("1", page_id="111").key]
    assert await flow.runner.run_due() == 2, "page 222's are left for the daemon holding it"
    assert theirs.deleted == [incoming("2", page_id="222").key]


@dataclass
class SlowWorkbench(FakeReview):
    """Notices to authors hang until `release`; reports are refused with "retry after" `report_refusals`
    times: the workbench's kinds as the lanes meet them."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    notice_started: asyncio.Event = field(default_factory=asyncio.Event)
    report_refusals: int = 0

    async def perform(self, item: QueuedAction) -> str | None:
        if item.kind is ActionKind.NOTICE:
            self.notice_started.set()
            await self.release.wait()
        if item.kind is ActionKind.REPORT and self.report_refusals > 0:
            self.report_refusals -= 1
            raise RateLimited("Too Many Requests: retry after 30", retry_after=30)
        return await super().perform(item)


async def test_a_hanging_notice_holds_back_neither_deletions_nor_restrictions(sqlite_store: Store) -> None:
    vk, review = FakePlatform(), SlowWorkbench()
    flow = Pipeline(
        classify, sqlite_store, {Platform.VK: vk}, review, Mode.ENFORCE, EscalationPolicy(), clock=utc_now,
        retry=RetryPolicy(call_timeout_seconds=300),
    )  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(flow.runner.run_forever(stop))
    try:
        await flow.handle(incoming("1", text=OBSCENE, author_id="601"))  # restricted at once: a notice
        await asyncio.wait_for(review.notice_started.wait(), 30)
        await flow.handle(incoming("2", text=OBSCENE, author_id="602"))
        await until(lambda: len(vk.deleted) == 2 and len(vk.restricted) == 2)
        assert review.of_kind(ActionKind.NOTICE) == [], "the first notice still hangs in its own lane"
        review.release.set()
        await until(lambda: len(review.of_kind(ActionKind.NOTICE)) == 2)
    finally:
        review.release.set()
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_a_rate_limited_report_waits_in_the_moderators_lane_and_is_never_parked(
    sqlite_store: Store,
) -> None:
    clock, vk, review = Clock(), FakePlatform(), SlowWorkbench(report_refusals=3)
    review.release.set()
    flow = pipeline(sqlite_store, {Platform.VK: vk}, review, clock=clock)
    await flow.handle(incoming("1", text=OBSCENE))
    for _ in range(3):  # more refusals than attempts allowed before parking (2)
        await flow.runner.run_due()
        clock.advance(seconds=30)
    await flow.handle(incoming("2", text=OBSCENE, author_id="602"))
    await flow.runner.run_due()
    assert len(vk.deleted) == 2, "the moderators' lane waiting holds back no deletion"
    assert len(review.reports) == 1
    status = await sqlite_store.status()
    assert status.parked_actions == 0 and status.failed_actions == 0
