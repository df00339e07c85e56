"""Two daemons on one PostgreSQL, each its own `dozor run` process, against the emulators of VK (two pages)
and Telegram (a channel and the moderators' chat).

The first daemon takes every page; the second waits as a standby, and Telegram never sees two getUpdates of
the bot at once. The first is killed (SIGKILL: no goodbye) with comments arriving; the standby takes every
page within the configured takeover time, and each comment posted before, around and after the kill is
recorded once, each obscene one deleted exactly once and each review card posted once, counted on the
emulators' side.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql_text

from dozor.demo.world import DemoWorld, start_world
from emulators.telegram.demo import DEMO_TOKEN
from emulators.telegram.server import ApiError
from models.db import make_engine

pytestmark = [pytest.mark.timeout(180), pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent
TAKEOVER = 6
SECOND_GROUP = 170_002
SECOND_TOKEN = "second-community-token"
OBSCENE = (
    "Да пошли вы на х.у.й с такими дорогами",
    "бл@ть, опять яма на Ленина",
    "Да вы там все о***ли, б***ь, опять без отопления",
)
CLEAN = ("Когда починят дорогу на Тракторной?", "Спасибо за оперативную работу!")
RUMOUR = "Говорят, мэр уже продал парк застройщику"


async def until(predicate: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not reached in {timeout:g} s")
        await asyncio.sleep(0.2)


def config_for(world: DemoWorld, url: str, tmp: Path) -> Path:
    pages = world.tg_pages
    config = tmp / "config.toml"
    config.write_text(
        f"""
[cluster]
takeover_seconds = {TAKEOVER}
[storage]
url = "{url}"
[vk]
long_poll_wait = 1
backfill_first_run = true
pages = [{{ group_id = {world.vk_page.group_id} }}, {{ group_id = {SECOND_GROUP} }}]
[telegram]
api_base = "{world.tg.base_url}"
channels = [{pages.channel.id}]
moderators_chat_id = {pages.moderators_chat.id}
moderators = ["{pages.moderator.id}"]
""",
        encoding="utf-8",
    )
    return config


async def start_daemon(world: DemoWorld, config: Path, log: Path) -> asyncio.subprocess.Process:
    """`dozor run` as an administrator starts it: its own process, tokens from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOZOR_")}
    env |= {
        "DOZOR_VK_USER_TOKEN": world.vk_page.manager_token,
        f"DOZOR_VK_COMMUNITY_TOKEN_{world.vk_page.group_id}": world.vk_page.community_token,
        f"DOZOR_VK_COMMUNITY_TOKEN_{SECOND_GROUP}": SECOND_TOKEN,
        "DOZOR_TELEGRAM_TOKEN": DEMO_TOKEN,
        "DOZOR_VK_API_URL": world.vk.base_url,  # the VK emulator (as the chaos harness points it)
    }
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dozor", "run", "--config", str(config), "--log-level", "INFO",
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip


class Base:
    """The shared database as the test reads it."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    async def rows(self, sql: str) -> list[Any]:
        def read() -> list[Any]:
            with self.engine.connect() as conn:
                return list(conn.execute(sql_text(sql)).all())

        try:
            return await asyncio.to_thread(read)
        except Exception:  # not migrated yet
            return []

    async def holders(self) -> dict[str, int | None]:
        return {name: pid for name, pid in await self.rows("SELECT name, pid FROM cluster_claims")}


class Stream:
    """Comments posted on the three pages, with what must become of each."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.vk: dict[tuple[int, int], str] = {}  # (group, comment id) -> text
        self.tg: dict[int, str] = {}  # message id in the discussion group -> text
        self.author = 9100
        self.posts = {
            world.vk_page.group_id: world.vk_page.post_ids[0],
            SECOND_GROUP: world.vk.add_post(SECOND_GROUP, "Отчёт о ремонте дорог за ноябрь"),
        }

    def wave(self, texts: tuple[str, ...]) -> None:
        world = self.world
        for text in texts:
            self.author += 1
            for group, post in self.posts.items():
                self.vk[(group, world.vk.add_comment(group, post, self.author, text))] = text
            user = world.tg.add_user("Житель", str(self.author))
            world.tg.add_member(world.tg_pages.group, user)
            self.tg[world.tg.post_comment(world.tg_posts[0], text, user=user).message_id] = text

    def keys(self) -> set[str]:
        """The comments' keys as Dozor records them (platform, page, post, comment)."""
        channel, post = self.world.tg_pages.channel.id, self.world.tg_posts[0].message_id
        vk = {f"vk:{group}:{self.posts[group]}:{cid}" for group, cid in self.vk}
        return vk | {f"telegram:{channel}:{post}:{mid}" for mid in self.tg}

    def obscene_vk(self) -> dict[tuple[int, int], int]:
        deletions = {
            group: self.world.vk.deletions(group) for group in (self.world.vk_page.group_id, SECOND_GROUP)
        }
        return {key: deletions[key[0]].get(key[1], 0) for key, text in self.vk.items() if text in OBSCENE}

    def obscene_tg(self) -> dict[int, int]:
        group = self.world.tg_pages.group.id
        done = self.world.tg.state.deletions
        return {mid: done[(group, mid)] for mid, text in self.tg.items() if text in OBSCENE}

    def all_deleted(self) -> bool:
        return all(self.obscene_vk().values()) and all(self.obscene_tg().values())


async def test_a_standby_takes_over_from_a_killed_daemon_and_nothing_is_lost_or_done_twice(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    world = await start_world()
    world.vk.add_group(SECOND_GROUP, "Администрация Заречного района", token=SECOND_TOKEN)
    world.vk.add_manager(SECOND_GROUP, world.vk_page.manager_id, "administrator")
    conflicts = _count_conflicts(world)
    base, stream = Base(postgres_schema_url), Stream(world)
    config = config_for(world, postgres_schema_url, tmp_path)
    loop = asyncio.get_running_loop()
    began = loop.time()
    daemons = [await start_daemon(world, config, tmp_path / f"daemon-{n}.log") for n in (1, 2)]
    try:
        everything = {f"vk:{world.vk_page.group_id}", f"vk:{SECOND_GROUP}", "telegram:7000001"}

        async def both_running() -> bool:
            started = "SELECT id FROM audit_log WHERE actor = 'daemon' AND event = 'started'"
            return len(await base.rows(started)) == 2 and set(await base.holders()) == everything

        await until(both_running, 90, "both daemons started, every page held")
        print(f"both running after {loop.time() - began:.1f} s")
        split = await base.holders()
        assert set(split.values()) <= {d.pid for d in daemons}, "pages split or held by one, each by one"
        stream.wave((OBSCENE[0], CLEAN[0], RUMOUR))  # before the kill

        async def handled() -> bool:
            return stream.all_deleted()

        await until(handled, 60, "the first wave deleted")
        print(f"first wave handled after {loop.time() - began:.1f} s")
        assert await base.holders() == split, "no page changes hands while both daemons live"
        assert conflicts["409"] == 0, "one getUpdates of the bot at a time"
        victim = next(d for d in daemons if d.pid == split["telegram:7000001"])
        survivor = next(d for d in daemons if d is not victim)
        stream.wave((OBSCENE[1], CLEAN[1]))  # just before the kill: some of it in flight
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        killed = loop.time()
        stream.wave((OBSCENE[2],))  # while no daemon reads the victim's pages

        async def survivor_holds_all() -> bool:
            held = await base.holders()
            return set(held) == everything and set(held.values()) == {survivor.pid}

        await until(survivor_holds_all, TAKEOVER + 10, "the survivor holds every page")
        print(f"taken over {loop.time() - killed:.1f} s after the kill")
        stream.wave((OBSCENE[0], CLEAN[0]))  # after the takeover
        await until(handled, 60, "every obscene comment deleted")

        async def all_recorded() -> bool:
            return stream.keys() <= {key for (key,) in await base.rows("SELECT key FROM comments")}

        await until(all_recorded, 30, "every comment recorded")
        print(f"all handled after {loop.time() - began:.1f} s")
        survivor.send_signal(signal.SIGTERM)
        await asyncio.wait_for(survivor.wait(), 60)
        print(f"stopped after {loop.time() - began:.1f} s")
        log = tmp_path / f"daemon-{daemons.index(survivor) + 1}.log"
        assert survivor.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
    finally:
        for process in daemons:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await world.close()
    assert set(stream.obscene_vk().values()) == {1} and set(stream.obscene_tg().values()) == {1}
    clean_vk = {k for k, text in stream.vk.items() if text not in OBSCENE}
    assert not any(world.vk.deletions(group).get(cid) for group, cid in clean_vk), "no clean comment deleted"
    group = world.tg_pages.group.id
    assert not any(world.tg.state.deletions[(group, m)] for m, t in stream.tg.items() if t not in OBSCENE)
    keys = [key for (key,) in await base.rows("SELECT key FROM comments")]
    assert len(keys) == len(set(keys)) and stream.keys() <= set(keys), "each comment recorded, once"
    cards = [
        m.text or ""
        for m in world.tg.sent_by_bots(world.tg_pages.moderators_chat)
        if RUMOUR in (m.text or "")
    ]
    assert len(cards) == 3, "one card for the rumour on each page, each posted once"
    base.engine.dispose()


def _count_conflicts(world: DemoWorld) -> dict[str, int]:
    """Telegram's 409: a getUpdates of the bot ended by another one (two processes polling one token)."""
    counts = {"409": 0}
    state = world.tg.state
    original = state.next_updates

    async def counting(*args: Any, **kwargs: Any) -> Any:
        try:
            return await original(*args, **kwargs)
        except ApiError as error:
            if error.code == 409:
                counts["409"] += 1
            raise

    state.next_updates = counting  # type: ignore[method-assign]
    return counts
