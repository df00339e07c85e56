"""Moderators' decisions over the store: first press wins, the chosen actions happen, labels are exported."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import ValidationError

from models.store import Store
from moderation.config import EscalationPolicy, Mode
from moderation.daemon.decisions import StoreDecisionHandler
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import DecisionHandler, DecisionRequest, ModeratorChoice
from moderation.types import Platform
from tests.db_fixtures import (  # noqa: F401  (fixtures)
    T0,
    engine,
    incoming,
    migrated_url,
    postgres_migrated_url,
    sqlite_store,
    sqlite_template,
    sqlite_url,
    store,
)
from tests.pipeline_fakes import Clock, FakePlatform, FakeReview, classify

OBSCENE = "Вы там все охуели? бля"
ADVERT = "Купить окна со скидкой 30%, звоните"


def make(store: Store, mode: Mode) -> tuple[Pipeline, StoreDecisionHandler, FakePlatform, FakeReview, Clock]:
    vk, review, clock = FakePlatform(), FakeReview(), Clock()
    pipeline = Pipeline(classify, store, {Platform.VK: vk}, review, mode, clock=clock)
    handler = StoreDecisionHandler(
        store, moderators=["tg:1", "tg:2"], clock=clock, on_decided=pipeline.runner.wake
    )
    return pipeline, handler, vk, review, clock


def press(
    card_id: int, choice: ModeratorChoice, who: str = "tg:1", days: int | None = None
) -> DecisionRequest:
    return DecisionRequest(card_id, choice, who, T0, restrict_days=days, moderator_name=f"Модератор {who}")


def test_handler_implements_the_port(sqlite_store: Store) -> None:
    handler: DecisionHandler = StoreDecisionHandler(sqlite_store)
    assert handler is not None


async def test_two_concurrent_presses_give_one_decision(store: Store) -> None:
    pipeline, handler, vk, review, _ = make(store, Mode.REVIEW)
    await pipeline.handle(incoming(text=ADVERT))
    await pipeline.runner.run_due()
    card_id = review.cards[0].card_id
    first, second = await asyncio.gather(
        handler.decide(press(card_id, ModeratorChoice.DELETE, "tg:1")),
        handler.decide(press(card_id, ModeratorChoice.KEEP, "tg:2")),
    )
    assert [first.accepted, second.accepted].count(True) == 1
    loser = second if first.accepted else first
    assert loser.answer.startswith("Уже решено") and loser.decided_by is not None
    await pipeline.runner.run_due()
    assert vk.deleted in ([], [incoming().key])
    assert vk.calls <= 1


async def test_review_card_delete_and_restrict(sqlite_store: Store) -> None:
    pipeline, handler, vk, review, clock = make(sqlite_store, Mode.REVIEW)
    await pipeline.handle(incoming(text=ADVERT))
    await pipeline.runner.run_due()
    outcome = await handler.decide(press(review.cards[0].card_id, ModeratorChoice.DELETE_RESTRICT, days=7))
    assert outcome.accepted and outcome.answer == "Удалено, автор ограничен"
    await pipeline.runner.run_due()
    assert vk.deleted == [incoming().key]
    [restriction] = vk.restricted
    assert restriction.until == clock.now + timedelta(days=7) and restriction.author_id == "500"
    assert (await sqlite_store.status()).open_cards == 0


async def test_keep_on_an_auto_deleted_comment_restores_it_and_lifts_its_restriction(
    sqlite_store: Store,
) -> None:
    pipeline, handler, vk, review, _ = make(sqlite_store, Mode.ENFORCE)
    await pipeline.handle(incoming("1", text=OBSCENE))
    await pipeline.handle(incoming("2", text=OBSCENE))  # second offence: restricted for a day
    await pipeline.runner.run_due()
    assert len(vk.restricted) == 1
    card = review.cards[-1]
    assert card.auto_deleted
    outcome = await handler.decide(press(card.card_id, ModeratorChoice.KEEP))
    assert outcome.accepted
    await pipeline.runner.run_due()
    assert vk.restored == [incoming("2").key]
    assert vk.lifted == [("12345", "500")]
    since = T0 - timedelta(days=90)
    count = await sqlite_store.count_violations(Platform.VK, "12345", "500", since, "none")
    assert count == 1, "the restored comment no longer counts as a violation"


async def test_lift_button(sqlite_store: Store) -> None:
    pipeline, handler, vk, review, _ = make(sqlite_store, Mode.ENFORCE)
    for n in ("1", "2"):
        await pipeline.handle(incoming(n, text=OBSCENE))
    await pipeline.runner.run_due()
    assert (await handler.decide(press(review.cards[-1].card_id, ModeratorChoice.LIFT))).accepted
    await pipeline.runner.run_due()
    assert vk.lifted == [("12345", "500")] and vk.restored == []


async def test_restore_before_the_delete_ran_cancels_it(sqlite_store: Store) -> None:
    pipeline, handler, vk, review, clock = make(sqlite_store, Mode.ENFORCE)
    from moderation.daemon.ports import RateLimited

    vk.errors = [RateLimited("wait", retry_after=60)]
    await pipeline.handle(incoming(text=OBSCENE))
    await pipeline.runner.run_due()  # delete postponed, card posted
    assert (await handler.decide(press(review.cards[0].card_id, ModeratorChoice.RESTORE))).accepted
    clock.advance(minutes=2)
    await pipeline.runner.run_due()
    assert vk.deleted == [] and vk.restored == [] and vk.calls == 1


async def test_strangers_cannot_decide(sqlite_store: Store) -> None:
    pipeline, handler, _, review, _ = make(sqlite_store, Mode.REVIEW)
    await pipeline.handle(incoming(text=ADVERT))
    await pipeline.runner.run_due()
    outcome = await handler.decide(press(review.cards[0].card_id, ModeratorChoice.DELETE, "tg:666"))
    assert not outcome.accepted and "модератор" in outcome.answer
    await sqlite_store.set_moderator(Platform.TELEGRAM, "tg:666", "Новый модератор")
    assert await handler.is_moderator("tg:666")


async def test_edited_comment_supersedes_its_card(sqlite_store: Store) -> None:
    pipeline, handler, _, review, _ = make(sqlite_store, Mode.REVIEW)
    await pipeline.handle(incoming(text=ADVERT))
    await pipeline.handle(replace(incoming(text=ADVERT + " круглосуточно"), edited=True))
    await pipeline.runner.run_due()
    old, new = review.cards
    refused = await handler.decide(press(old.card_id, ModeratorChoice.DELETE))
    assert not refused.accepted and "новой карточке" in refused.answer
    assert (await handler.decide(press(new.card_id, ModeratorChoice.KEEP))).accepted


async def test_decisions_become_training_examples(sqlite_store: Store) -> None:
    pipeline, handler, _, review, _ = make(sqlite_store, Mode.REVIEW)
    await pipeline.handle(incoming("1", text=ADVERT))
    await pipeline.handle(incoming("2", text="Говорят, мэр уже продал стадион"))
    await pipeline.runner.run_due()
    await handler.decide(press(review.cards[0].card_id, ModeratorChoice.DELETE))
    await handler.decide(press(review.cards[1].card_id, ModeratorChoice.KEEP))
    assert await sqlite_store.labelled_examples() == [
        {"text": ADVERT, "grounds": ["advertising"], "action": "delete"},
        {"text": "Говорят, мэр уже продал стадион", "grounds": [], "action": "keep"},
    ]


@pytest.mark.parametrize(
    "bad",
    [{"steps": []}, {"steps": [0, 7, 1]}, {"steps": [-1]}, {"window_days": 0}, {"unknown": 1}],
    ids=["empty", "decreasing", "negative", "no-window", "extra-key"],
)
def test_escalation_policy_rejects_bad_config(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EscalationPolicy.model_validate(bad)


def test_escalation_steps() -> None:
    policy = EscalationPolicy()
    assert [policy.days_for(n) for n in range(6)] == [0, 1, 7, 30, 30, 30]
