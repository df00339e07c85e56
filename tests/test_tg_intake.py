"""Nothing a Telegram channel gets is lost: restarts, a database that cannot take a comment, a 502 at start.

Each test reproduces a loss the crash-and-fault runs of issue 14 found, through the real aiogram client
against the emulator: the thread -> post map lived in memory (a reply to a comment after a restart was
dropped), an update was confirmed to Telegram before its comment was recorded (a kill, or a handler's failure,
lost it), and one HTTP 502 on getMe stopped the worker for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from bots.intake import WorkerState
from bots.telegram.threads import MemoryThreads, ThreadStore
from bots.telegram.worker import TelegramWorker
from dozor.platforms import StoreThreads, supervise
from models.store import Store
from moderation.daemon.ports import IncomingComment
from tests.test_tg_support import TOKEN, CollectingSink, World, tg_world


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with tg_world() as built:
        yield built


@dataclass
class Flaky(CollectingSink):
    """A comment handler that refuses while `broken` (a database that is down) and can be held on a text."""

    broken: bool = False
    refused: list[IncomingComment] = field(default_factory=list)
    hold: dict[str, asyncio.Event] = field(default_factory=dict)

    async def on_comment(self, comment: IncomingComment) -> None:
        if self.broken:
            self.refused.append(comment)
            raise ConnectionRefusedError("база данных недоступна")
        gate = self.hold.get(comment.text)
        if gate is not None:
            await gate.wait()
        await super().on_comment(comment)


@asynccontextmanager
async def worker_of(
    world: World, sink: CollectingSink, threads: ThreadStore | None = None, grace: float = 5.0
) -> AsyncIterator[TelegramWorker]:
    worker = TelegramWorker(world.bot, [world.channel.id], sink.on_comment, sink, threads=threads,
                            polling_timeout=1, backoff=0.05)  # fmt: skip
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop(grace)


def unconfirmed(world: World) -> list[int]:
    """Message ids of the group messages Telegram still holds for the bot (not confirmed by an offset)."""
    updates = world.emu.state.bots[TOKEN].updates
    return [u["message"]["message_id"] for u in updates if "message" in u]


async def test_reply_to_a_comment_after_a_restart_belongs_to_its_post(
    world: World, sqlite_store: Store
) -> None:
    sink = CollectingSink()
    async with worker_of(world, sink, StoreThreads(sqlite_store)):
        post = world.emu.post_to_channel(world.channel, "Итоги конкурса «Лучший двор»")
        first = world.emu.post_comment(post, "Наш двор лучший!", user=world.citizen)
        await world.emu.wait_until(lambda: sink.comments)
    async with worker_of(world, sink, StoreThreads(sqlite_store)):  # a new process, the same database
        world.emu.post_comment(post, "Согласен, молодцы", user=world.moderator, reply_to=first)
        await world.emu.wait_until(lambda: len(sink.comments) == 2)
    reply = sink.comments[1]
    assert reply.post_id == str(post.message_id) and reply.post_text == "Итоги конкурса «Лучший двор»"


async def test_comment_in_a_thread_never_seen_is_recorded_with_a_stand_in_post(world: World) -> None:
    sink = CollectingSink()
    async with worker_of(world, sink):
        post = world.emu.post_to_channel(world.channel, "Отчёт о ремонте школы № 5")
        first = world.emu.post_comment(post, "Наконец-то", user=world.citizen)
        await world.emu.wait_until(lambda: sink.comments)
    threads = MemoryThreads()  # the map is gone, as it was before it was stored
    async with worker_of(world, sink, threads):
        reply = world.emu.post_comment(post, "А спортзал когда?", user=world.moderator, reply_to=first)
        await world.emu.wait_until(lambda: len(sink.comments) == 2)
        world.emu.edit_comment(reply, "А спортзал когда отремонтируют?")
        await world.emu.wait_until(lambda: len(sink.comments) == 3)
    forward = world.emu.forward_of(post)
    got, edited = sink.comments[1:]
    assert got.post_id == f"thread-{forward.message_id}" and got.text == "А спортзал когда?"
    assert edited.key == got.key  # the stand-in sticks: the edit changes the comment it belongs to


async def test_comment_the_database_cannot_take_is_not_confirmed_and_is_retried(world: World) -> None:
    sink = Flaky(broken=True)
    async with worker_of(world, sink):
        post = world.emu.post_to_channel(world.channel, "Перекрытие улицы Ленина")
        comment = world.emu.post_comment(post, "Надолго перекрыли?", user=world.citizen)
        await world.emu.wait_until(lambda: len(sink.refused) >= 3)
        assert comment.message_id in unconfirmed(world)
        sink.broken = False  # the database is back
        await world.emu.wait_until(lambda: sink.comments)
        await world.emu.wait_until(lambda: comment.message_id not in unconfirmed(world))
    assert [c.text for c in sink.comments] == ["Надолго перекрыли?"]


async def test_comment_not_recorded_before_a_kill_comes_again(world: World) -> None:
    broken = Flaky(broken=True)
    async with worker_of(world, broken):
        post = world.emu.post_to_channel(world.channel, "График приёма граждан")
        world.emu.post_comment(post, "А в субботу приём будет?", user=world.citizen)
        await world.emu.wait_until(lambda: len(broken.refused) >= 2)
    sink = CollectingSink()  # the process was stopped; the next one finds the comment
    async with worker_of(world, sink):
        await world.emu.wait_until(lambda: sink.comments)
    assert [c.text for c in sink.comments] == ["А в субботу приём будет?"]


async def test_update_still_being_handled_is_not_confirmed_by_the_next_batch(world: World) -> None:
    """aiogram's own polling confirmed an update as soon as the next batch was fetched."""
    slow = Flaky(hold={"Первый, медленный": asyncio.Event()})
    async with worker_of(world, slow, grace=0.1):
        post = world.emu.post_to_channel(world.channel, "Новости ЖКХ")
        first = world.emu.post_comment(post, "Первый, медленный", user=world.citizen)
        world.emu.post_comment(post, "Второй, быстрый", user=world.citizen)
        await world.emu.wait_until(lambda: slow.comments)  # the second was fetched and handled meanwhile
        assert first.message_id in unconfirmed(world)
    # killed with the first still in its handler
    sink = CollectingSink()
    async with worker_of(world, sink):
        await world.emu.wait_until(lambda: any(c.text == "Первый, медленный" for c in sink.comments))


async def test_a_502_on_get_me_is_waited_out(world: World) -> None:
    world.emu.state.inject_http_failure("getMe", 502, times=3)
    sink = CollectingSink()
    worker = TelegramWorker(world.bot, [world.channel.id], sink.on_comment, sink, polling_timeout=1)
    stopping = asyncio.Event()
    task = asyncio.create_task(supervise("telegram", worker, stopping, backoff=0.5))
    try:
        await world.emu.wait_until(lambda: worker.health.state is WorkerState.RETRYING, timeout=10)
        assert "502" in worker.health.reason or "unreadable" in worker.health.reason
        await world.emu.wait_until(lambda: worker.health.state is WorkerState.RUNNING, timeout=20)
        post = world.emu.post_to_channel(world.channel, "Субботник в парке")
        world.emu.post_comment(post, "Приду с детьми", user=world.citizen)
        await world.emu.wait_until(lambda: sink.comments)
    finally:
        stopping.set()
        await worker.stop()
        await asyncio.wait_for(task, 10)
    assert worker.health.state is WorkerState.STOPPED


async def test_a_revoked_token_marks_the_worker_dead_with_the_reason(world: World) -> None:
    bot = world.emu.make_bot("5000009:AAHrevoked-token_Rubtsovsk-test")
    try:
        worker = TelegramWorker(bot, [world.channel.id], CollectingSink().on_comment, polling_timeout=1)
        await asyncio.wait_for(supervise("telegram", worker, asyncio.Event(), backoff=0.05), 10)
    finally:
        await bot.session.close()
    assert worker.health.state is WorkerState.DEAD and "Unauthorized" in worker.health.reason


async def test_get_updates_failing_is_waited_out_and_reported(world: World) -> None:
    sink = CollectingSink()
    async with worker_of(world, sink) as worker:
        world.emu.state.inject_http_failure("getUpdates", 502, times=3)
        await world.emu.wait_until(lambda: worker.health.state is WorkerState.RETRYING, timeout=10)
        post = world.emu.post_to_channel(world.channel, "Отключение воды в четверг")
        world.emu.post_comment(post, "На весь день?", user=world.citizen)
        await world.emu.wait_until(lambda: sink.comments, timeout=20)
        await world.emu.wait_until(lambda: worker.health.state is WorkerState.RUNNING)
