"""The pipeline end to end over a real SQLite store: decide once, act once, escalate, survive crashes."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

from datetime import timedelta

import pytest

from models.store import Store
from moderation.config import EscalationPolicy, Mode
from moderation.daemon.pipeline import Outcome, Pipeline
from moderation.daemon.records import Plan
from moderation.types import Ground, Platform
from tests.db_fixtures import T0, incoming, sqlite_store, sqlite_template, sqlite_url  # noqa: F401  (fixtures)
from tests.pipeline_fakes import Clock, FakePlatform, FakeReview, classify

OBSCENE = "Да бля, опять дорогу не почистили"
LAWFUL = "Позор! Бардак в ЖКХ, чиновники не справляются"


# Most tests here count platform calls for one comment: a policy that deletes a first obscenity without
# restricting its author keeps them about the pipeline. The escalation tests use the shipped policy.
LENIENT = EscalationPolicy(grounds={Ground.OBSCENITY: (0, 1, 7, 30)})


def make(
    store: Store, mode: Mode = Mode.ENFORCE, escalation: EscalationPolicy = LENIENT
) -> tuple[Pipeline, FakePlatform, FakeReview, Clock]:
    vk, review, clock = FakePlatform(), FakeReview(), Clock()
    pipeline = Pipeline(classify, store, {Platform.VK: vk}, review, mode, clock=clock, escalation=escalation)
    return pipeline, vk, review, clock


async def test_lawful_criticism_is_kept_and_nothing_is_done(sqlite_store: Store) -> None:
    pipeline, vk, review, _ = make(sqlite_store)
    handled = await pipeline.handle(incoming(text=LAWFUL))
    assert handled.outcome is Outcome.RECORDED
    assert await pipeline.runner.run_due() == 0
    assert vk.calls == 0 and review.cards == []


@pytest.mark.parametrize(
    ("offence", "days"),
    [pytest.param(1, 1, id="first-1-day"), pytest.param(2, 7, id="second-7-days"),
     pytest.param(3, 30, id="third-30-days"), pytest.param(4, 30, id="fourth-stays-30")],
)  # fmt: skip
async def test_obscene_comment_is_deleted_and_its_author_restricted_from_the_first_time(
    sqlite_store: Store, offence: int, days: int
) -> None:
    """Clause 2.5: authors of deleted comments are restricted; obscenity is a serious ground, so from the
    first deletion on, for longer on repeats; the ban's reason is the clause in Russian."""
    pipeline, vk, review, clock = make(sqlite_store, escalation=EscalationPolicy())
    for n in range(1, offence + 1):
        clock.advance(hours=1)
        handled = await pipeline.handle(incoming(str(n), text=OBSCENE))
        assert handled.outcome is Outcome.DELETED
    decided_at = clock.now
    await pipeline.runner.run_due()
    assert incoming(str(offence)).key in vk.deleted
    [last] = [r for r in vk.restricted if r.until == decided_at + timedelta(days=days)]
    assert last.ground is Ground.OBSCENITY and last.author_id == "500"
    assert last.comment.startswith("Комментарий удалён: п. 2.5, пп. 2 Порядка ведения официальных страниц")
    assert "ненормативная лексика" in last.comment and "clause" not in last.comment
    [report] = review.reports
    assert report.comment is not None and report.comment.page_id == "12345"
    assert review.cards == [], "an automatic deletion needs no one: it is reported, not carded"


async def test_escalation_is_configurable_per_ground(sqlite_store: Store) -> None:
    lenient_first = EscalationPolicy(steps=(0, 3), grounds={Ground.OBSCENITY: (0, 2)})
    pipeline, vk, _, clock = make(sqlite_store, escalation=lenient_first)
    await pipeline.handle(incoming("1", text=OBSCENE))
    await pipeline.runner.run_due()
    assert len(vk.deleted) == 1 and vk.restricted == []
    clock.advance(hours=1)
    await pipeline.handle(incoming("2", text=OBSCENE))
    decided_at = clock.now
    await pipeline.runner.run_due()
    [restriction] = vk.restricted
    assert restriction.until == decided_at + timedelta(days=2)


async def test_violations_outside_the_window_do_not_escalate(sqlite_store: Store) -> None:
    pipeline, vk, _, clock = make(sqlite_store, escalation=EscalationPolicy())
    await pipeline.handle(incoming("1", text=OBSCENE))
    clock.advance(days=91)
    await pipeline.handle(incoming("2", text=OBSCENE))
    decided_at = clock.now
    await pipeline.runner.run_due()
    assert len(vk.deleted) == 2
    assert [r.until for r in vk.restricted] == [T0 + timedelta(days=1), decided_at + timedelta(days=1)]


async def test_duplicate_delivery_acts_once(sqlite_store: Store) -> None:
    pipeline, vk, review, _ = make(sqlite_store)
    comment = incoming(text=OBSCENE)
    assert (await pipeline.handle(comment)).outcome is Outcome.DELETED
    assert (await pipeline.handle(comment)).outcome is Outcome.DUPLICATE
    await pipeline.runner.run_due()
    assert (await pipeline.handle(comment)).outcome is Outcome.DUPLICATE
    await pipeline.runner.run_due()
    assert vk.deleted == [comment.key] and vk.calls == 1 and len(review.reports) == 1


async def test_edited_comment_is_decided_again(sqlite_store: Store) -> None:
    pipeline, vk, _, _ = make(sqlite_store)
    assert (await pipeline.handle(incoming(text=LAWFUL))).outcome is Outcome.RECORDED
    edited = incoming(text=LAWFUL + ", бля", edited=True)
    assert (await pipeline.handle(edited)).outcome is Outcome.DELETED
    await pipeline.runner.run_due()
    assert vk.deleted == [edited.key]


async def test_dry_mode_records_but_touches_nothing(sqlite_store: Store) -> None:
    pipeline, vk, review, _ = make(sqlite_store, Mode.DRY)
    for n, text in enumerate([OBSCENE, "Купить окна со скидкой, звоните", LAWFUL]):
        assert (await pipeline.handle(incoming(str(n), text=text))).outcome is Outcome.RECORDED
    assert await pipeline.runner.run_due() == 0
    assert vk.calls == 0 and review.cards == []
    status = await sqlite_store.status()
    assert status.pending_actions == 0 and status.open_cards == 0


async def test_review_mode_sends_deletions_to_moderators(sqlite_store: Store) -> None:
    pipeline, vk, review, _ = make(sqlite_store, Mode.REVIEW)
    assert (await pipeline.handle(incoming("1", text=OBSCENE))).outcome is Outcome.REVIEW
    assert (await pipeline.handle(incoming("2", text="Купить окна со скидкой"))).outcome is Outcome.REVIEW
    await pipeline.runner.run_due()
    assert vk.calls == 0
    assert [(c.comment.comment_id, c.auto_deleted) for c in review.cards] == [("1", False), ("2", False)]
    status = await sqlite_store.status()
    assert status.open_cards == 2 and status.oldest_open_card_at == T0


async def test_unverified_claims_are_never_deleted_by_the_machine(sqlite_store: Store) -> None:
    pipeline, vk, review, _ = make(sqlite_store)
    handled = await pipeline.handle(incoming(text="Говорят, мэр уже продал стадион"))
    assert handled.outcome is Outcome.REVIEW
    await pipeline.runner.run_due()
    assert vk.calls == 0 and len(review.cards) == 1


class CrashAfterVerdict(Store):
    """The process dies right after the verdict's transaction commits, before anything is performed."""

    async def commit_verdict(self, *args: object, **kwargs: object) -> bool:
        await super().commit_verdict(*args, **kwargs)  # type: ignore[arg-type]
        raise SystemExit("power cut")


async def test_crash_after_verdict_then_restart_acts_once(sqlite_url: str, sqlite_store: Store) -> None:
    from models.db import make_engine

    comment = incoming(text=OBSCENE)
    crashing = CrashAfterVerdict(make_engine(sqlite_url))
    first, vk_before, _, _ = make(crashing)
    with pytest.raises(SystemExit):
        await first.handle(comment)
    assert vk_before.calls == 0
    restarted, vk, review, _ = make(sqlite_store)  # a new process over the same database
    assert await restarted.recover() == 0
    assert (await restarted.handle(comment)).outcome is Outcome.DUPLICATE  # the platform redelivers
    await restarted.runner.run_due()
    await restarted.runner.run_due()
    assert vk.deleted == [comment.key] and vk.calls == 1 and len(review.reports) == 1


async def test_crash_before_verdict_is_recovered_on_start(sqlite_store: Store) -> None:
    def broken(_: object) -> None:
        raise SystemExit("killed while classifying")

    comment = incoming(text=OBSCENE)
    dying = Pipeline(broken, sqlite_store, {}, FakeReview(), Mode.ENFORCE, clock=Clock())  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        await dying.handle(comment)
    restarted, vk, _, _ = make(sqlite_store)
    assert await restarted.recover() == 1
    assert (await restarted.handle(comment)).outcome is Outcome.DUPLICATE
    await restarted.runner.run_due()
    assert vk.deleted == [comment.key]


async def test_crash_while_acting_is_retried_after_the_lease_without_a_second_effect(
    sqlite_store: Store,
) -> None:
    from moderation.daemon.queue import Owner

    pipeline, vk, _, clock = make(sqlite_store)
    comment = incoming(text=OBSCENE)
    await pipeline.handle(comment)
    elsewhere = Owner("another-host", 4242, "dead")  # a daemon on another machine claims, then dies
    await sqlite_store.claim(None, elsewhere, clock.now, 10, timedelta(seconds=15))
    assert await pipeline.runner.run_due() == 0, "still leased to the dead runner"
    clock.advance(seconds=16)
    assert await pipeline.runner.run_due() == 2
    assert vk.deleted == [comment.key] and vk.calls == 1


async def test_concurrent_handling_of_one_comment_decides_once(sqlite_store: Store) -> None:
    import asyncio

    pipeline, vk, _, _ = make(sqlite_store)
    comment = incoming(text=OBSCENE)
    results = await asyncio.gather(*(pipeline.handle(comment) for _ in range(5)))
    assert sorted(r.outcome.value for r in results).count(Outcome.DELETED.value) == 1
    await pipeline.runner.run_due()
    assert vk.calls == 1


def test_plan_table() -> None:
    from moderation.daemon.pipeline import plan_for
    from moderation.types import Action

    assert plan_for(Mode.DRY, Action.DELETE, None) == Plan()
    assert plan_for(Mode.ENFORCE, Action.KEEP, None) == Plan()
    assert plan_for(Mode.REVIEW, Action.DELETE, None) == Plan(card=True)
    assert plan_for(Mode.ENFORCE, Action.REVIEW, None) == Plan(card=True)
    assert plan_for(Mode.ENFORCE, Action.DELETE, None).auto_deleted
