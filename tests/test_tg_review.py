"""The moderators' queue: cards with evidence and buttons; presses become exactly one recorded decision."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bots.telegram.review import REFUSAL, TelegramReviewQueue
from bots.telegram.review_render import CardAction, mark_spans, render_card
from moderation.daemon.ports import IncomingComment, ModeratorChoice, RateLimited, ReviewCard
from moderation.types import Action, Evidence, Ground, Platform, Span, Verdict
from tests.test_tg_support import FIXED_NOW, CollectingSink, FakeDecisions, World, running_worker, tg_world

COMMENT = "Глава — <вор> & взяточник, звоните 8-913-555-12-34"


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world() as built:
        yield built


def make_card(
    card_id: int = 17, text: str = COMMENT, auto_deleted: bool = False, platform: Platform = Platform.TELEGRAM
) -> ReviewCard:
    comment = IncomingComment(
        platform=platform,
        page_id="-1000000000001",
        post_id="12",
        comment_id="345",
        author_id="100003",
        text=text,
        created_at=FIXED_NOW,
        author_name="Иван <Петров>",
        post_text="Отчёт главы города о работе за 2026 год",
        chat_id="-1000000000002",
    )
    phone = text.find("8-913")
    verdict = Verdict(
        comment_id="345",
        action=Action.REVIEW,
        grounds=(Ground.DEFAMATION, Ground.PERSONAL_DATA),
        scores={Ground.DEFAMATION: 0.71, Ground.PERSONAL_DATA: 0.93},
        evidence=(
            Evidence("insult_lexicon", Ground.DEFAMATION, 0.71, (Span(8, 13), Span(16, 26))),
            Evidence(
                "phone_number", Ground.PERSONAL_DATA, 0.93, (Span(phone, phone + 15),), "мобильный номер"
            ),
        ),
    )
    return ReviewCard(
        card_id=card_id,
        comment=comment,
        verdict=verdict,
        auto_deleted=auto_deleted,
        comment_url="https://t.me/rubtsovsk_adm/12?comment=345",
        page_title="Администрация города Рубцовска",
    )


def test_spans_are_marked_in_escaped_text() -> None:
    marked = mark_spans(COMMENT, [Span(8, 13), Span(16, 26), Span(10, 12)])
    assert marked.startswith("Глава — <u>&lt;вор&gt;</u> &amp; <u>взяточник,</u>")


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("бла <b>", [Span(4, 7)], "бла <u>&lt;b&gt;</u>"),
        ("ёлки 🙂 палки", [Span(7, 12)], "ёлки 🙂 <u>палки</u>"),
        ("край", [Span(2, 99), Span(-5, 1)], "<u>к</u>р<u>ай</u>"),
        ("пусто", [Span(3, 3)], "пусто"),
    ],
    ids=["разметка-в-тексте", "эмодзи", "за-границами", "пустой-отрезок"],
)
def test_mark_spans_edge_cases(text: str, spans: list[Span], expected: str) -> None:
    assert mark_spans(text, spans) == expected


def test_card_shows_page_link_author_grounds_and_scores() -> None:
    html = render_card(make_card())
    assert "Администрация города Рубцовска" in html
    assert 'href="https://t.me/rubtsovsk_adm/12?comment=345"' in html
    assert "Иван &lt;Петров&gt; (id 100003)" in html
    assert "Порочит честь и достоинство (0.71); Персональные данные (0.93)" in html
    assert "phone_number → Персональные данные 0.93: «8-913-555-12-34»" in html
    assert "<u>8-913-555-12-34</u>" in html


async def test_long_comment_card_fits_telegram_limit(world: World) -> None:
    queue = TelegramReviewQueue(world.bot, world.moderators_chat.id, FakeDecisions([]))
    long_text = "Жалоба на управляющую компанию. " * 400
    ref = await queue.post_card(make_card(text=long_text))
    chat_id, message_id = map(int, ref.split(":"))
    assert len(world.emu.state.messages[(chat_id, message_id)].text or "") <= 4096


async def test_card_is_posted_with_buttons(world: World) -> None:
    queue = TelegramReviewQueue(world.bot, world.moderators_chat.id, FakeDecisions([]))
    ref = await queue.post_card(make_card())
    card = world.emu.sent_by_bots(world.moderators_chat)[-1]
    assert ref == f"{world.moderators_chat.id}:{card.message_id}"
    assert card.button_texts() == [
        "Оставить",
        "Удалить",
        "Удалить и ограничить 1 д",
        "Удалить и ограничить 7 д",
        "Удалить и ограничить 30 д",
    ]
    rows = (card.reply_markup or {})["inline_keyboard"]
    data = [CardAction.unpack(button["callback_data"]) for row in rows for button in row]
    assert data[3] == CardAction(card=17, choice=ModeratorChoice.DELETE_RESTRICT, days=7)
    assert all(len(button["callback_data"].encode()) <= 64 for row in rows for button in row)


@pytest.mark.parametrize(
    ("platform", "buttons"),
    [(Platform.VK, ["Восстановить", "Снять ограничение"]), (Platform.TELEGRAM, ["Снять ограничение"])],
    ids=["вконтакте", "телеграм-без-восстановления"],
)
async def test_auto_deleted_card_offers_restore_and_lift(
    world: World, platform: Platform, buttons: list[str]
) -> None:
    queue = TelegramReviewQueue(world.bot, world.moderators_chat.id, FakeDecisions([]))
    await queue.post_card(make_card(auto_deleted=True, platform=platform))
    card = world.emu.sent_by_bots(world.moderators_chat)[-1]
    assert card.button_texts() == buttons
    assert card.text is not None and card.text.startswith("🗑 Удалён автоматически")


async def test_card_over_the_group_rate_limit_is_rate_limited() -> None:
    async with tg_world(per_chat_per_minute=2) as world:
        queue = TelegramReviewQueue(world.bot, world.moderators_chat.id, FakeDecisions([]))
        await queue.post_card(make_card(1))
        await queue.post_card(make_card(2))
        with pytest.raises(RateLimited) as caught:
            await queue.post_card(make_card(3))
        assert caught.value.retry_after > 0


def make_queue(world: World, decisions: FakeDecisions) -> TelegramReviewQueue:
    return TelegramReviewQueue(world.bot, world.moderators_chat.id, decisions, now=lambda: FIXED_NOW)


async def test_moderator_press_records_decision_and_closes_card(world: World) -> None:
    decisions = FakeDecisions([world.moderator.id])
    queue = make_queue(world, decisions)
    async with running_worker(world, CollectingSink(), [queue.router]):
        await queue.post_card(make_card())
        card = world.emu.sent_by_bots(world.moderators_chat)[-1]
        press = world.emu.press_button(card, world.moderator, text="Удалить и ограничить 7 д")
        await world.emu.wait_until(lambda: world.emu.answer_to(press) is not None)
    request = decisions.requests[0]
    assert (request.card_id, request.choice, request.restrict_days) == (
        17,
        ModeratorChoice.DELETE_RESTRICT,
        7,
    )
    assert (request.moderator_id, request.moderator_name) == (str(world.moderator.id), "Мария Иванова")
    assert request.at == FIXED_NOW
    assert world.emu.answer_to(press) == "Решение записано."
    assert card.reply_markup is None
    assert card.text is not None
    assert "Решение: Удалить и ограничить на 7 д — Мария Иванова, 29.11.2026 15:30" in card.text
    assert "Иван <Петров>" in card.text  # the card body survived the edit
    assert card.html is not None and "<u>8-913-555-12-34</u>" in card.html


async def test_outsider_press_is_refused_and_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    decisions = FakeDecisions([world.moderator.id])
    queue = make_queue(world, decisions)
    caplog.set_level(logging.WARNING, logger="bots.telegram.review")
    async with running_worker(world, CollectingSink(), [queue.router]):
        await queue.post_card(make_card())
        card = world.emu.sent_by_bots(world.moderators_chat)[-1]
        press = world.emu.press_button(card, world.outsider, text="Оставить")
        await world.emu.wait_until(lambda: world.emu.answer_to(press) is not None)
    assert world.emu.answer_to(press) == REFUSAL
    assert world.emu.state.callback_answers[press].show_alert
    assert decisions.requests == []
    assert card.reply_markup is not None and card.edits == 0
    assert any(str(world.outsider.id) in record.getMessage() for record in caplog.records)


async def test_two_presses_at_once_produce_one_decision(world: World) -> None:
    decisions = FakeDecisions([world.moderator.id, world.second_moderator.id])
    queue = make_queue(world, decisions)
    await queue.post_card(make_card())
    card = world.emu.sent_by_bots(world.moderators_chat)[-1]
    first = world.emu.press_button(card, world.moderator, text="Удалить")
    second = world.emu.press_button(card, world.second_moderator, text="Оставить")
    async with running_worker(world, CollectingSink(), [queue.router]):  # both arrive in one batch
        await world.emu.wait_until(lambda: world.emu.answer_to(first) and world.emu.answer_to(second))
    assert len(decisions.requests) == 2 and len(decisions.decided) == 1
    winner = decisions.decided[17]
    loser_press = second if winner.moderator_id == str(world.moderator.id) else first
    winner_press = first if loser_press == second else second
    assert world.emu.answer_to(winner_press) == "Решение записано."
    assert (world.emu.answer_to(loser_press) or "").startswith("Уже решено: ")
    assert card.edits == 1 and card.reply_markup is None
    assert card.text is not None and f"— {winner.moderator_name}," in card.text


async def test_failed_decision_keeps_the_card_open(world: World) -> None:
    decisions = FakeDecisions([world.moderator.id], fail=True)
    queue = make_queue(world, decisions)
    async with running_worker(world, CollectingSink(), [queue.router]):
        await queue.post_card(make_card())
        card = world.emu.sent_by_bots(world.moderators_chat)[-1]
        press = world.emu.press_button(card, world.moderator, text="Удалить")
        await world.emu.wait_until(lambda: world.emu.answer_to(press) is not None)
    assert world.emu.answer_to(press) == "Не удалось записать решение, попробуйте ещё раз."
    assert card.reply_markup is not None and card.edits == 0


def test_decision_time_is_shown_in_rubtsovsk_time() -> None:
    from zoneinfo import ZoneInfo

    from bots.telegram.review_render import render_decision

    moment = datetime(2026, 12, 31, 20, 0, tzinfo=UTC) + timedelta(minutes=5)
    line = render_decision("Оставить", "Сергей <Кузнецов>", moment, ZoneInfo("Asia/Barnaul"))
    assert line == "✅ <b>Решение:</b> Оставить — Сергей &lt;Кузнецов&gt;, 01.01.2027 03:05"
