"""The Telegram emulator honours the Bot API contract, checked through the real aiogram client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from emulators.telegram.server import ScriptError
from tests.test_tg_support import World, tg_world


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world(per_chat_per_minute=3) as built:
        yield built


async def test_unknown_token_is_unauthorized(world: World) -> None:
    stranger = world.emu.make_bot("42:AAHnot-a-registered-token")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()


async def test_get_chat_shows_page_design_and_linked_group(world: World) -> None:
    chat = await world.bot.get_chat(world.channel.id)
    assert chat.title == "Администрация города Рубцовска"
    assert chat.username == "rubtsovsk_adm"
    assert chat.description is not None and "9-64-09" in chat.description
    assert chat.photo is not None
    assert chat.linked_chat_id == world.group.id
    by_name = await world.bot.get_chat("@rubtsovsk_adm")
    assert by_name.id == world.channel.id


async def test_administrators_include_bots_marked_is_bot(world: World) -> None:
    admins = await world.bot.get_chat_administrators(world.channel.id)
    people = [member.user.full_name for member in admins if not member.user.is_bot]
    assert people == ["Ольга Смирнова"]
    assert any(member.user.is_bot and member.status == "administrator" for member in admins)


async def test_channel_post_reaches_bot_and_discussion_group(world: World) -> None:
    post = world.emu.post_to_channel(world.channel, "График отключения горячей воды на декабрь", kind="photo")
    comment = world.emu.post_comment(post, "А на улице Октябрьской когда включат?", user=world.citizen)
    updates = await world.bot.get_updates(timeout=1)
    assert updates[0].channel_post is not None
    assert (updates[0].channel_post.caption or "").startswith("График")
    forward = updates[1].message
    assert forward is not None and forward.is_automatic_forward
    assert forward.from_user is not None and forward.from_user.id == 777000
    assert forward.sender_chat is not None and forward.sender_chat.id == world.channel.id
    reply = updates[2].message
    assert reply is not None and reply.message_id == comment.message_id
    assert reply.message_thread_id == forward.message_id
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == forward.message_id


async def test_offset_confirms_and_allowed_updates_filter(world: World) -> None:
    world.emu.post_to_channel(world.channel, "Объявление о приёме граждан")
    first = await world.bot.get_updates(timeout=0, allowed_updates=["channel_post"])
    assert [update.event_type for update in first] == ["channel_post"]
    assert await world.bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(world: World) -> None:
    async def publish_later() -> None:
        await asyncio.sleep(0.1)
        world.emu.post_to_channel(world.channel, "Срочно: перекрытие проспекта Ленина")

    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.create_task(publish_later())
    updates = await world.bot.get_updates(timeout=5, allowed_updates=["channel_post"])
    await task
    assert updates and loop.time() - started < 2


async def test_html_is_validated_and_read_back(world: World) -> None:
    sent = await world.bot.send_message(
        world.moderators_chat.id, "<b>Жалоба</b> &lt;срочно&gt;", parse_mode="HTML"
    )
    assert sent.text == "Жалоба <срочно>" and sent.html_text == "<b>Жалоба</b> &lt;срочно&gt;"
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await world.bot.send_message(world.moderators_chat.id, "<div>нельзя</div>", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(world: World) -> None:
    too_long = InlineKeyboardButton(text="Удалить", callback_data="д" * 33)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await world.bot.send_message(
            world.moderators_chat.id,
            "Карточка",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[too_long]]),
        )


async def test_delete_refused_after_48_hours(world: World) -> None:
    post = world.emu.post_to_channel(world.channel, "Итоги субботника")
    old = world.emu.post_comment(post, "Спасибо всем участникам!", user=world.citizen)
    world.emu.advance_clock(48 * 3600 + 1)
    fresh = world.emu.post_comment(post, "Купи дешёвые кроссовки тут", user=world.citizen)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await world.bot.delete_message(world.group.id, old.message_id)
    assert await world.bot.delete_message(world.group.id, fresh.message_id)
    assert world.emu.is_deleted(fresh) and not world.emu.is_deleted(old)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await world.bot.delete_message(world.group.id, fresh.message_id)


async def test_send_document_stores_the_file(world: World) -> None:
    digest = BufferedInputFile("Неделя 48: 6 публикаций".encode(), filename="digest.csv")
    message = await world.bot.send_document(world.moderators_chat.id, digest, caption="Сводка за неделю")
    stored = world.emu.state.documents[-1]
    assert stored.filename == "digest.csv" and stored.data.decode() == "Неделя 48: 6 публикаций"
    assert message.document is not None and message.document.file_name == "digest.csv"
    assert stored.caption == "Сводка за неделю"


async def test_group_rate_limit_answers_429_with_retry_after(world: World) -> None:
    for number in range(3):
        await world.bot.send_message(world.moderators_chat.id, f"Карточка {number}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await world.bot.send_message(world.moderators_chat.id, "Карточка лишняя")
    assert 1 <= caught.value.retry_after <= 60
    world.emu.advance_clock(61)
    await world.bot.send_message(world.moderators_chat.id, "Карточка после паузы")


async def test_edit_without_keyboard_removes_buttons(world: World) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Оставить", callback_data="k")]]
    )
    sent = await world.bot.send_message(world.moderators_chat.id, "Карточка", reply_markup=keyboard)
    await world.bot.edit_message_text(
        "Карточка — решено", chat_id=world.moderators_chat.id, message_id=sent.message_id
    )
    stored = world.emu.state.messages[(world.moderators_chat.id, sent.message_id)]
    assert stored.reply_markup is None and stored.text == "Карточка — решено"
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await world.bot.edit_message_text(
            "Карточка — решено", chat_id=world.moderators_chat.id, message_id=sent.message_id
        )


async def test_restricted_user_cannot_comment(world: World) -> None:
    post = world.emu.post_to_channel(world.channel, "Опрос о благоустройстве парка")
    world.emu.state.bans[(world.group.id, world.citizen.id)] = 0
    with pytest.raises(ScriptError):
        world.emu.post_comment(post, "Опять я", user=world.citizen)


async def test_stop_releases_pending_long_poll() -> None:
    async with tg_world() as built:
        poll = asyncio.create_task(built.bot.get_updates(timeout=30))
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await built.emu.stop()
        assert await poll == []
        assert loop.time() - started < 3


async def test_second_poller_of_one_bot_ends_the_first_with_conflict(world: World) -> None:
    first = asyncio.create_task(world.bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    await world.bot.get_updates(timeout=0)
    with pytest.raises(TelegramConflictError):
        await first


async def test_callback_query_can_be_answered_once(world: World) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Оставить", callback_data="k")]]
    )
    sent = await world.bot.send_message(world.moderators_chat.id, "Карточка", reply_markup=keyboard)
    stored = world.emu.state.messages[(world.moderators_chat.id, sent.message_id)]
    press = world.emu.press_button(stored, world.moderator, text="Оставить")
    assert await world.bot.answer_callback_query(press, text="Принято")
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await world.bot.answer_callback_query(press, text="Ещё раз")
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await world.bot.answer_callback_query("cbq-выдуманный")
    assert world.emu.answer_to(press) == "Принято"


async def test_get_chat_member_reports_a_restriction_and_its_end(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from aiogram.types import ChatMemberMember, ChatMemberRestricted, ChatPermissions

    member = await world.bot.get_chat_member(world.group.id, world.citizen.id)
    assert isinstance(member, ChatMemberMember)
    until = datetime.now(UTC) + timedelta(days=1)
    await world.bot.restrict_chat_member(
        world.group.id, world.citizen.id, ChatPermissions(can_send_messages=False), until_date=until
    )
    member = await world.bot.get_chat_member(world.group.id, world.citizen.id)
    assert isinstance(member, ChatMemberRestricted) and not member.can_send_messages
    assert abs(member.until_date.timestamp() - until.timestamp()) < 2


async def test_expandable_quotes_are_entities_and_quotes_do_not_nest(world: World) -> None:
    sent = await world.bot.send_message(
        world.moderators_chat.id, "<blockquote expandable>подробно</blockquote>", parse_mode="HTML"
    )
    assert sent.entities is not None and sent.entities[0].type == "expandable_blockquote"
    with pytest.raises(TelegramBadRequest, match="nested"):
        nested = "<blockquote>a<blockquote>b</blockquote></blockquote>"
        await world.bot.send_message(world.moderators_chat.id, nested, parse_mode="HTML")


async def test_a_reply_names_the_message_it_answers(world: World) -> None:
    from aiogram.types import ReplyParameters

    first = await world.bot.send_message(world.moderators_chat.id, "карточка")
    reply = await world.bot.send_message(
        world.moderators_chat.id, "напоминание", reply_parameters=ReplyParameters(message_id=first.message_id)
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == first.message_id
    with pytest.raises(TelegramBadRequest, match="replied not found"):
        await world.bot.send_message(
            world.moderators_chat.id, "x", reply_parameters=ReplyParameters(message_id=9999)
        )
