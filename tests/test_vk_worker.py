"""VkWorker through the real vk_api client: long poll, failures, resuming after downtime, no repeats."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bots.vk.position import MemoryPositions, Position
from bots.vk.worker import VkWorker
from emulators.vk.server import VkEmulator
from moderation.daemon.ports import Forbidden, IncomingComment
from moderation.types import Platform
from tests.test_vk_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    CITIZEN,
    COMMENTS,
    GROUP,
    GROUP_TOKEN,
    POST_TEXT,
    TROLL,
    client,
    populate,
    running_emulator,
)

TIMEOUT = 2.0


class Inbox:
    """The pipeline's stand-in: records what arrives; while `broken`, refuses (as a database that is down)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[IncomingComment] = asyncio.Queue()
        self.seen: list[IncomingComment] = []
        self.refused: list[IncomingComment] = []
        self.broken = False

    async def __call__(self, comment: IncomingComment) -> None:
        if self.broken:
            self.refused.append(comment)
            raise RuntimeError("база данных недоступна")
        self.seen.append(comment)
        await self.queue.put(comment)

    async def next(self) -> IncomingComment:
        return await asyncio.wait_for(self.queue.get(), TIMEOUT)

    async def quiet(self, seconds: float = 0.3) -> None:
        """Nothing more arrives within `seconds`."""
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(self.queue.get(), seconds)


@pytest.fixture
def emu():
    with running_emulator() as emulator:
        yield emulator


def make_worker(
    emu: VkEmulator, inbox: Inbox, positions: MemoryPositions, backfill_first_run: bool = True
) -> VkWorker:
    return VkWorker(
        GROUP,
        client(emu, GROUP_TOKEN),
        inbox,
        positions,
        reader=client(emu, ADMIN_TOKEN),
        wait=1,
        backoff=0.05,
        backfill_first_run=backfill_first_run,
    )


def saved_ts(positions: MemoryPositions) -> int | None:
    position = positions.values.get(GROUP)
    return int(position.ts) if position is not None and position.ts is not None else None


@asynccontextmanager
async def running(worker: VkWorker) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(worker.run())
    try:
        yield task
    finally:
        worker.stop()
        await asyncio.wait_for(task, TIMEOUT)


async def until(predicate: object, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_long_poll_delivers_new_and_edited_comments(emu: VkEmulator) -> None:
    post_id = populate(emu)
    inbox, cursors = Inbox(), MemoryPositions()
    async with running(make_worker(emu, inbox, cursors)):
        await until(lambda: emu.call_counts().get("wall.get", 0) == 1)  # caught up, now on long poll
        comment_id = emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
        got = await inbox.next()
        assert got.platform is Platform.VK and got.page_id == str(GROUP) and got.post_id == str(post_id)
        assert got.comment_id == str(comment_id) and got.author_id == str(CITIZEN) and not got.edited
        assert got.text == COMMENTS[0] and got.post_text == POST_TEXT
        assert got.created_at.tzinfo is not None
        emu.edit_comment(GROUP, comment_id, "Когда починят дорогу на Тракторной? Уже третий год ждём")
        edited = await inbox.next()
        assert edited.edited and edited.key == got.key and "третий год" in edited.text
    assert saved_ts(cursors) == len(emu.events(GROUP))  # every event up to the end is handled


async def test_comment_on_a_new_post_carries_the_post_text(emu: VkEmulator) -> None:
    populate(emu)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, MemoryPositions())):
        await until(lambda: emu.call_counts().get("wall.get", 0) == 1)
        post_id = emu.add_post(GROUP, "Опрос: нужен ли новый сквер у вокзала?", kind="poll")
        emu.add_comment(GROUP, post_id, CITIZEN, "Нужен, и скамейки обязательно")
        assert (await inbox.next()).post_text == "Опрос: нужен ли новый сквер у вокзала?"


@pytest.mark.parametrize("code", [1, 2, 3])
async def test_long_poll_failures_recover_without_loss_or_repeat(emu: VkEmulator, code: int) -> None:
    post_id = populate(emu)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, MemoryPositions())):
        await until(lambda: emu.call_counts().get("wall.get", 0) == 1)
        with emu.lock:  # the failure swallows the event of the comment made at the same moment
            emu.inject_longpoll_failure(code, GROUP)
            emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[1])
        assert (await inbox.next()).text == COMMENTS[1]
        emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2])
        assert (await inbox.next()).text == COMMENTS[2]
        await inbox.quiet()
    assert [c.text for c in inbox.seen] == [COMMENTS[1], COMMENTS[2]]
    assert emu.call_counts()["groups.getLongPollServer"] == (1 if code == 1 else 2)
    assert emu.call_counts()["wall.get"] == (1 if code == 2 else 2)  # 1 and 3 lose events: caught up again


async def test_restart_resumes_the_long_poll_and_delivers_only_what_was_missed(emu: VkEmulator) -> None:
    post_id = populate(emu)
    cursors = MemoryPositions()
    first = Inbox()
    async with running(make_worker(emu, first, cursors)):
        emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
        await first.next()
        await until(lambda: saved_ts(cursors) == len(emu.events(GROUP)))

    root = emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2])  # while the worker is down
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[1], reply_to=root)
    other_post = emu.add_post(GROUP, "График приёма граждан на декабрь", kind="text")
    emu.add_comment(GROUP, other_post, CITIZEN, "А в субботу приём будет?")

    second = Inbox()
    emu.reset_call_counts()
    async with running(make_worker(emu, second, cursors)):
        texts = [(await second.next()).text for _ in range(3)]
        await second.quiet()
    assert texts == [COMMENTS[2], COMMENTS[1], "А в субботу приём будет?"]
    assert COMMENTS[0] not in texts
    assert "wall.get" not in emu.call_counts()  # VK still had the events: no need to read the page


async def test_first_run_without_backfill_starts_from_now(emu: VkEmulator) -> None:
    post_id = populate(emu)
    old = emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    inbox, cursors = Inbox(), MemoryPositions()
    async with running(make_worker(emu, inbox, cursors, backfill_first_run=False)):
        await until(lambda: saved_ts(cursors) == len(emu.events(GROUP)))
        emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2])
        assert (await inbox.next()).text == COMMENTS[2]
    assert [c.text for c in inbox.seen] == [COMMENTS[2]]
    assert old and "wall.get" not in emu.call_counts()


async def test_handler_failure_stops_intake_until_it_recovers(emu: VkEmulator) -> None:
    post_id = populate(emu)
    inbox, positions = Inbox(), MemoryPositions()
    async with running(make_worker(emu, inbox, positions)) as task:
        await until(lambda: saved_ts(positions) == len(emu.events(GROUP)))
        before = saved_ts(positions)
        inbox.broken = True
        emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
        emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[1])
        await until(lambda: len(inbox.refused) >= 3)  # retried, with backoff, and never skipped
        assert {c.text for c in inbox.refused} == {COMMENTS[0]} and saved_ts(positions) == before
        inbox.broken = False
        assert [(await inbox.next()).text for _ in range(2)] == [COMMENTS[0], COMMENTS[1]]
        await until(lambda: saved_ts(positions) == len(emu.events(GROUP)))
        assert not task.done()


async def test_page_own_replies_are_not_moderated(emu: VkEmulator) -> None:
    post_id = populate(emu)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, MemoryPositions())):
        await until(lambda: emu.call_counts().get("wall.get", 0) == 1)
        question = emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
        emu.add_comment(GROUP, post_id, -GROUP, "Ремонт запланирован на весну 2027 года.", reply_to=question)
        emu.add_comment(GROUP, post_id, ADMIN, "Уточним в управлении ЖКХ.", reply_to=question)
        texts = [(await inbox.next()).text for _ in range(2)]
        await inbox.quiet()
    assert texts == [COMMENTS[0], "Уточним в управлении ЖКХ."]


async def test_transient_errors_back_off_and_recover(emu: VkEmulator) -> None:
    post_id = populate(emu)
    emu.fail_next("groups.getLongPollServer", 10, times=2)
    emu.fail_next("wall.get", http_status=502)
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    inbox = Inbox()
    async with running(make_worker(emu, inbox, MemoryPositions())):
        assert (await inbox.next()).text == COMMENTS[0]
    assert emu.call_counts()["groups.getLongPollServer"] == 3 and emu.call_counts()["wall.get"] == 2


async def test_stop_is_prompt_even_with_a_long_wait(emu: VkEmulator) -> None:
    populate(emu)
    worker = VkWorker(
        GROUP,
        client(emu, GROUP_TOKEN),
        Inbox(),
        MemoryPositions(),
        reader=client(emu, ADMIN_TOKEN),
        wait=25,
    )
    task = asyncio.create_task(worker.run())
    await until(lambda: emu.call_counts().get("wall.get", 0) == 1)
    await asyncio.sleep(0.1)
    started = time.monotonic()
    worker.stop()
    await asyncio.wait_for(task, TIMEOUT)
    assert time.monotonic() - started < 0.5


async def test_cancellation_stops_the_worker(emu: VkEmulator) -> None:
    populate(emu)
    worker = make_worker(emu, Inbox(), MemoryPositions())
    task = asyncio.create_task(worker.run())
    await until(lambda: emu.call_counts().get("wall.get", 0) == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, TIMEOUT)


async def test_api_calls_per_comment_stay_low(emu: VkEmulator) -> None:
    post_id = populate(emu)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, MemoryPositions())):
        await until(lambda: emu.call_counts().get("wall.get", 0) == 1)
        emu.reset_call_counts()
        for n in range(5):
            emu.add_comment(GROUP, post_id, CITIZEN, f"{COMMENTS[0]} ({n})")
        for _ in range(5):
            await inbox.next()
    assert sum(emu.call_counts().values()) == 0  # long poll only: its HTTP checks are not API calls


class BrokenPositions(MemoryPositions):
    async def save(self, group_id: int, position: Position) -> None:
        raise OSError("диск переполнен")


async def test_position_store_failure_does_not_stop_delivery(emu: VkEmulator) -> None:
    post_id = populate(emu)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, BrokenPositions())) as task:
        emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
        await inbox.next()
        emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[1])
        assert (await inbox.next()).text == COMMENTS[1]
        await inbox.quiet()
        assert not task.done()


@pytest.mark.parametrize(
    ("reader_token", "revoked"),
    [(GROUP_TOKEN, False), (ADMIN_TOKEN, True)],
    ids=["community-reader", "revoked"],
)
async def test_wrong_tokens_stop_the_worker_with_forbidden(
    emu: VkEmulator, reader_token: str, revoked: bool
) -> None:
    populate(emu)
    if revoked:
        emu.fail_next("wall.get", 5)  # the manager's token was revoked: error 5
    worker = VkWorker(
        GROUP,
        client(emu, GROUP_TOKEN),
        Inbox(),
        MemoryPositions(),
        reader=client(emu, reader_token),
        wait=1,
    )
    with pytest.raises(Forbidden):
        await asyncio.wait_for(worker.run(), TIMEOUT)


async def test_long_poll_refused_to_a_community_token_of_another_page(emu: VkEmulator) -> None:
    populate(emu)
    emu.add_group(42, "МБОУ «Гимназия № 3»", token="vk1.a.school-token")
    worker = VkWorker(
        GROUP,
        client(emu, "vk1.a.school-token"),
        Inbox(),
        MemoryPositions(),
        reader=client(emu, ADMIN_TOKEN),
    )
    with pytest.raises(Forbidden):
        await asyncio.wait_for(worker.run(), TIMEOUT)


async def test_catch_up_alone_hands_over_every_comment_found(emu: VkEmulator) -> None:
    post_id = populate(emu)
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[1])
    inbox = Inbox()
    worker = make_worker(emu, inbox, MemoryPositions())
    assert await worker.catch_up() == 2  # what was decided already is the pipeline's to skip, by key
    assert [c.text for c in inbox.seen] == [COMMENTS[0], COMMENTS[1]]
