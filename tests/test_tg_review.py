"""The moderators' queue through the real aiogram client and the Telegram emulator: every button pressed, the
card redrawn from the records with the platform's state, decisions taken back, forged buttons refused, reports
of automatic deletions, reminders and the chat's commands."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bots.telegram.actions import TelegramActions
from bots.telegram.live import TelegramAuthors, TelegramLiveState, TelegramNotices
from bots.telegram.review import REFUSAL, TelegramReviewQueue
from bots.telegram.review_commands import ModeratorCommands
from bots.telegram.review_render import CardAction
from dozor.cards import CardDesk, Platforms
from dozor.workbench import Workbench
from emulators.telegram.model import StoredMessage
from models.store import Store
from models.workbench import WorkbenchStore
from moderation.config import EscalationPolicy, Mode, ModerationConfig, WorkbenchPolicy
from moderation.daemon.decisions import StoreDecisionHandler
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import IncomingComment, ModeratorChoice, RateLimited
from moderation.types import Platform
from tests.db_fixtures import sqlite_store, sqlite_template, sqlite_url  # noqa: F401  (fixtures)
from tests.pipeline_fakes import Clock, classify
from tests.test_tg_support import CollectingSink, World, running_worker, tg_world

pytestmark = pytest.mark.timeout(120)
BARNAUL = ZoneInfo("Asia/Barnaul")
ADVERT = "Купить окна со скидкой 30%, звоните"
OBSCENE = "Опять бля дорогу не почистили"
WAIT = 30.0


@dataclass
class TgBench:
    world: World
    store: Store
    pipeline: Pipeline
    queue: TelegramReviewQueue
    workbench: Workbench
    clock: Clock
    post: StoredMessage
    handled: list[IncomingComment]

    async def settle(self, advance: float = 0.0) -> None:
        """Let the runner do what is due (after moving the daemon's clock on by `advance` seconds)."""
        self.clock.advance(seconds=advance)
        for _ in range(6):
            if await self.pipeline.runner.run_due() == 0:
                return

    async def comment(self, text: str) -> StoredMessage:
        """A citizen comments; returns the comment once the daemon has decided it and acted."""
        before = len(self.handled)
        message = self.world.emu.post_comment(self.post, text, user=self.world.citizen)
        await self.world.emu.wait_until(lambda: len(self.handled) > before, WAIT)
        await self.settle()
        return message

    def cards(self) -> list[StoredMessage]:
        return self.world.emu.sent_by_bots(self.world.moderators_chat)

    def card_with(self, text: str) -> StoredMessage:
        return next(m for m in self.cards() if text in (m.text or ""))

    async def press(self, message: StoredMessage, text: str | None = None, *, data: str | None = None,
                    user: object = None) -> str:  # fmt: skip
        who = user or self.world.moderator
        press = self.world.emu.press_button(message, who, text=text, data=data)  # type: ignore[arg-type]
        await self.world.emu.wait_until(lambda: self.world.emu.answer_to(press) is not None, WAIT)
        return press

    def answer(self, press: str) -> str:
        return self.world.emu.answer_to(press) or ""


@asynccontextmanager
async def tg_bench(
    store: Store,
    mode: Mode = Mode.ENFORCE,
    escalation: EscalationPolicy | None = None,
    per_chat_per_minute: int = 20,
) -> AsyncIterator[TgBench]:
    async with tg_world(per_chat_per_minute) as world:
        clock = Clock(datetime.now(UTC))
        policy = ModerationConfig(escalation=escalation or EscalationPolicy(), workbench=WorkbenchPolicy())
        actions = TelegramActions(world.bot)
        handler = StoreDecisionHandler(
            store,
            moderators=[str(world.moderator.id), str(world.second_moderator.id)],
            escalation=policy.escalation,
            clock=clock,
            workbench=policy.workbench,
            tz=BARNAUL,
        )
        platforms = Platforms(
            authors={Platform.TELEGRAM: TelegramAuthors()},
            live={Platform.TELEGRAM: TelegramLiveState(world.bot, actions)},
            notices={Platform.TELEGRAM: TelegramNotices(world.bot, actions)},
        )
        desk = CardDesk(
            WorkbenchStore(store), handler, policy, BARNAUL, platforms, bot=world.bot, clock=clock
        )
        queue = TelegramReviewQueue(world.bot, world.moderators_chat.id, desk, now=clock, display_tz=BARNAUL)
        queue.extra_routers.append(ModeratorCommands(queue.chat_id, desk, BARNAUL).router())
        workbench = Workbench(desk, queue)
        pipeline = Pipeline(classify, store, {Platform.TELEGRAM: actions}, workbench, mode, policy.escalation,
                            clock, tz=BARNAUL)  # fmt: skip
        handled: list[IncomingComment] = []

        async def on_comment(comment: IncomingComment) -> None:
            await pipeline.handle(comment)
            handled.append(comment)

        async with running_worker(world, CollectingSink(), [queue.router], on_comment=on_comment):
            post = world.emu.post_to_channel(world.channel, "Отчёт главы города о работе за 2026 год")
            await world.emu.wait_until(lambda: world.emu.forward_of(post) is not None, WAIT)
            yield TgBench(world, store, pipeline, queue, workbench, clock, post, handled)


async def test_card_shows_author_record_clause_and_folded_details(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store) as b:
        await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        html = card.html or ""
        citizen = b.world.citizen
        assert f'<a href="tg://user?id={citizen.id}">Иван Петров</a>' in html
        assert "раньше ничего не удаляли; не ограничен" in html
        assert "• п. 2.5, пп. 2 — реклама (вероятно)" in html and "lexicon:" not in html
        assert "<b>К посту:</b> Отчёт главы города о работе за 2026 год" in html
        assert "«Удалить» — без ограничения автора (первое нарушение)" in html
        assert any(e["type"] == "expandable_blockquote" for e in card.payload.get("entities", []))
        assert all(len(b["callback_data"].encode()) <= 64 for row in card.reply_markup["inline_keyboard"]
                   for b in row)  # type: ignore[index]  # fmt: skip


@pytest.mark.parametrize(
    ("button", "deleted", "restricted"),
    [("Оставить", False, False), ("Удалить", True, False), ("Удалить и ограничить 1 д", True, True),
     ("Удалить и ограничить 7 д", True, True), ("Удалить и ограничить 30 д", True, True)],
)  # fmt: skip
async def test_every_button_on_a_review_card_shows_the_platforms_state_after(
    sqlite_store: Store, button: str, deleted: bool, restricted: bool
) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        comment = await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        press = await b.press(card, button)
        assert b.answer(press).startswith(("Оставлено", "Удалено"))
        assert "✅ Решение: " + button.replace(" и ограничить ", " и ограничить на ") in (card.text or "")
        assert card.button_texts() == ["↩️ Отменить решение"]
        await b.settle()
        assert b.world.emu.is_deleted(comment) is deleted
        text = card.text or ""
        assert ("комментарий удалён" if deleted else "комментарий на месте") in text
        assert ("автор ограничен до" if restricted else "автор не ограничен") in text
        assert "(по данным Telegram)" in text, "the restriction re-read with getChatMember"
        assert (b.world.emu.restriction(b.world.group, b.world.citizen.id) is not None) is restricted


async def test_a_decision_is_taken_back_and_the_card_reopened(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        comment = await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        await b.press(card, "Удалить и ограничить 7 д")
        press = await b.press(card, "↩️ Отменить решение", user=b.world.second_moderator)
        assert b.answer(press) == "Решение отменено, карточка открыта заново"
        await b.settle()
        assert not b.world.emu.is_deleted(comment), "nothing had run yet: the deletion was cancelled"
        assert b.world.emu.restriction(b.world.group, b.world.citizen.id) is None
        text = card.text or ""
        assert "Решение отменено — Сергей Кузнецов" in text and text.startswith("🛡 Комментарий на проверку")
        assert card.button_texts()[:2] == ["Оставить", "Удалить"]
        await b.press(card, "Оставить")
        assert "✅ Решение: Оставить" in (card.text or "")


async def test_a_decision_cannot_be_taken_back_after_the_window(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        await b.press(card, "Оставить")
        undo = CardAction.unpack(card.reply_markup["inline_keyboard"][0][0]["callback_data"])  # type: ignore[index]
        b.clock.advance(minutes=16)
        press = await b.press(card, data=undo.pack())
        assert "только в течение 15 мин" in b.answer(press)
        await b.workbench.sweep()
        await b.settle()
        assert card.button_texts() == [], "the undo button is taken away when the window closes"


async def test_forged_buttons_are_refused(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        first = await b.comment(ADVERT)
        second = await b.comment("Купить шины недорого, звоните")
        card_a, card_b = b.card_with(ADVERT), b.card_with("шины")
        id_b = CardAction.unpack(card_b.reply_markup["inline_keyboard"][0][0]["callback_data"]).card  # type: ignore[index]
        id_a = CardAction.unpack(card_a.reply_markup["inline_keyboard"][0][0]["callback_data"]).card  # type: ignore[index]
        forged = [
            CardAction(card=id_b, choice=ModeratorChoice.DELETE),  # another card's data on this message
            CardAction(
                card=id_a, choice=ModeratorChoice.DELETE_RESTRICT, days=400
            ),  # a length nobody offered
            CardAction(card=id_a, choice=ModeratorChoice.RESTORE),  # not for a card awaiting a decision
            CardAction(card=id_a, choice=ModeratorChoice.LIFT),
        ]
        answers = [b.answer(await b.press(card_a, data=data.pack())) for data in forged]
        assert "не от этой карточки" in answers[0]
        assert "Такого срока ограничения нет" in answers[1]
        assert answers[2] and answers[3]
        await b.settle()
        assert not b.world.emu.is_deleted(first) and not b.world.emu.is_deleted(second)
        assert b.world.emu.restriction(b.world.group, b.world.citizen.id) is None
        assert card_a.edits == 0 and card_b.edits == 0
        assert (await b.store.status()).open_cards == 2


async def test_outsider_press_is_refused_and_logged(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bots.telegram.review")
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        press = await b.press(card, "Удалить", user=b.world.outsider)
        assert b.answer(press) == REFUSAL and b.world.emu.state.callback_answers[press].show_alert
        assert card.edits == 0
    assert any(str(b.world.outsider.id) in record.getMessage() for record in caplog.records)


async def test_two_presses_at_once_produce_one_decision(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        first = b.world.emu.press_button(card, b.world.moderator, text="Удалить")
        second = b.world.emu.press_button(card, b.world.second_moderator, text="Оставить")
        await b.world.emu.wait_until(lambda: b.answer(first) and b.answer(second), WAIT)
        answers = sorted([b.answer(first), b.answer(second)])
        assert sum(a.startswith("Уже решено: ") for a in answers) == 1
        assert (card.text or "").count("✅ Решение:") == 1


async def test_automatic_deletions_are_reported_and_a_restriction_lifted_from_the_report(
    sqlite_store: Store,
) -> None:
    async with tg_bench(sqlite_store) as b:
        comment = await b.comment(OBSCENE)
        assert b.world.emu.is_deleted(comment)
        assert b.cards() == [], "an automatic deletion gets no card of its own"
        await b.settle()  # the restriction, and the notice once the restriction is known to be in force
        assert b.world.emu.restriction(b.world.group, b.world.citizen.id) is not None, "serious: first time"
        notices = [m for m in b.world.emu.sent_by_bots(b.world.group) if "п. 2.5, пп. 2" in (m.text or "")]
        assert len(notices) == 1 and "Возможность писать здесь ограничена до" in (notices[0].text or "")
        await b.settle(advance=30)
        report = next(m for m in b.cards() if (m.text or "").startswith("🗑 Удалено автоматически: 1"))
        assert report.button_texts() == ["🔓 1 Снять ограничение", "☑️ Принято"], "Telegram cannot restore"
        press = await b.press(report, "🔓 1 Снять ограничение")
        assert b.answer(press) == "Ограничение снято"
        await b.settle()
        assert b.world.emu.restriction(b.world.group, b.world.citizen.id) is None
        assert "автор не ограничен" in (report.text or "")
        assert report.button_texts() == ["↩️ 1 Отменить решение"], "nothing left to accept"


async def test_a_report_is_accepted_and_the_cards_close(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store) as b:
        await b.comment(OBSCENE)
        await b.settle(advance=30)
        assert (await b.store.status()).unacknowledged_deletions == 1
        report = next(m for m in b.cards() if (m.text or "").startswith("🗑 Удалено автоматически"))
        await b.press(report, "☑️ Принято")
        assert (await b.store.status()).unacknowledged_deletions == 0
        assert "☑️ Принято — Мария Иванова" in (report.text or "")
        assert report.button_texts() == ["↩️ Отменить «Принято»"]


async def test_cards_for_moderators_are_not_stuck_behind_automatic_deletions(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, escalation=EscalationPolicy(grounds={}), per_chat_per_minute=5) as b:
        for n in range(12):
            b.world.emu.post_comment(b.post, f"{OBSCENE} {n}", user=b.world.citizen)
        await b.world.emu.wait_until(lambda: len(b.handled) == 12, WAIT)
        await b.comment(ADVERT)
        assert [m.text.split("\n")[0] for m in b.cards()] == ["🛡 Комментарий на проверку"]  # type: ignore[union-attr]
        await b.settle(advance=30)
        await b.settle(advance=200)
        heads = [(m.text or "").split("\n")[0] for m in b.cards()]
        assert heads[0] == "🛡 Комментарий на проверку" and len(heads) == 2, heads
        assert heads[1].startswith("🗑 Удалено автоматически: 12"), "the burst in one report"
        assert (await b.store.status()).parked_actions == 0


async def test_bidi_controls_are_neutralised_and_html_escaped(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment("Купить <b>окна</b> \u202eскидка\u202c & \u2066звоните\u2069")
        card = b.card_with("окна")
        assert not set("\u202e\u202c\u2066\u2069") & set(card.html or "")
        assert "&lt;b&gt;окна&lt;/b&gt;" in (card.html or "") and "&amp;" in (card.html or "")


async def test_long_comment_card_fits_the_telegram_limit(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment("Купить окна, звоните. " * 250)
        card = b.card_with("Купить окна")
        assert len(card.text or "") <= 4096 and "ещё" in (card.text or "")


async def test_card_over_the_group_rate_limit_is_rate_limited(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW, per_chat_per_minute=1) as b:
        await b.comment(ADVERT)
        view = await b.workbench.desk.card_view(1)
        assert view is not None
        with pytest.raises(RateLimited) as caught:
            await b.queue.send_card(view)
        assert caught.value.retry_after > 0


async def test_a_card_waiting_too_long_is_brought_up(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        b.clock.advance(minutes=61)
        await b.workbench.sweep()
        reminder = b.cards()[-1]
        assert (reminder.text or "").startswith("⏰ Ждут решения: 1")
        assert reminder.payload["reply_to_message"]["message_id"] == card.message_id


async def test_commands_find_history_and_week(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store) as b:
        await b.comment(ADVERT)
        await b.comment(OBSCENE)
        emu, chat = b.world.emu, b.world.moderators_chat

        async def ask(text: str, user: object = None) -> str:
            asked = emu.say(chat, user or b.world.moderator, text)  # type: ignore[arg-type]
            await emu.wait_until(lambda: emu.replies_to(asked), WAIT)
            return emu.replies_to(asked)[0].text or ""

        found = await ask("/find окна")
        assert found.startswith("Найдено по «окна»") and "Иван Петров" in found and "ждёт решения" in found
        history = await ask(f"/history {b.world.citizen.id}")
        assert "Иван Петров" in history and "удалено раньше: 1 (ненормативная лексика — 1)" in history
        assert "ограничен до" in history
        week = await ask("/week")
        assert "Проверено комментариев: 2" in week and "Ждут решения сейчас: 1" in week
        assert "Команды доступны только модераторам" in await ask("/week", b.world.outsider)
        assert "/find" in await ask("/help")


async def test_days_in_cards_follow_the_configured_zone(sqlite_store: Store) -> None:
    async with tg_bench(sqlite_store, Mode.REVIEW) as b:
        await b.comment(ADVERT)
        card = b.card_with(ADVERT)
        await b.press(card, "Оставить")
        local = b.clock.now.astimezone(BARNAUL)
        assert f"{local:%d.%m.%Y %H:%M}" in (card.text or "")
        late = await b.press(card, data=CardAction(card=1, choice=ModeratorChoice.DELETE).pack(),
                             user=b.world.second_moderator)  # fmt: skip
        assert b.answer(late).endswith(f"{local:%d.%m %H:%M})"), "«Уже решено» in the same zone"
        assert timedelta(hours=7) == local.utcoffset()
