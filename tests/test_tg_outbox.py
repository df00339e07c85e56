"""A card is posted once: a send whose answer was lost is found again by its identical text and buttons.

The real aiogram client against the emulator, the outbox on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import Engine

from bots.telegram.sending import OnceSender
from emulators.telegram.model import StoredMessage
from emulators.telegram.server import ApiError
from models.store import Store
from moderation.daemon.ports import RateLimited
from tests.db_fixtures import T0
from tests.test_tg_support import World, tg_world

CARD = "🛡 <b>Комментарий на проверку</b>\n<blockquote>Говорят, мост закроют</blockquote>\n<i>Карточка № 7</i>"


def keyboard(card: int = 7) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text="Оставить", callback_data=f"dz:{card}:keep")]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world(per_chat_per_minute=1000) as built:
        yield built


def bot_messages(world: World) -> list[StoredMessage]:
    return world.emu.sent_by_bots(world.moderators_chat)


def someone_writes(world: World, text: str) -> StoredMessage:
    fields = {"from": world.moderator.to_api(), "text": text}
    return world.emu.state.new_message(world.moderators_chat, fields)


async def lose_the_answer(world: World, store: Store, key: str, *, after_effect: bool) -> None:
    """Send, and let the sender die while Telegram holds the call (after or before it took effect)."""
    hold = world.emu.state.hold("sendMessage", after=after_effect)
    hold.fail = None if after_effect else ApiError(502, "Bad Gateway")
    dying = OnceSender(world.bot, store, watch=(world.moderators_chat.id,))
    task = asyncio.create_task(dying.send(key, world.moderators_chat.id, CARD, keyboard()))
    await asyncio.wait_for(hold.reached.wait(), 10)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    hold.release.set()


async def test_a_send_whose_answer_was_lost_is_found_not_repeated(world: World, store: Store) -> None:
    chat = world.moderators_chat.id
    sender = OnceSender(world.bot, store, watch=(chat,))
    earlier = await sender.send("card:6", chat, "Карточка № 6", keyboard(6))
    human_before = someone_writes(world, "Коллеги, посмотрите карточку про мост")
    await lose_the_answer(world, store, "card:7", after_effect=True)
    human_after = someone_writes(world, "Уже смотрю")
    digest = await world.bot.send_message(chat, "Сводка за неделю: удалено 12 комментариев")
    restarted = OnceSender(world.bot, store, watch=(chat,))
    found = await restarted.send("card:7", chat, CARD, keyboard())
    cards = [m for m in bot_messages(world) if "Карточка № 7" in (m.text or "")]
    assert [m.message_id for m in cards] == [found], "the card exists once: the lost send was found"
    assert found > earlier and human_before.message_id < found < human_after.message_id
    assert all(m.edits == 0 for m in bot_messages(world)), "finding it changed no message"
    assert world.emu.state.message(chat, digest.message_id).text.startswith("Сводка")  # type: ignore[union-attr]
    assert await restarted.send("card:7", chat, CARD, keyboard()) == found, "recorded: no probing again"


async def test_a_send_that_never_reached_telegram_is_made_again(world: World, store: Store) -> None:
    chat = world.moderators_chat.id
    await lose_the_answer(world, store, "card:7", after_effect=False)
    assert bot_messages(world) == []
    posted = await OnceSender(world.bot, store, watch=(chat,)).send("card:7", chat, CARD, keyboard())
    assert [m.message_id for m in bot_messages(world)] == [posted]


async def test_a_refused_send_is_made_again_without_looking_for_it(world: World, store: Store) -> None:
    chat = world.moderators_chat.id
    world.emu.state.inject_failure("sendMessage", ApiError(429, "Too Many Requests: retry after 3", 3))
    sender = OnceSender(world.bot, store, watch=(chat,))
    with pytest.raises(RateLimited):
        await sender.send("card:7", chat, CARD, keyboard())
    posted = await sender.send("card:7", chat, CARD, keyboard())
    assert [m.message_id for m in bot_messages(world)] == [posted]
    assert world.emu.state.calls["editMessageText"] == 0


async def test_a_lost_card_a_moderator_already_decided_is_not_posted_twice(
    world: World, store: Store
) -> None:
    chat = world.moderators_chat.id
    await lose_the_answer(world, store, "card:7", after_effect=True)
    [card] = bot_messages(world)
    card.payload["text"] += "\n\n✅ Решение: Оставить — Мария"  # the card was decided before the restart
    card.payload.pop("reply_markup")
    found = await OnceSender(world.bot, store, watch=(chat,)).send("card:7", chat, CARD, keyboard())
    assert found == card.message_id and len(bot_messages(world)) == 1


async def test_a_search_cut_by_a_rate_limit_goes_on_where_it_stopped(world: World, store: Store) -> None:
    chat = world.moderators_chat.id
    await OnceSender(world.bot, store, watch=(chat,)).send("card:6", chat, "Карточка № 6", keyboard(6))
    for n in range(3):
        someone_writes(world, f"Обсуждаем карточку {n}")
    await lose_the_answer(world, store, "card:7", after_effect=True)
    too_many = ApiError(429, "Too Many Requests: retry after 2", 2)
    world.emu.state.inject_failure("editMessageText", too_many, skip=2)  # the third id looked at
    restarted = OnceSender(world.bot, store, watch=(chat,))
    with pytest.raises(RateLimited):
        await restarted.send("card:7", chat, CARD, keyboard())
    looked = world.emu.state.calls["editMessageText"]
    found = await restarted.send("card:7", chat, CARD, keyboard())
    assert world.emu.state.calls["editMessageText"] - looked == 2, (
        "the two people's messages are not looked at again"
    )
    assert len(cards_numbered(world, 7)) == 1 and cards_numbered(world, 7)[0].message_id == found


def cards_numbered(world: World, number: int) -> list[StoredMessage]:
    return [m for m in bot_messages(world) if f"Карточка № {number}" in (m.text or "")]


async def test_retention_forgets_the_text_kept_for_a_send_never_resolved(
    store: Store, engine: Engine
) -> None:
    from models.retention import purge_expired

    await store.send_begin("card:7", -100, 41, {"text": CARD, "markup": None}, T0)
    await store.send_begin("card:8", -100, 41, {"text": CARD, "markup": None}, T0)
    await store.send_resolved("card:8", 42, T0)
    await store.send_begin("card:9", -100, 42, {"text": CARD, "markup": None}, T0 + timedelta(days=2))
    await asyncio.to_thread(purge_expired, engine, T0 + timedelta(days=1), T0 + timedelta(days=2))
    kept = {key: await store.send_record(key) for key in ("card:7", "card:8", "card:9")}
    assert kept["card:7"] is not None and kept["card:7"].body is None, "past the period: the text is gone"
    assert kept["card:8"] is not None and kept["card:8"].message_id == 42
    assert kept["card:9"] is not None and kept["card:9"].body is not None, "within the period: still findable"
