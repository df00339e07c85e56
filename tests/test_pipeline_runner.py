"""The action runner: retries with backoff, respects rate limits, parks, fails with a visible reason."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.store import Store
from moderation.config import EscalationPolicy, Mode, RetryPolicy
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import Forbidden, NotDeletable, NotFound, RateLimited, TransientError
from moderation.daemon.records import ActionKind, ActionStatus
from moderation.types import Ground, Platform
from tests.db_fixtures import incoming, sqlite_store, sqlite_template, sqlite_url  # noqa: F401  (fixtures)
from tests.pipeline_fakes import Clock, FakePlatform, FakeReview, classify

OBSCENE = "Пиздец, а не благоустройство"


def make(store: Store, max_attempts: int = 3) -> tuple[Pipeline, FakePlatform, FakeReview, Clock]:
    vk, review, clock = FakePlatform(), FakeReview(), Clock()
    retry = RetryPolicy(max_attempts=max_attempts, base_delay_seconds=2, max_delay_seconds=60)
    lenient = EscalationPolicy(grounds={Ground.OBSCENITY: (0,)})  # one action a comment: the deletion
    pipeline = Pipeline(
        classify, store, {Platform.VK: vk}, review, Mode.ENFORCE, clock=clock, retry=retry, escalation=lenient
    )
    return pipeline, vk, review, clock


async def test_rate_limited_action_waits_as_told_then_succeeds(sqlite_store: Store) -> None:
    pipeline, vk, review, clock = make(sqlite_store)
    vk.errors = [RateLimited("Too many requests per second", retry_after=30)]
    comment = incoming(text=OBSCENE)
    await pipeline.handle(comment)
    await pipeline.runner.run_due()
    assert vk.deleted == [] and len(review.reports) == 1, "the report goes out; only VK is rate limited"
    clock.advance(seconds=29)
    assert await pipeline.runner.run_due() == 0
    clock.advance(seconds=1)
    assert await pipeline.runner.run_due() == 1
    assert vk.deleted == [comment.key]
    assert (await sqlite_store.status()).pending_actions == 0


async def test_rate_limit_pauses_the_platform_for_the_rest_of_the_pass(sqlite_store: Store) -> None:
    pipeline, vk, _, clock = make(sqlite_store)
    for n in ("1", "2", "3"):
        await pipeline.handle(incoming(n, text=OBSCENE))
    vk.errors = [RateLimited("flood control", retry_after=10)]
    await pipeline.runner.run_due()
    assert vk.calls == 1, "after a rate limit the pass does not hammer the platform"
    clock.advance(seconds=10)
    await pipeline.runner.run_due()
    assert len(vk.deleted) == 3


async def test_transient_errors_back_off_exponentially_then_succeed(sqlite_store: Store) -> None:
    pipeline, vk, _, clock = make(sqlite_store, max_attempts=5)
    vk.errors = [TransientError("HTTP 502"), TransientError("timeout")]
    await pipeline.handle(incoming(text=OBSCENE))
    await pipeline.runner.run_due()
    clock.advance(seconds=2)
    await pipeline.runner.run_due()
    assert vk.calls == 2
    clock.advance(seconds=3)
    assert await pipeline.runner.run_due() == 0, "second backoff is 4 seconds"
    clock.advance(seconds=1)
    await pipeline.runner.run_due()
    assert vk.deleted == [incoming().key]


async def test_action_is_parked_after_the_allowed_attempts(sqlite_store: Store) -> None:
    pipeline, vk, _, clock = make(sqlite_store, max_attempts=3)
    vk.errors = [TransientError(f"HTTP 50{n}") for n in range(10)]
    await pipeline.handle(incoming(text=OBSCENE))
    for _ in range(6):
        await pipeline.runner.run_due()
        clock.advance(minutes=5)
    assert vk.calls == 3
    status = await sqlite_store.status()
    assert status.parked_actions == 1
    [problem] = status.problems
    assert problem.kind is ActionKind.DELETE and problem.status is ActionStatus.PARKED
    assert problem.attempts == 3 and "HTTP 502" in problem.error


async def test_not_found_counts_as_done(sqlite_store: Store) -> None:
    pipeline, vk, _, _ = make(sqlite_store)
    vk.errors = [NotFound("comment was deleted by its author")]
    await pipeline.handle(incoming(text=OBSCENE))
    await pipeline.runner.run_due()
    status = await sqlite_store.status()
    assert status.pending_actions == 0 and status.failed_actions == 0 and status.parked_actions == 0


async def test_undeletable_and_forbidden_fail_with_a_visible_reason(sqlite_store: Store) -> None:
    pipeline, vk, _, _ = make(sqlite_store)
    vk.errors = [NotDeletable("message is older than 48 hours"), Forbidden("token is not a manager's")]
    await pipeline.handle(incoming("1", text=OBSCENE))
    await pipeline.handle(incoming("2", text=OBSCENE))
    await pipeline.runner.run_due()
    status = await sqlite_store.status()
    assert status.failed_actions == 2
    reasons = sorted(problem.error for problem in status.problems)
    assert reasons == ["Forbidden: token is not a manager's", "NotDeletable: message is older than 48 hours"]


async def test_missing_adapter_fails_instead_of_crashing(sqlite_store: Store) -> None:
    pipeline, *_ = make(sqlite_store)
    await pipeline.handle(incoming(text=OBSCENE, platform=Platform.TELEGRAM))
    await pipeline.runner.run_due()
    [problem] = (await sqlite_store.status()).problems
    assert "no adapter configured for telegram" in problem.error


async def test_card_posting_is_retried_like_any_action(sqlite_store: Store) -> None:
    pipeline, _, review, clock = make(sqlite_store)
    review.errors = [TransientError("Telegram: Bad Gateway")]
    await pipeline.handle(incoming(text="Купить окна со скидкой"))
    await pipeline.runner.run_due()
    assert review.cards == []
    clock.advance(seconds=2)
    await pipeline.runner.run_due()
    assert len(review.cards) == 1


async def test_run_forever_works_queued_actions_and_stops(sqlite_store: Store) -> None:
    pipeline, vk, _, _ = make(sqlite_store)
    stop = asyncio.Event()
    task = asyncio.create_task(pipeline.runner.run_forever(stop))
    await pipeline.handle(incoming(text=OBSCENE))
    for _ in range(100):
        if vk.deleted:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert vk.deleted == [incoming().key]


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(base_delay_seconds=2, max_delay_seconds=60)
    assert [policy.backoff(n).total_seconds() for n in (1, 2, 3, 10, 1000)] == [2, 4, 8, 60, 60]
    assert policy.backoff(3) == timedelta(seconds=8)
