"""The storage contract the pipeline relies on, run against SQLite and PostgreSQL alike."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

from sqlalchemy import Engine

from models.store import Store
from moderation.daemon.pipeline import DecisionStore
from moderation.daemon.ports import DecisionRequest, ModeratorChoice
from moderation.daemon.queue import Settlement
from moderation.daemon.records import ActionKind, ActionStatus, DecidedBy, DecisionPlan, Plan
from moderation.daemon.restrictions import restriction_of_days
from moderation.types import Action, Ground, Platform, Span
from tests.db_fixtures import (  # noqa: F401  (fixtures)
    T0,
    engine,
    incoming,
    migrated_url,
    postgres_migrated_url,
    sqlite_template,
    sqlite_url,
    store,
    verdict,
)

LEASE = timedelta(minutes=2)


async def decide(store: Store, comment_id: str = "1", plan: Plan | None = None, **kw: object) -> str:
    """Record a comment and a DELETE verdict with the plan; return the comment key."""
    c = incoming(comment_id, **kw)  # type: ignore[arg-type]
    revision = await store.record_comment(c, T0)
    assert revision is not None
    assert await store.commit_verdict(
        c.key, revision, verdict(c.key), DecidedBy.RULES, "m1", plan or Plan(), T0
    )
    return c.key


def test_store_satisfies_the_pipeline_protocol(store: Store) -> None:
    typed: DecisionStore = store
    assert typed is store


async def test_new_comment_is_recorded_once(store: Store) -> None:
    c = incoming()
    assert await store.record_comment(c, T0) == 1
    assert await store.record_comment(c, T0) == 1, "undecided: a redelivery must still get decided"
    assert await store.commit_verdict(c.key, 1, verdict(c.key), DecidedBy.RULES, None, Plan(), T0)
    assert await store.record_comment(c, T0) is None, "decided: a redelivery is a no-op"
    assert not await store.commit_verdict(c.key, 1, verdict(c.key), DecidedBy.RULES, None, Plan(), T0)


async def test_edited_comment_gets_a_new_revision(store: Store) -> None:
    key = await decide(store)
    edited = incoming(text="Исправил: когда отремонтируют дорогу?", edited=True)
    assert await store.record_comment(edited, T0) == 2
    assert await store.undecided_comments() == [edited]
    assert key == edited.key


async def test_edit_before_the_decision_invalidates_the_decision_in_flight(store: Store) -> None:
    old = incoming(text="Первый вариант")
    assert await store.record_comment(old, T0) == 1
    new = incoming(text="Исправленный вариант", edited=True)
    assert await store.record_comment(new, T0) == 2
    assert not await store.commit_verdict(old.key, 1, verdict(old.key), DecidedBy.RULES, None, Plan(), T0)
    assert await store.commit_verdict(new.key, 2, verdict(new.key), DecidedBy.RULES, None, Plan(), T0)


async def test_undecided_comments_survive_for_recovery(store: Store) -> None:
    await store.record_comment(incoming("1"), T0)
    await decide(store, "2")
    pending = await store.undecided_comments()
    assert [c.comment_id for c in pending] == ["1"]
    assert pending[0].author_name == "Иван Петров"


async def test_datetimes_come_back_aware_utc(store: Store) -> None:
    local = T0.astimezone(timezone(timedelta(hours=7)))  # Barnaul time
    c = incoming(created_at=local)
    await store.record_comment(c, local)
    [back] = await store.undecided_comments()
    assert back.created_at == T0 and back.created_at.tzinfo is not None
    assert back.created_at.utcoffset() == timedelta(0)


async def test_due_deletions_are_claimed_before_restrictions_queued_ahead_of_them(store: Store) -> None:
    """In a raid every comment goes before its author's ban: both use the page manager's token."""
    for n in range(1, 4):
        c = incoming(str(n), author_id=str(600 + n))
        restriction = restriction_of_days(c, Ground.OBSCENITY, 7, T0)
        await decide(store, str(n), Plan(delete=True, restriction=restriction), author_id=str(600 + n))
    claimed = await store.claim_due(T0, 3, LEASE)
    assert [item.kind for item in claimed] == [ActionKind.DELETE] * 3
    rest = await store.claim_due(T0, 10, LEASE)
    assert [item.kind for item in rest] == [ActionKind.RESTRICT] * 3


async def test_plan_becomes_queued_actions_with_everything_to_perform_them(store: Store) -> None:
    c = incoming()
    restriction = restriction_of_days(c, Ground.OBSCENITY, 7, T0)
    plan = Plan(
        delete=True, restriction=restriction, card=True, auto_deleted=True, violation=True, notice=True
    )
    await decide(store, plan=plan)
    claimed = await store.claim_due(T0, 10, LEASE)
    assert claimed[0].kind is ActionKind.DELETE, "a due deletion is taken before anything else"
    by_kind = {item.kind: item for item in claimed}
    assert set(by_kind) == {ActionKind.DELETE, ActionKind.RESTRICT, ActionKind.NOTICE, ActionKind.REPORT}
    assert by_kind[ActionKind.DELETE].comment == c
    assert by_kind[ActionKind.RESTRICT].restriction == restriction
    assert restriction.comment.startswith("Комментарий удалён: п. 2.5, пп. 2"), "kept with the restriction"
    notice = by_kind[ActionKind.NOTICE]
    assert notice.comment == c and notice.restriction == restriction
    assert by_kind[ActionKind.REPORT].comment == c, "the report names its page by the comment"
    assert all(item.attempts == 1 for item in claimed)


async def test_review_card_is_queued_with_its_verdict(store: Store) -> None:
    c = incoming()
    await decide(store, plan=Plan(card=True))
    [claimed] = await store.claim_due(T0, 10, LEASE)
    card = claimed.card
    assert (
        claimed.kind is ActionKind.CARD and card is not None and not card.auto_deleted and card.comment == c
    )
    assert card.verdict.evidence[0].spans == (Span(0, 5),)
    assert card.verdict.grounds == (Ground.OBSCENITY,)


async def test_claimed_action_is_not_claimed_again_until_its_lease_runs_out(store: Store) -> None:
    await decide(store, plan=Plan(delete=True))
    [first] = await store.claim_due(T0, 10, LEASE)
    assert await store.claim_due(T0 + timedelta(minutes=1), 10, LEASE) == []
    [again] = await store.claim_due(T0 + timedelta(minutes=3), 10, LEASE)
    assert again.id == first.id and again.attempts == 2
    late = T0 + timedelta(minutes=4)
    assert not await store.complete(first.id, late, note="the presumed-dead runner", attempt=first.attempts)
    assert await store.complete(again.id, late, attempt=again.attempts)


async def test_action_outcomes_and_status(store: Store) -> None:
    for n in ("1", "2", "3"):
        await decide(store, n, plan=Plan(delete=True, card=n == "1", violation=True))
    batch = await store.claim_due(T0, 10, LEASE)
    assert len(batch) == 4
    assert [item.card is not None for item in batch if item.kind is ActionKind.CARD] == [True]
    claimed = {
        item.comment.comment_id: item for item in batch if item.kind is ActionKind.DELETE and item.comment
    }
    done, later, parked = claimed["1"], claimed["2"], claimed["3"]
    retry_at = T0 + timedelta(seconds=30)
    settled = await store.settle(
        [
            Settlement(done.id, done.attempts, ActionStatus.DONE),
            Settlement(
                later.id, later.attempts, ActionStatus.PENDING, at=retry_at, error="TransientError: 502"
            ),
            Settlement(parked.id, parked.attempts, ActionStatus.PARKED, error="TransientError: timeout"),
        ],
        T0,
    )
    assert settled == 3
    assert not await store.complete(parked.id, T0), "a parked action is no longer running"
    assert await store.claim_due(T0 + timedelta(seconds=10), 10, LEASE) == []
    [retry] = await store.claim_due(T0 + timedelta(seconds=30), 10, LEASE)
    assert retry.id == later.id and retry.attempts == 2
    status = await store.status()
    assert status.parked_actions == 1 and status.failed_actions == 0
    assert status.problems[0].error == "TransientError: timeout"
    assert status.problems[0].comment_key == incoming("3").key
    assert status.open_cards == 1 and status.oldest_open_card_at == T0


async def test_a_put_back_action_does_not_count_an_attempt(store: Store) -> None:
    await decide(store, plan=Plan(delete=True))
    [item] = await store.claim_due(T0, 10, LEASE)
    later = Settlement(
        item.id, item.attempts, ActionStatus.PENDING, at=T0 + timedelta(seconds=5), counted=False
    )
    assert await store.settle([later], T0) == 1
    [again] = await store.claim_due(T0 + timedelta(seconds=5), 10, LEASE)
    assert again.attempts == 1


async def test_card_message_ref_is_kept(store: Store) -> None:
    await decide(store, plan=Plan(card=True))
    [card] = await store.claim_due(T0, 10, LEASE)
    assert card.card is not None
    assert await store.complete(card.id, T0, message_ref="-100:42")
    info = await store.card_info(card.card.card_id, T0)
    assert info is not None and info.comment == incoming()


async def test_violations_are_counted_per_author_page_and_window(store: Store) -> None:
    await decide(store, "1", plan=Plan(delete=True, violation=True))
    await decide(store, "2", plan=Plan(delete=True, violation=True))
    await decide(store, "3", plan=Plan(delete=True, violation=True), author_id="999")
    await decide(store, "4", plan=Plan(delete=True, violation=True), page_id="777")
    await decide(store, "5", plan=Plan(card=True))
    count = store.count_violations
    assert await count(Platform.VK, "12345", "500", T0 - timedelta(days=90), incoming("9").key) == 2
    assert await count(Platform.VK, "12345", "500", T0 - timedelta(days=90), incoming("1").key) == 1
    assert await count(Platform.VK, "12345", "500", T0 + timedelta(seconds=1), incoming("9").key) == 0
    assert await count(Platform.TELEGRAM, "12345", "500", T0 - timedelta(days=90), incoming("9").key) == 0


async def _open_card(store: Store) -> int:
    c = incoming()
    await decide(store, plan=Plan(card=True))
    [card] = await store.claim_due(T0, 10, LEASE)
    assert card.card is not None and card.comment == c
    return card.card.card_id


def _request(
    card_id: int, moderator: str, choice: ModeratorChoice = ModeratorChoice.DELETE
) -> DecisionRequest:
    return DecisionRequest(card_id, choice, moderator, T0, moderator_name=f"Модератор {moderator}")


async def test_first_decision_wins(store: Store) -> None:
    card_id = await _open_card(store)
    plan = DecisionPlan(ModeratorChoice.DELETE, delete=True, violation=True)
    assert await store.record_decision(_request(card_id, "1"), plan, T0) == (True, None)
    accepted, prior = await store.record_decision(_request(card_id, "2", ModeratorChoice.KEEP), plan, T0)
    assert not accepted and prior is not None
    assert prior.moderator_id == "1" and prior.choice is ModeratorChoice.DELETE
    queued = [item.kind for item in await store.claim_due(T0, 10, LEASE)]
    assert queued == [ActionKind.DELETE, ActionKind.REFRESH], "only the winner's actions are queued"


async def test_concurrent_decisions_accept_exactly_one(store: Store) -> None:
    card_id = await _open_card(store)
    plans = [DecisionPlan(ModeratorChoice.DELETE, delete=True), DecisionPlan(ModeratorChoice.KEEP)]
    results = await asyncio.gather(
        *(store.record_decision(_request(card_id, str(n), p.choice), p, T0) for n, p in enumerate(plans * 3))
    )
    assert sum(accepted for accepted, _ in results) == 1
    winners = {prior.moderator_id for accepted, prior in results if not accepted and prior}
    assert len(winners) == 1


async def test_restore_cancels_a_pending_delete_instead_of_queueing_a_reversal(store: Store) -> None:
    c = incoming()
    await decide(store, plan=Plan(delete=True, card=True, auto_deleted=True, violation=True))
    info_id = 1  # the only card in a fresh database
    plan = DecisionPlan(ModeratorChoice.KEEP, restore=True, violation=False)
    assert (await store.record_decision(_request(info_id, "1", ModeratorChoice.KEEP), plan, T0))[0]
    kinds = sorted(item.kind.value for item in await store.claim_due(T0, 10, LEASE))
    assert kinds == ["refresh", "report"], "the pending delete was cancelled and nothing needs restoring"
    assert await store.count_violations(Platform.VK, "12345", "500", T0 - timedelta(days=1), "x") == 0
    assert c.key


async def test_labelled_examples_for_training(store: Store) -> None:
    card_id = await _open_card(store)
    plan = DecisionPlan(ModeratorChoice.DELETE, delete=True, violation=True)
    await store.record_decision(_request(card_id, "1"), plan, T0)
    rows = await store.labelled_examples()
    assert rows == [{"text": incoming().text, "grounds": ["obscenity"], "action": Action.DELETE.value}]


async def test_cursors(store: Store) -> None:
    assert await store.get_cursor("vk:12345:longpoll") is None
    await store.set_cursor("vk:12345:longpoll", "ts=10", T0)
    await store.set_cursor("vk:12345:longpoll", "ts=11", T0)
    assert await store.get_cursor("vk:12345:longpoll") == "ts=11"
    assert (await store.status()).cursors == {"vk:12345:longpoll": "ts=11"}


async def test_audit_log_redacts_personal_data(store: Store, engine: Engine) -> None:
    from sqlmodel import Session, select

    from models.tables import AuditEntry

    await store.audit(T0, "tg:1", "note", {"author_name": "Иван Петров", "nested": [{"text": "мой телефон"}]})
    with Session(engine) as session:
        [entry] = session.exec(select(AuditEntry)).all()
    assert "Иван" not in str(entry.details) and "телефон" not in str(entry.details)
    assert entry.details["author_name"] == "[redacted]" and entry.at == T0


async def test_moderators_table(store: Store) -> None:
    assert not await store.is_moderator(Platform.TELEGRAM, "42")
    await store.set_moderator(Platform.TELEGRAM, "42", "Ольга")
    assert await store.is_moderator(Platform.TELEGRAM, "42")
    await store.set_moderator(Platform.TELEGRAM, "42", active=False)
    assert not await store.is_moderator(Platform.TELEGRAM, "42")


async def test_posts(store: Store) -> None:
    await store.record_post(Platform.VK, "12345", "77", "Ремонт дорог в 2026 году", "photo", T0)
    await store.record_post(Platform.VK, "12345", "77", "Ремонт дорог в 2026 году (обновлено)", "photo", T0)
    assert await store.post_text(Platform.VK, "12345", "77") == "Ремонт дорог в 2026 году (обновлено)"
    assert await store.post_text(Platform.VK, "12345", "78") is None
