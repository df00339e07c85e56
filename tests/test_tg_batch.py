"""Raids on Telegram: deleteMessages and editMessageText as the emulator answers them; batched actions.

Through the real aiogram client against the emulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.telegram.actions import TelegramActions
from emulators.telegram.model import StoredMessage
from emulators.telegram.server import ApiError
from moderation.daemon.acting import PlatformOp
from moderation.daemon.ports import IncomingComment, NotDeletable, RateLimited, Restriction
from moderation.daemon.records import ActionKind
from moderation.types import Ground, Platform
from tests.test_tg_support import World, tg_world


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world() as built:
        yield built


def _comments(world: World, count: int) -> list[StoredMessage]:
    post = world.emu.post_to_channel(world.channel, "Итоги благоустройства")
    return [world.emu.post_comment(post, f"пиздец номер {n}", user=world.citizen) for n in range(count)]


def _op(world: World, message: StoredMessage, created_at: datetime | None = None) -> PlatformOp:
    comment = IncomingComment(
        platform=Platform.TELEGRAM,
        page_id=str(world.channel.id),
        post_id="1",
        comment_id=str(message.message_id),
        author_id=str(world.citizen.id),
        text=str(message.text),
        created_at=created_at or world.emu.state.clock.now(),
        chat_id=str(world.group.id),
    )
    return PlatformOp(ActionKind.DELETE, comment=comment)


async def test_delete_messages_skips_missing_and_refuses_whole_for_one_it_cannot_delete(world: World) -> None:
    old = _comments(world, 1)[0]
    world.emu.advance_clock(49 * 3600)
    fresh = _comments(world, 3)
    assert await world.bot.delete_messages(world.group.id, [fresh[0].message_id, 999_999])
    assert world.emu.is_deleted(fresh[0])
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await world.bot.delete_messages(world.group.id, [fresh[1].message_id, old.message_id])
    assert not world.emu.is_deleted(fresh[1]) and not world.emu.is_deleted(old), "nothing of a refused call"
    with pytest.raises(TelegramBadRequest, match="too many message identifiers"):
        await world.bot.delete_messages(world.group.id, list(range(1, 102)))


async def test_edit_message_text_answers_as_telegram_does(world: World) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Оставить", callback_data="dz:1:keep")]]
    )
    chat = world.moderators_chat.id
    ours = await world.bot.send_message(chat, "<b>Карточка</b> № 1", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await world.bot.edit_message_text(
            "<b>Карточка</b> № 1",
            chat_id=chat,
            message_id=ours.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    theirs = world.emu.post_comment(
        world.emu.post_to_channel(world.channel, "Пост"), "Вопрос", user=world.citizen
    )
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await world.bot.edit_message_text("x", chat_id=world.group.id, message_id=theirs.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await world.bot.edit_message_text("x", chat_id=chat, message_id=ours.message_id + 50)
    from aiogram.types import BufferedInputFile

    document = await world.bot.send_document(chat, BufferedInputFile(b"<html></html>", "digest.html"))
    with pytest.raises(TelegramBadRequest, match="no text in the message"):
        await world.bot.edit_message_text("x", chat_id=chat, message_id=document.message_id)


async def test_a_raid_is_deleted_a_hundred_at_a_time(world: World) -> None:
    messages = _comments(world, 150)
    restriction = Restriction(Platform.TELEGRAM, str(world.channel.id), str(world.citizen.id),
                              datetime.now(UTC) + timedelta(days=1), Ground.OBSCENITY)  # fmt: skip
    ops = [_op(world, m) for m in messages] + [PlatformOp(ActionKind.RESTRICT, restriction=restriction)]
    world.emu.state.calls.clear()
    outcomes = await TelegramActions(world.bot).perform_batch(ops, timeout=10)
    assert outcomes == [None] * len(ops)
    assert world.emu.state.calls["deleteMessages"] == 2 and world.emu.state.calls["deleteMessage"] == 0
    assert all(world.emu.state.deletions[(world.group.id, m.message_id)] == 1 for m in messages)
    assert world.emu.restriction(world.group, world.citizen.id) is not None


async def test_an_undeletable_message_in_a_batch_is_found_by_deleting_one_by_one(world: World) -> None:
    old = _comments(world, 1)[0]
    world.emu.advance_clock(49 * 3600)
    fresh = _comments(world, 3)
    now = world.emu.state.clock.now()  # the old message's record claims it is recent: only Telegram knows
    ops = [_op(world, old, created_at=now)] + [_op(world, m) for m in fresh]
    outcomes = await TelegramActions(world.bot, now=world.emu.state.clock.now).perform_batch(ops, timeout=10)
    assert isinstance(outcomes[0], NotDeletable) and outcomes[1:] == [None] * 3
    assert all(world.emu.is_deleted(m) for m in fresh) and not world.emu.is_deleted(old)


async def test_a_message_known_to_be_old_is_not_batched(world: World) -> None:
    old = _comments(world, 1)[0]
    world.emu.advance_clock(49 * 3600)
    created = world.emu.state.clock.now() - timedelta(hours=49)
    actions = TelegramActions(world.bot, now=world.emu.state.clock.now)
    [outcome] = await actions.perform_batch([_op(world, old, created_at=created)], timeout=10)
    assert isinstance(outcome, NotDeletable) and world.emu.state.calls["deleteMessages"] == 0


async def test_a_rate_limit_leaves_the_rest_of_the_batch_unattempted(world: World) -> None:
    messages = _comments(world, 3)
    restriction = Restriction(
        Platform.TELEGRAM, str(world.channel.id), str(world.citizen.id), None, Ground.SPAM
    )
    world.emu.state.inject_failure("deleteMessages", ApiError(429, "Too Many Requests: retry after 7", 7))
    ops = [_op(world, m) for m in messages] + [PlatformOp(ActionKind.RESTRICT, restriction=restriction)]
    outcomes = await TelegramActions(world.bot).perform_batch(ops, timeout=10)
    assert all(isinstance(o, RateLimited) and o.retry_after == 7 for o in outcomes)
    assert world.emu.state.calls["restrictChatMember"] == 0 and not any(
        world.emu.is_deleted(m) for m in messages
    )
