"""Moderators' decisions over the store, server side: first press wins; every decision can be taken back
within the window; restore lifts the restriction its deletion caused; lift only where there is one; a press
counts only on the card whose message it came from, for what applies to that card, with a configured
length."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import ValidationError

from models.store import Store
from moderation.config import EscalationPolicy, Mode, WorkbenchPolicy
from moderation.daemon.decisions import StoreDecisionHandler
from moderation.daemon.ports import DecisionHandler, ModeratorChoice
from moderation.daemon.records import CardStatus
from moderation.types import Ground, Platform
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
from tests.workbench_support import ADVERT, LENIENT, OBSCENE, make_bench, reported, review_card


def test_handler_implements_the_port(sqlite_store: Store) -> None:
    handler: DecisionHandler = StoreDecisionHandler(sqlite_store)
    assert handler is not None


async def test_two_concurrent_presses_give_one_decision(store: Store) -> None:
    bench = make_bench(store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    first, second = await asyncio.gather(
        bench.press(card_id, ModeratorChoice.DELETE, ref, "tg:1"),
        bench.press(card_id, ModeratorChoice.KEEP, ref, "tg:2"),
    )
    assert [first.accepted, second.accepted].count(True) == 1
    loser = second if first.accepted else first
    assert loser.answer.startswith("Уже решено") and loser.decided_by is not None
    await bench.run()
    assert bench.platform.deleted in ([], [incoming().key])


async def test_already_decided_is_answered_in_the_configured_time_zone(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    assert (await bench.press(card_id, ModeratorChoice.KEEP, ref, "tg:1")).accepted
    late = await bench.press(card_id, ModeratorChoice.DELETE, ref, "tg:2")
    # T0 is 09:00 UTC, 16:00 in Barnaul (UTC+7), the zone the cards show
    assert late.answer == "Уже решено: оставлено (Модератор tg:1, 02.03 16:00)"


async def test_review_card_delete_and_restrict_for_the_chosen_days(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    pressed_at = bench.clock.now
    outcome = await bench.press(card_id, ModeratorChoice.DELETE_RESTRICT, ref, days=7)
    assert outcome.accepted and outcome.answer == "Удалено, автор ограничен на 7 дн."
    await bench.run()
    assert bench.platform.deleted == [incoming().key]
    [restriction] = bench.platform.restricted
    assert restriction.until == pressed_at + timedelta(days=7) and restriction.author_id == "500"
    assert (await sqlite_store.status()).open_cards == 0
    view = bench.card(ref)
    assert view.status is CardStatus.DECIDED and view.state.comment_deleted and view.state.restricted
    assert not view.state.pending, "redrawn once the actions ran"


async def test_delete_restricts_as_the_rules_say(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench, OBSCENE)
    assert bench.card(ref).policy_days == 1, "the card says what «Удалить» costs: a serious ground"
    pressed_at = bench.clock.now
    outcome = await bench.press(card_id, ModeratorChoice.DELETE, ref)
    assert outcome.answer == "Удалено, автор ограничен по правилам на 1 дн."
    await bench.run()
    assert [r.until for r in bench.platform.restricted] == [pressed_at + timedelta(days=1)]


@pytest.mark.parametrize("days", [400, 2, 0, -7], ids=["400-дней", "не-из-списка", "ноль", "минус"])
async def test_restriction_length_only_from_the_configured_choices(sqlite_store: Store, days: int) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    outcome = await bench.press(card_id, ModeratorChoice.DELETE_RESTRICT, ref, days=days)
    assert not outcome.accepted and "Такого срока ограничения нет" in outcome.answer
    await bench.run()
    assert bench.platform.calls == 0 and (await sqlite_store.status()).open_cards == 1


async def test_a_button_counts_only_on_the_card_whose_message_it_came_from(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    first_id, first_ref = await review_card(bench, ADVERT, "1")
    second_id, second_ref = await review_card(bench, "Купить шины недорого, звоните", "2")
    forged = await bench.press(second_id, ModeratorChoice.DELETE, first_ref)
    assert not forged.accepted and "не от этой карточки" in forged.answer
    unknown = await bench.press(first_id, ModeratorChoice.DELETE, None)
    assert not unknown.accepted
    await bench.run()
    assert bench.platform.calls == 0
    assert (
        bench.card(first_ref).status is CardStatus.OPEN and bench.card(second_ref).status is CardStatus.OPEN
    )


@pytest.mark.parametrize("choice", [ModeratorChoice.RESTORE, ModeratorChoice.LIFT])
async def test_restore_and_lift_are_refused_on_a_review_card(
    sqlite_store: Store, choice: ModeratorChoice
) -> None:
    bench = make_bench(sqlite_store)
    await bench.pipeline.handle(incoming("9", text=OBSCENE))  # deleted, its author restricted
    card_id, ref = await review_card(bench, ADVERT, "1")  # the same author's advert waits for a moderator
    assert len(bench.platform.restricted) == 1
    outcome = await bench.press(card_id, choice, ref)
    assert not outcome.accepted
    await bench.run()
    assert bench.platform.lifted == [] and bench.platform.restored == []
    view = bench.card(ref)
    assert not view.can_restore and not view.can_lift and view.status is CardStatus.OPEN


async def test_restore_brings_the_comment_back_and_lifts_the_restriction_its_deletion_caused(
    sqlite_store: Store,
) -> None:
    bench = make_bench(sqlite_store)
    ref, [card_id] = await reported(bench, OBSCENE)
    assert bench.platform.deleted == [incoming().key] and len(bench.platform.restricted) == 1
    item = bench.report(ref)[1].items[0]
    assert item.can_restore and item.can_lift and item.status is CardStatus.OPEN
    outcome = await bench.press(card_id, ModeratorChoice.RESTORE, ref)
    assert outcome.accepted and outcome.answer == "Восстановлено, ограничение за него снято"
    await bench.run()
    assert bench.platform.restored == [incoming().key]
    assert bench.platform.lifted == [("12345", "500")]
    since = T0 - timedelta(days=90)
    assert await sqlite_store.count_violations(Platform.VK, "12345", "500", since, "none") == 0
    item = bench.report(ref)[1].items[0]
    assert item.status is CardStatus.DECIDED and item.state.comment_deleted is False
    assert item.state.restricted is False and item.can_undo


async def test_lift_is_refused_where_the_deletion_restricted_no_one(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, escalation=LENIENT)
    ref, [card_id] = await reported(bench, OBSCENE)
    assert bench.platform.restricted == []
    assert not bench.report(ref)[1].items[0].can_lift, "no button where there is nothing to lift"
    outcome = await bench.press(card_id, ModeratorChoice.LIFT, ref)
    assert not outcome.accepted and outcome.answer == "За этот комментарий автор не ограничен"
    assert bench.report(ref)[1].items[0].status is CardStatus.OPEN, "the comment can still be restored"


async def test_lift_lifts_only_this_comments_restriction(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store)
    ref, cards = await reported(bench, OBSCENE, OBSCENE + " опять")
    assert len(bench.platform.restricted) == 2
    assert (await bench.press(cards[0], ModeratorChoice.LIFT, ref)).accepted
    await bench.run()
    assert bench.platform.lifted == [("12345", "500")]
    info = await sqlite_store.card_info(cards[1], bench.clock.now)
    assert info is not None and len(info.own_restriction_ids) == 1, "the other deletion's restriction stands"


async def test_a_decision_is_taken_back_within_the_window_and_the_card_reopened(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    await bench.press(card_id, ModeratorChoice.DELETE_RESTRICT, ref, days=7)
    await bench.run()
    assert bench.card(ref).can_undo
    bench.clock.advance(minutes=10)
    outcome = await bench.press(card_id, ModeratorChoice.UNDO, ref, "tg:2")
    assert outcome.accepted and outcome.card_id not in (None, card_id)
    await bench.run()
    assert bench.platform.restored == [incoming().key] and bench.platform.lifted == [("12345", "500")]
    view = bench.card(ref)
    assert view.card_id == outcome.card_id and view.status is CardStatus.OPEN
    assert [entry.kind.value for entry in view.history] == ["decided", "undone"]
    assert (await sqlite_store.status()).open_cards == 1
    old = await bench.press(card_id, ModeratorChoice.KEEP, ref)
    assert not old.accepted and "открыта заново" in old.answer
    assert (await bench.press(view.card_id, ModeratorChoice.KEEP, ref)).accepted
    since = T0 - timedelta(days=90)
    assert await sqlite_store.count_violations(Platform.VK, "12345", "500", since, "none") == 0
    assert await sqlite_store.labelled_examples() == [{"text": ADVERT, "grounds": [], "action": "keep"}]


async def test_undo_before_the_actions_ran_cancels_them(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    await bench.press(card_id, ModeratorChoice.DELETE_RESTRICT, ref, days=30)
    assert (await bench.press(card_id, ModeratorChoice.UNDO, ref)).accepted
    await bench.run()
    assert bench.platform.calls == 0, "nothing reached the platform, nothing to reverse"


async def test_undo_after_the_window_is_refused(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW, workbench=WorkbenchPolicy(undo_minutes=5))
    card_id, ref = await review_card(bench)
    await bench.press(card_id, ModeratorChoice.KEEP, ref)
    bench.clock.advance(minutes=6)
    outcome = await bench.press(card_id, ModeratorChoice.UNDO, ref)
    assert not outcome.accepted and "5 мин" in outcome.answer
    await bench.workbench.sweep()  # the expired undo button is taken off the card
    await bench.run()
    assert not bench.card(ref).can_undo


async def test_undoing_a_restore_deletes_again_and_restricts_again(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store)
    ref, [card_id] = await reported(bench, OBSCENE)
    await bench.press(card_id, ModeratorChoice.RESTORE, ref)
    await bench.run()
    outcome = await bench.press(card_id, ModeratorChoice.UNDO, ref)
    assert outcome.accepted
    await bench.run()
    assert bench.platform.deleted == [incoming().key], "deleted again"
    assert len(bench.platform.restricted) == 2, "and the author restricted again"
    item = bench.report(ref)[1].items[0]
    assert item.card_id == outcome.card_id and item.status is CardStatus.OPEN and item.can_restore


async def test_a_done_telegram_deletion_cannot_be_taken_back(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW, platform=Platform.TELEGRAM)
    await bench.pipeline.handle(incoming(text=ADVERT, platform=Platform.TELEGRAM, page_id="-1001"))
    await bench.run()
    ref = bench.card_ref(ADVERT)
    card_id = bench.card(ref).card_id
    await bench.press(card_id, ModeratorChoice.DELETE, ref)
    await bench.run()
    assert not bench.card(ref).can_undo
    outcome = await bench.press(card_id, ModeratorChoice.UNDO, ref)
    assert not outcome.accepted and "Telegram не восстанавливает" in outcome.answer


async def test_strangers_cannot_decide(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    card_id, ref = await review_card(bench)
    outcome = await bench.press(card_id, ModeratorChoice.DELETE, ref, "tg:666")
    assert not outcome.accepted and "модератор" in outcome.answer
    await sqlite_store.set_moderator(Platform.TELEGRAM, "tg:666", "Новый модератор")
    assert await bench.handler.is_moderator("tg:666")


async def test_edited_comment_supersedes_its_card(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    await bench.pipeline.handle(incoming(text=ADVERT))
    await bench.pipeline.handle(replace(incoming(text=ADVERT + " круглосуточно"), edited=True))
    await bench.run()
    old_ref, new_ref = list(bench.surface.cards)
    old_id, new_id = bench.card(old_ref).card_id, bench.card(new_ref).card_id
    refused = await bench.press(old_id, ModeratorChoice.DELETE, old_ref)
    assert not refused.accepted and "новой карточке" in refused.answer
    assert (await bench.press(new_id, ModeratorChoice.KEEP, new_ref)).accepted


async def test_decisions_become_training_examples(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW)
    first, first_ref = await review_card(bench, ADVERT, "1")
    second, second_ref = await review_card(bench, "Говорят, мэр уже продал стадион", "2")
    await bench.press(first, ModeratorChoice.DELETE, first_ref)
    await bench.press(second, ModeratorChoice.KEEP, second_ref)
    assert await sqlite_store.labelled_examples() == [
        {"text": ADVERT, "grounds": ["advertising"], "action": "delete"},
        {"text": "Говорят, мэр уже продал стадион", "grounds": [], "action": "keep"},
    ]


@pytest.mark.parametrize(
    "bad",
    [{"steps": []}, {"steps": [0, 7, 1]}, {"steps": [-1]}, {"steps": [400]}, {"window_days": 0},
     {"unknown": 1}, {"grounds": {"obscenity": [30, 1]}}, {"grounds": {"мат": [1]}}],
    ids=["empty", "decreasing", "negative", "over-a-year", "no-window", "extra-key", "ground-decreasing",
         "unknown-ground"],
)  # fmt: skip
def test_escalation_policy_rejects_bad_config(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EscalationPolicy.model_validate(bad)


def test_escalation_steps_by_ground() -> None:
    policy = EscalationPolicy()
    assert [policy.days_for(n) for n in range(6)] == [0, 1, 7, 30, 30, 30]
    for serious in (Ground.OBSCENITY, Ground.PROVOCATION, Ground.LAW_VIOLATION):
        assert [policy.days_for(n, serious) for n in range(4)] == [1, 7, 30, 30]
    assert policy.days_for(0, Ground.ADVERTISING) == 0
    softer = EscalationPolicy.model_validate({"grounds": {"obscenity": [0, 3]}})
    assert softer.days_for(0, Ground.OBSCENITY) == 0 and softer.days_for(0, Ground.PROVOCATION) == 1
