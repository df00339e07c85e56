"""The action side of the daemon end to end, through the real vk_api and aiogram clients and the emulators.

A review card whose send was cut by a SIGKILL of the daemon (after Telegram took it, before its id was
recorded) exists once after the restart, and the rest of the interrupted batch goes out at once although the
lease was ten minutes; a VK that hangs holds back no Telegram deletion; Telegram's 429 on cards is waited out.
"""

# ruff: noqa: F811  (the e2e tests' `world` fixture is imported by name and requested as a parameter)

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dozor.demo.world import DemoWorld
from emulators.telegram.demo import seed_city_pages
from emulators.telegram.model import StoredMessage
from emulators.telegram.server import ApiError, TelegramEmulator
from models.db import make_engine
from models.tables import ReviewCardRow
from moderation.config import ModerationConfig, RetryPolicy
from tests.test_daemon_e2e import running, world  # noqa: F401  (world is a fixture)
from tests.test_tg_support import TOKEN

pytestmark = pytest.mark.timeout(240)
ROOT = Path(__file__).resolve().parent.parent
RUMOURS = (
    "Говорят, замглавы купил квартиру на деньги за ремонт дорог",
    "Говорят, мэр уже продал парк застройщику",
    "Говорят, воду отключат на месяц, а деньги на ремонт уже украли",
)
CARD_NUMBER = re.compile(r"Карточка № (\d+)")


async def until(predicate: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} not reached in {timeout:g} s")
        await asyncio.sleep(0.05)


def cards_in(emu: TelegramEmulator, chat_id: int) -> dict[int, list[StoredMessage]]:
    """Card number -> the bot's messages carrying it in the moderators' chat."""
    found: dict[int, list[StoredMessage]] = {}
    for message in emu.sent_by_bots(emu.state.chats[chat_id]):
        number = CARD_NUMBER.search(message.text or "")
        if number:
            found.setdefault(int(number.group(1)), []).append(message)
    return found


def daemon_config(tmp: Path, url: str, emu: TelegramEmulator, pages: object) -> Path:
    channel, moderators_chat, moderator = pages.channel.id, pages.moderators_chat.id, pages.moderator.id  # type: ignore[attr-defined]
    config = tmp / "config.toml"
    config.write_text(
        f"""
[moderation.retry]
lease_seconds = 600.0
[storage]
url = "{url}"
[telegram]
channels = [{channel}]
moderators_chat_id = {moderators_chat}
moderators = ["{moderator}"]
api_base = "{emu.base_url}"
""",
        encoding="utf-8",
    )
    return config


async def start_daemon(config: Path, log: Path) -> asyncio.subprocess.Process:
    """`dozor run` as an administrator starts it: its own process, tokens from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOZOR_")}
    env["DOZOR_TELEGRAM_TOKEN"] = TOKEN
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dozor", "run", "--config", str(config), "--log-level", "INFO",
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip


async def test_a_card_cut_by_a_kill_mid_send_is_posted_once_and_the_batch_resumes_at_once(
    migrated_url: str, tmp_path: Path
) -> None:
    async with TelegramEmulator(per_chat_per_minute=1000) as emu:
        pages = seed_city_pages(emu, TOKEN)
        post = emu.post_to_channel(pages.channel, "Ремонт дорог: план на лето")
        for text in RUMOURS:
            emu.post_comment(post, text, user=pages.citizen)
        chat = pages.moderators_chat.id
        config, log = daemon_config(tmp_path, migrated_url, emu, pages), tmp_path / "daemon.log"
        held = emu.state.hold("sendMessage", after=True)  # Telegram posts the card; the answer never leaves
        first = await start_daemon(config, log)
        try:
            await asyncio.wait_for(held.reached.wait(), 120)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        held.release.set()
        assert len(cards_in(emu, chat)) == 1, "the card was posted; its id was never recorded"
        second = await start_daemon(config, log)
        try:
            await until(lambda: len(cards_in(emu, chat)) == len(RUMOURS), what="every card posted")
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 60)
        assert second.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
    posted = cards_in(emu, chat)
    assert {number: len(messages) for number, messages in posted.items()} == dict.fromkeys(posted, 1)
    assert all(messages[0].edits == 0 for messages in posted.values()), (
        "finding the lost card changed nothing"
    )
    engine = make_engine(migrated_url)
    try:
        with Session(engine) as session:
            refs = {row.id: row.message_ref for row in session.exec(select(ReviewCardRow)).all()}
    finally:
        engine.dispose()
    assert refs == {number: f"{chat}:{messages[0].message_id}" for number, messages in posted.items()}


async def test_a_hanging_vk_holds_back_no_telegram_deletion(world: DemoWorld, tmp_path: Path) -> None:
    gid, vk_post = world.vk_page.group_id, world.vk_page.post_ids[0]
    release = threading.Event()
    before = max(event["object"]["id"] for event in world.vk.events(gid))  # the demo page's own comments

    def newer(params: dict[str, str]) -> bool:  # deleting a comment added below, alone or in an execute
        ids = [params.get("comment_id", "0"), *re.findall(r'"comment_id": (\d+)', params.get("code", ""))]
        return any(int(found) > before for found in ids)

    alone = world.vk.hang_next("wall.deleteComment", release, when=newer)
    batched = world.vk.hang_next("execute", release, when=newer)
    async with running(world, tmp_path / "d.sqlite3"):
        try:
            vk_comment = world.vk.add_comment(gid, vk_post, 9001, "Да пошли вы на х.у.й с такими дорогами")
            await until(lambda: alone.is_set() or batched.is_set(), what="VK asked")
            tg_comment = world.tg.post_comment(
                world.tg_posts[0], "пиздец, батареи холодные", user=world.tg_pages.citizen
            )
            await until(lambda: world.tg.is_deleted(tg_comment), what="the Telegram deletion")
            assert vk_comment not in world.vk.deleted_comments(gid), "VK is still hanging"
            release.set()
            await until(lambda: vk_comment in world.vk.deleted_comments(gid), what="the VK deletion")
        finally:
            release.set()


async def test_telegram_429_on_cards_is_waited_out_never_parked(world: DemoWorld, tmp_path: Path) -> None:
    pages = world.tg_pages
    for _ in range(4):  # more refusals than the attempts allowed below
        world.tg.state.inject_failure("sendMessage", ApiError(429, "Too Many Requests: retry after 1", 1))
    retry = RetryPolicy(max_attempts=2, base_delay_seconds=0.5)
    async with running(world, tmp_path / "d.sqlite3", ModerationConfig(retry=retry)) as daemon:
        world.tg.post_comment(world.tg_posts[0], RUMOURS[1], user=pages.citizen)
        await until(lambda: cards_in(world.tg, pages.moderators_chat.id), what="the card")
        status = await daemon.store.status()
    assert status.parked_actions == 0 and status.failed_actions == 0
    assert world.tg.state.calls["sendMessage"] >= 5
