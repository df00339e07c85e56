"""TelegramActions deletes and restricts in the discussion group and maps every aiogram error into ours."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import exceptions as aiogram_errors
from aiogram.methods import DeleteMessage

from bots.telegram.actions import TelegramActions, install_token_redaction, map_telegram_error
from emulators.telegram.model import StoredMessage
from emulators.telegram.server import ApiError, ScriptError
from moderation.daemon.ports import (
    Forbidden,
    IncomingComment,
    NotDeletable,
    NotFound,
    PlatformError,
    RateLimited,
    Restriction,
    TransientError,
)
from moderation.types import Ground, Platform
from tests.test_tg_support import TOKEN, World, tg_world


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world() as built:
        yield built


def comment_of(world: World, message: StoredMessage, post: StoredMessage) -> IncomingComment:
    return IncomingComment(
        platform=Platform.TELEGRAM,
        page_id=str(world.channel.id),
        post_id=str(post.message_id),
        comment_id=str(message.message_id),
        author_id=str(world.citizen.id),
        text=str(message.text),
        created_at=datetime.fromtimestamp(message.date, UTC),
        chat_id=str(world.group.id),
    )


def restriction(world: World, author_id: int, until: datetime | None, as_chat: bool = False) -> Restriction:
    return Restriction(
        platform=Platform.TELEGRAM,
        page_id=str(world.channel.id),
        author_id=str(author_id),
        until=until,
        ground=Ground.SPAM if as_chat else Ground.OBSCENITY,
        author_is_chat=as_chat,
    )


def posted(world: World, text: str) -> tuple[StoredMessage, StoredMessage]:
    post = world.emu.post_to_channel(world.channel, "Благоустройство дворов: итоги года")
    return post, world.emu.post_comment(post, text, user=world.citizen)


async def test_delete_removes_the_comment(world: World) -> None:
    post, message = posted(world, "Купите справку без очереди, недорого, пишите в личку")
    await TelegramActions(world.bot).delete_comment(comment_of(world, message, post))
    assert world.emu.is_deleted(message)


async def test_delete_of_a_message_older_than_48_hours_is_not_deletable(world: World) -> None:
    post, message = posted(world, "Старый комментарий с рекламой ремонта квартир")
    world.emu.advance_clock(49 * 3600)
    with pytest.raises(NotDeletable):
        await TelegramActions(world.bot).delete_comment(comment_of(world, message, post))
    assert not world.emu.is_deleted(message)


async def test_delete_of_a_gone_message_is_not_found(world: World) -> None:
    post, message = posted(world, "Удалю сам")
    actions = TelegramActions(world.bot)
    await actions.delete_comment(comment_of(world, message, post))
    with pytest.raises(NotFound):
        await actions.delete_comment(comment_of(world, message, post))


async def test_restrict_sets_until_date_and_silences_the_user(world: World) -> None:
    post, _ = posted(world, "Нецензурный комментарий")
    until = world.emu.state.clock.now() + timedelta(days=7)
    await TelegramActions(world.bot).restrict(restriction(world, world.citizen.id, until))
    record = world.emu.restriction(world.group, world.citizen.id)
    assert record is not None
    assert record.until_date == round(until.timestamp())
    assert not record.permissions["can_send_messages"]
    with pytest.raises(ScriptError):
        world.emu.post_comment(post, "Снова пишу", user=world.citizen)
    world.emu.advance_clock(7 * 86400 + 1)
    world.emu.post_comment(post, "Через неделю снова можно", user=world.citizen)


async def test_permanent_restriction_has_no_until_date(world: World) -> None:
    await TelegramActions(world.bot).restrict(restriction(world, world.citizen.id, None))
    record = world.emu.state.restrictions[(world.group.id, world.citizen.id)]
    assert record.until_date == 0


async def test_almost_expired_restriction_never_becomes_permanent(world: World) -> None:
    now = world.emu.state.clock.now()
    actions = TelegramActions(world.bot, now=lambda: now)
    await actions.restrict(restriction(world, world.citizen.id, now + timedelta(seconds=5)))
    record = world.emu.state.restrictions[(world.group.id, world.citizen.id)]
    assert record.until_date >= round(now.timestamp()) + 60


async def test_lift_restriction_gives_rights_back(world: World) -> None:
    post, _ = posted(world, "Комментарий")
    actions = TelegramActions(world.bot)
    await actions.restrict(restriction(world, world.citizen.id, None))
    await actions.lift_restriction(str(world.channel.id), str(world.citizen.id))
    assert world.emu.restriction(world.group, world.citizen.id) is None
    world.emu.post_comment(post, "Спасибо, что сняли ограничение", user=world.citizen)


async def test_spam_as_a_channel_bans_the_sender_chat(world: World) -> None:
    spammer, _ = world.emu.create_channel("Заработок в интернете", discussion_title="")
    post = world.emu.post_to_channel(world.channel, "Новости городской думы")
    world.emu.post_comment(post, "Заработок от 5000 в день!", as_chat=spammer)
    actions = TelegramActions(world.bot)
    await actions.restrict(restriction(world, spammer.id, None, as_chat=True))
    assert (world.group.id, spammer.id) in world.emu.state.sender_chat_bans
    assert world.emu.state.calls["banChatSenderChat"] == 1
    with pytest.raises(ScriptError):
        world.emu.post_comment(post, "Ещё раз реклама", as_chat=spammer)
    await actions.lift_restriction(str(world.channel.id), str(spammer.id), author_is_chat=True)
    assert (world.group.id, spammer.id) not in world.emu.state.sender_chat_bans


async def test_restore_is_forbidden_on_telegram(world: World) -> None:
    post, message = posted(world, "Ошибочно удалённая жалоба на ямы")
    with pytest.raises(Forbidden):
        await TelegramActions(world.bot).restore_comment(comment_of(world, message, post))


async def test_discussion_group_comes_from_get_chat(world: World) -> None:
    actions = TelegramActions(world.bot)
    assert await actions.discussion_group(str(world.channel.id)) == world.group.id
    assert await actions.discussion_group(str(world.channel.id)) == world.group.id
    assert world.emu.state.calls["getChat"] == 1
    lonely, _ = world.emu.create_channel("Канал без обсуждения", discussion_title="")
    with pytest.raises(NotFound):
        await actions.discussion_group(str(lonely.id))


async def test_bot_without_rights_gets_forbidden(world: World) -> None:
    world.emu.add_admin(world.group, world.bot_user, can_restrict_members=False)
    with pytest.raises(Forbidden):
        await TelegramActions(world.bot).restrict(restriction(world, world.citizen.id, None))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ApiError(429, "Too Many Requests: retry after 7", retry_after=7), RateLimited),
        (ApiError(500, "Internal Server Error"), TransientError),
        (ApiError(502, "Bad Gateway"), TransientError),
        (ApiError(403, "Forbidden: bot was kicked from the supergroup chat"), Forbidden),
        (ApiError(400, "Bad Request: message to delete not found"), NotFound),
        (ApiError(400, "Bad Request: message can't be deleted"), NotDeletable),
        (ApiError(400, "Bad Request: some new refusal"), PlatformError),
    ],
    ids=["429", "500", "502", "403", "не найдено", "48 часов", "иное"],
)
async def test_api_errors_map_into_platform_errors(
    world: World, error: ApiError, expected: type[PlatformError]
) -> None:
    post, message = posted(world, "Комментарий для проверки ошибок")
    world.emu.state.inject_failure("deleteMessage", error)
    with pytest.raises(expected) as caught:
        await TelegramActions(world.bot).delete_comment(comment_of(world, message, post))
    assert type(caught.value) is expected
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7


async def test_unreachable_server_is_transient_and_the_token_stays_secret(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    post, message = posted(world, "Комментарий")
    await world.emu.stop()
    with pytest.raises(TransientError) as caught:
        await TelegramActions(world.bot).delete_comment(comment_of(world, message, post))
    secret = TOKEN.split(":")[1]
    assert secret not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert caplog.records and all(secret not in record.getMessage() for record in caplog.records)


def test_aiogram_log_records_lose_the_token(caplog: pytest.LogCaptureFixture) -> None:
    install_token_redaction()
    try:
        raise RuntimeError(f"Can not write request body for http://127.0.0.1:1/bot{TOKEN}/getUpdates")
    except RuntimeError:
        logging.getLogger("aiogram.dispatcher").exception("Failed to fetch updates - %s", f"bot{TOKEN}")
    text = caplog.text
    assert TOKEN.split(":")[1] not in text and "<token>" in text


def _upstream_errors() -> list[type[aiogram_errors.TelegramAPIError]]:
    return [
        cls
        for _, cls in inspect.getmembers(aiogram_errors, inspect.isclass)
        if issubclass(cls, aiogram_errors.TelegramAPIError)
    ]


@pytest.mark.parametrize("error_class", _upstream_errors(), ids=lambda cls: cls.__name__)
def test_every_aiogram_api_error_is_mapped(error_class: type[aiogram_errors.TelegramAPIError]) -> None:
    method = DeleteMessage(chat_id=-100, message_id=1)
    extra = {"retry_after": 3} if error_class is aiogram_errors.TelegramRetryAfter else {}
    if error_class is aiogram_errors.TelegramMigrateToChat:
        extra = {"migrate_to_chat_id": -1001}
    error = error_class(method=method, message="Bad Request: test", **extra)  # type: ignore[arg-type]
    mapped = map_telegram_error(error)
    assert isinstance(mapped, PlatformError)
    if error_class is aiogram_errors.TelegramEntityTooLarge:
        assert not isinstance(mapped, TransientError)  # resending the same body will not help
