"""Nothing a VK page gets is lost: races during catch-up, long-poll failures, downtime, deleted parents.

Each test reproduces a loss the crash-and-fault runs of issue 14 found, through the real vk_api client against
the emulator: delivery was deduplicated by a high-water mark of comment ids (a comment on another post that
arrived during catch-up was dropped as "already seen"), the restart read only the 20 newest posts and only
threads whose first comment was still visible, and a handler's failure moved the cursor on regardless.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import requests

from bots.vk.position import MemoryPositions
from dozor.platforms import StorePositions
from emulators.vk.server import VkEmulator
from models.store import Store
from tests.test_vk_helpers import ADMIN, CITIZEN, COMMENTS, GROUP, GROUP_TOKEN, NOW, TROLL, client, populate
from tests.test_vk_worker import Inbox, make_worker, running, saved_ts, until


@pytest.fixture
def emu():
    with VkEmulator(rate_limits={"user": 1000, "group": 1000, "service": 1000}) as emulator:
        yield emulator


async def stop_when_current(emu: VkEmulator, positions: MemoryPositions) -> None:
    """Wait until every event so far is handled and its position saved (a clean stop after that)."""
    await until(lambda: saved_ts(positions) == len(emu.events(GROUP)))


def delivered(inbox: Inbox, late: dict[str, int]) -> bool:
    """Both comments scripted during catch-up were made and handed over."""
    seen = {c.comment_id for c in inbox.seen}
    return len(late) == 2 and {str(late["a"]), str(late["b"])} <= seen


def two_posts(emu: VkEmulator) -> tuple[int, int]:
    """Post A (older, with a comment, so catch-up reads it) and post B (newer, without comments)."""
    post_a = populate(emu)
    emu.add_comment(GROUP, post_a, CITIZEN, COMMENTS[0])
    post_b = emu.add_post(GROUP, "Отчёт о ремонте дорог за ноябрь", date=NOW - timedelta(minutes=5))
    return post_a, post_b


async def test_comment_arriving_on_another_post_during_catch_up_is_not_dropped(emu: VkEmulator) -> None:
    post_a, post_b = two_posts(emu)
    late: dict[str, int] = {}

    def meanwhile(params: dict[str, str]) -> None:  # while catch-up reads post A
        late["b"] = emu.add_comment(GROUP, post_b, TROLL, "Комментарий к посту B во время чтения")
        late["a"] = emu.add_comment(GROUP, post_a, CITIZEN, "Комментарий к посту A, он новее")

    emu.before_next("wall.getComments", meanwhile)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, MemoryPositions())):
        await until(lambda: delivered(inbox, late))
    assert late["a"] > late["b"]  # catch-up delivered the later one first; the earlier one still came


@pytest.mark.parametrize("second", [1, 2, 3])
@pytest.mark.parametrize("first", [1, 3])
async def test_long_poll_failing_twice_loses_nothing(emu: VkEmulator, first: int, second: int) -> None:
    post_a, post_b = two_posts(emu)
    inbox, positions = Inbox(), MemoryPositions()
    late: dict[str, int] = {}

    def meanwhile(params: dict[str, str]) -> None:  # during the first catch-up, and then VK fails again
        late["b"] = emu.add_comment(GROUP, post_b, TROLL, "Комментарий к посту B")
        late["a"] = emu.add_comment(GROUP, post_a, CITIZEN, "Комментарий к посту A")
        emu.inject_longpoll_failure(second, GROUP)

    async with running(make_worker(emu, inbox, positions)):
        await stop_when_current(emu, positions)
        emu.before_next("wall.getComments", meanwhile)
        emu.inject_longpoll_failure(first, GROUP)
        await until(lambda: delivered(inbox, late))


async def test_restart_after_the_history_is_gone_catches_up_from_when_it_stopped(emu: VkEmulator) -> None:
    post_id = populate(emu)
    root = emu.add_comment(GROUP, post_id, CITIZEN, "Когда уберут снег во дворе на Алтайской, 5?")
    positions = MemoryPositions()
    async with running(make_worker(emu, Inbox(), positions)):
        await stop_when_current(emu, positions)
    # while the daemon is down: a reply to the comment, the comment is deleted, VK forgets the events
    reply = emu.add_comment(GROUP, post_id, TROLL, "Никогда, смирись", reply_to=root)
    emu.remove_comment(GROUP, root, by=CITIZEN)
    emu.forget_longpoll_history(GROUP)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, positions)):
        got = await inbox.next()
        await inbox.quiet()
    assert got.comment_id == str(reply) and got.text == "Никогда, смирись"
    assert emu.call_counts()["wall.get"] == 2  # read at the first start and after the lost history


async def test_comment_on_an_older_post_while_down_is_found(emu: VkEmulator) -> None:
    populate(emu)
    posts = [emu.add_post(GROUP, f"Новость № {n}", date=NOW - timedelta(minutes=30 - n)) for n in range(25)]
    positions = MemoryPositions()
    async with running(make_worker(emu, Inbox(), positions)):
        await stop_when_current(emu, positions)
    older = posts[-22]  # the 22nd-newest post (with the seeded one, beyond a fixed 20 newest posts)
    emu.add_comment(GROUP, older, CITIZEN, "А по этой новости когда будут итоги?")
    emu.forget_longpoll_history(GROUP)
    inbox = Inbox()
    async with running(make_worker(emu, inbox, positions)):
        assert (await inbox.next()).post_id == str(older)


async def test_post_older_than_the_horizon_is_not_read(emu: VkEmulator) -> None:
    """Catch-up goes back by time: posts published long before the absence are left alone (configurable)."""
    post_id = populate(emu)
    ancient = emu.add_post(GROUP, "Архивная новость", date=NOW - timedelta(days=40))
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    emu.add_comment(GROUP, ancient, CITIZEN, COMMENTS[1])
    worker = make_worker(emu, Inbox(), MemoryPositions())
    worker._catchup_posts = 1
    assert await worker.catch_up() == 1


async def test_unrecorded_comment_is_delivered_again_after_a_kill(emu: VkEmulator) -> None:
    post_id = populate(emu)
    broken, positions = Inbox(), MemoryPositions()
    async with running(make_worker(emu, broken, positions)):
        await stop_when_current(emu, positions)
        broken.broken = True  # the database is down: the comment cannot be recorded
        emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2])
        await until(lambda: len(broken.refused) >= 2)
    # the process is gone; the position it saved is before the comment
    inbox = Inbox()
    async with running(make_worker(emu, inbox, positions)):
        assert (await inbox.next()).text == COMMENTS[2]
        await stop_when_current(emu, positions)


def test_long_poll_answers_failed_1_once_its_history_window_has_passed() -> None:
    with VkEmulator(longpoll_history=3) as emu:
        post_id = populate(emu)
        server = client(emu, GROUP_TOKEN).method("groups.getLongPollServer", {"group_id": GROUP})
        session = requests.Session()
        session.trust_env = False

        def check(ts: str) -> dict[str, object]:
            params = {"act": "a_check", "key": server["key"], "ts": ts, "wait": "0"}
            answer: dict[str, object] = session.get(server["server"], params=params, timeout=5).json()
            return answer

        start = server["ts"]
        emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
        assert len(check(start)["updates"]) == 1  # type: ignore[arg-type]
        for text in COMMENTS:
            emu.add_comment(GROUP, post_id, CITIZEN, text)
        assert check(start) == {"failed": 1, "ts": str(len(emu.events(GROUP)))}


def test_deleted_comment_with_replies_is_listed_as_a_stub() -> None:
    with VkEmulator() as emu:
        post_id = populate(emu)
        root = emu.add_comment(GROUP, post_id, CITIZEN, "Вопрос про отопление")
        reply = emu.add_comment(GROUP, post_id, ADMIN, "Ответ управляющей компании", reply_to=root)
        lonely = emu.add_comment(GROUP, post_id, TROLL, "Удалённый без ответов")
        emu.remove_comment(GROUP, root, by=CITIZEN)
        emu.remove_comment(GROUP, lonely, by=TROLL)
        vk = client(emu, "vk1.a.admin-user-token")
        params = {"owner_id": -GROUP, "post_id": post_id, "thread_items_count": 10}
        items = vk.method("wall.getComments", params)["items"]
        assert [(c["id"], c.get("deleted", False), c["text"]) for c in items] == [(root, True, "")]
        assert [c["id"] for c in items[0]["thread"]["items"]] == [reply]


async def test_catch_up_hands_over_replies_in_long_threads(emu: VkEmulator) -> None:
    post_id = populate(emu)
    root = emu.add_comment(GROUP, post_id, CITIZEN, "Обсуждение графика вывоза мусора")
    replies = [emu.add_comment(GROUP, post_id, TROLL, f"Ответ № {n}", reply_to=root) for n in range(14)]
    emu.remove_comment(GROUP, root, by=CITIZEN)
    inbox = Inbox()
    worker = make_worker(emu, inbox, MemoryPositions())
    assert await asyncio.wait_for(worker.catch_up(), 10) == len(replies)
    assert [int(c.comment_id) for c in inbox.seen] == replies


async def test_first_start_after_the_upgrade_catches_up_from_the_old_cursor(
    emu: VkEmulator, sqlite_store: Store
) -> None:
    """An older release kept only a comment-id cursor: its last write says when the page was current."""
    post_id = populate(emu)
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    await sqlite_store.set_cursor(f"vk:{GROUP}", "2", datetime.now(UTC) - timedelta(hours=1))
    missed = emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2])  # while the daemon was being upgraded
    inbox, positions = Inbox(), StorePositions(sqlite_store)
    async with running(make_worker(emu, inbox, positions, backfill_first_run=False)):  # type: ignore[arg-type]
        await until(lambda: str(missed) in {c.comment_id for c in inbox.seen})
    assert (await positions.load(GROUP)) is not None
