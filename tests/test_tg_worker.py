"""The Telegram worker turns discussion-group messages into comments on channel posts, and records posts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bots.telegram.worker import PostKind, TelegramWorker
from emulators.telegram.server import ApiError
from moderation.daemon.ports import NotFound, TransientError
from moderation.types import Platform
from tests.test_tg_support import CollectingSink, World, running_worker, tg_world


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world() as built:
        yield built


async def test_comment_reaches_handler_tied_to_its_channel_post(world: World) -> None:
    sink = CollectingSink()
    async with running_worker(world, sink):
        post = world.emu.post_to_channel(world.channel, "С 1 декабря меняется расписание автобуса № 5")
        comment = world.emu.post_comment(
            post, "Автобус и так ходит раз в час, стало только хуже", user=world.citizen
        )
        await world.emu.wait_until(lambda: sink.comments)
    got = sink.comments[0]
    assert got.platform is Platform.TELEGRAM
    assert (got.page_id, got.post_id) == (str(world.channel.id), str(post.message_id))
    assert (got.chat_id, got.comment_id) == (str(world.group.id), str(comment.message_id))
    assert got.author_id == str(world.citizen.id) and got.author_name == "Иван Петров"
    assert not got.author_is_chat
    assert got.text.startswith("Автобус и так ходит")
    assert got.post_text == "С 1 декабря меняется расписание автобуса № 5"
    assert got.created_at.tzinfo is not None
    assert got.key == f"telegram:{world.channel.id}:{post.message_id}:{comment.message_id}"


async def test_reply_to_a_comment_still_belongs_to_the_post(world: World) -> None:
    sink = CollectingSink()
    async with running_worker(world, sink):
        post = world.emu.post_to_channel(world.channel, "Фото с открытия нового сквера", kind="photo")
        first = world.emu.post_comment(post, "Красиво получилось!", user=world.citizen)
        world.emu.post_comment(post, "Согласен, молодцы", user=world.moderator, reply_to=first)
        await world.emu.wait_until(lambda: len(sink.comments) == 2)
    assert {comment.post_id for comment in sink.comments} == {str(post.message_id)}
    assert sink.comments[1].post_text == "Фото с открытия нового сквера"


async def test_comment_sent_as_a_channel_names_the_channel_as_author(world: World) -> None:
    sink = CollectingSink()
    spam_channel, _ = world.emu.create_channel("Дешёвые кредиты 24/7", discussion_title="")
    async with running_worker(world, sink):
        post = world.emu.post_to_channel(world.channel, "Приём граждан главой города")
        world.emu.post_comment(post, "Займы без отказа, пишите в личку!", as_chat=spam_channel)
        world.emu.post_comment(post, "Ответ пресс-службы: приём по записи", as_chat=world.channel)
        world.emu.post_comment(post, "Запишите меня, пожалуйста", user=world.citizen)
        await world.emu.wait_until(lambda: len(sink.comments) == 2)
    as_chat, citizen = sink.comments
    assert as_chat.author_is_chat and as_chat.author_id == str(spam_channel.id)
    assert as_chat.author_name == "Дешёвые кредиты 24/7"
    assert citizen.author_id == str(world.citizen.id)  # the page's own reply was not taken as a comment


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("text", PostKind.TEXT),
        ("photo", PostKind.PHOTO),
        ("video", PostKind.VIDEO),
        ("poll", PostKind.POLL),
    ],
    ids=["текст", "фото", "видео", "опрос"],
)
async def test_channel_post_is_stored_with_its_kind(world: World, kind: str, expected: PostKind) -> None:
    sink = CollectingSink()
    async with running_worker(world, sink):
        world.emu.post_to_channel(world.channel, "Как вам новый сквер? #Рубцовск #благоустройство", kind=kind)
        await world.emu.wait_until(lambda: sink.posts)
    post = sink.posts[0]
    assert post.kind is expected and post.channel_id == str(world.channel.id)
    assert post.hashtags == ("#Рубцовск", "#благоустройство")
    assert not post.edited


async def test_edited_post_and_comment_are_marked_edited(world: World) -> None:
    sink = CollectingSink()
    async with running_worker(world, sink):
        post = world.emu.post_to_channel(world.channel, "Отключение света на улице Алтайской")
        comment = world.emu.post_comment(post, "Во сколько дадут свет?", user=world.citizen)
        await world.emu.wait_until(lambda: sink.posts and sink.comments)
        world.emu.edit_channel_post(post, "Отключение света на улице Алтайской с 9:00 до 17:00")
        world.emu.edit_comment(comment, "Во сколько дадут свет? Уже третий час сидим")
        await world.emu.wait_until(lambda: len(sink.posts) == 2 and len(sink.comments) == 2)
    assert sink.posts[1].edited and sink.posts[1].text.endswith("до 17:00")
    assert sink.comments[1].edited and sink.comments[1].comment_id == str(comment.message_id)


async def test_failing_handler_does_not_stop_the_worker(world: World) -> None:
    sink = CollectingSink(fail_on={"Первый комментарий"})
    async with running_worker(world, sink):
        post = world.emu.post_to_channel(world.channel, "Новости ЖКХ")
        world.emu.post_comment(post, "Первый комментарий", user=world.citizen)
        world.emu.post_comment(post, "Второй комментарий", user=world.citizen)
        await world.emu.wait_until(lambda: sink.comments)
    assert [comment.text for comment in sink.comments] == ["Второй комментарий"]


async def test_messages_outside_watched_groups_are_ignored(world: World) -> None:
    sink = CollectingSink()
    other_channel, other_group = world.emu.create_channel("Чужой канал")
    assert other_group is not None
    world.emu.add_admin(other_group, world.bot_user)
    async with running_worker(world, sink):
        other_post = world.emu.post_to_channel(other_channel, "Посторонний пост")
        world.emu.post_comment(other_post, "Посторонний комментарий", user=world.citizen)
        post = world.emu.post_to_channel(world.channel, "Наш пост")
        world.emu.post_comment(post, "Наш комментарий", user=world.citizen)
        await world.emu.wait_until(lambda: sink.comments)
    assert [comment.text for comment in sink.comments] == ["Наш комментарий"]


async def test_links_resolved_from_get_chat(world: World) -> None:
    worker = TelegramWorker(world.bot, [world.channel.id], CollectingSink().on_comment)
    assert await worker.resolve_links() == {world.group.id: world.channel.id}


async def test_stop_is_clean_and_idempotent(world: World) -> None:
    sink = CollectingSink()
    async with running_worker(world, sink) as worker:
        pass
    await worker.stop()
    assert world.emu.state.calls["getChat"] == 1


async def test_missing_rights_are_reported_at_start(world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.emu.add_admin(world.group, world.bot_user, can_restrict_members=False)
    worker = TelegramWorker(world.bot, [world.channel.id], CollectingSink().on_comment)
    await worker.resolve_links()
    assert any("can_restrict_members" in record.getMessage() for record in caplog.records)


async def test_unknown_channel_stops_start_up_with_a_platform_error(world: World) -> None:
    worker = TelegramWorker(world.bot, [-1009999999999], CollectingSink().on_comment)
    with pytest.raises(NotFound, match="chat not found"):
        await worker.start()


async def test_polling_that_cannot_start_reports_a_platform_error(world: World) -> None:
    world.emu.state.inject_failure("getMe", ApiError(502, "Bad Gateway"))
    worker = TelegramWorker(world.bot, [world.channel.id], CollectingSink().on_comment)
    with pytest.raises(TransientError):
        await worker.start()
    await worker.stop()  # nothing left running, nothing to stop
