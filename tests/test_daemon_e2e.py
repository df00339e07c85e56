"""The daemon end to end: real vk_api and aiogram clients against the emulators, a real SQLite database.

A new obscene comment is deleted and a repeat offender restricted; the moderators' buttons work and an
outsider is refused; a restart mid-stream loses nothing and acts on nothing twice; rate limits are retried; a
Telegram comment older than 48 hours is reported as not deletable.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dozor.app import Daemon, build_daemon, run_daemon
from dozor.config import Settings, StorageConfig
from dozor.demo.world import DemoWorld, start_world
from moderation.config import ModerationConfig

pytestmark = pytest.mark.timeout(90)


async def until(predicate: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(
    world: DemoWorld, db: Path, moderation: ModerationConfig | None = None
) -> AsyncIterator[Daemon]:
    settings = Settings(
        storage=StorageConfig(url=f"sqlite:///{db}"), moderation=moderation or ModerationConfig()
    )
    daemon = await build_daemon(settings, world)
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(daemon, stop))
    try:
        yield daemon
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    w = await start_world()
    try:
        yield w
    finally:
        await w.close()


def _vk_deleted(world: DemoWorld) -> set[int]:
    return set(world.vk.deleted_comments(world.vk_page.group_id))


def _vk_calls(world: DemoWorld, method: str) -> int:
    return int(world.vk.call_counts().get(method, 0))


async def test_obscene_comment_deleted_and_its_author_restricted_escalating(
    world: DemoWorld, tmp_path: Path
) -> None:
    """Clause 2.5 restricts authors of deleted comments: obscenity from the first deletion, then longer."""
    gid, post = world.vk_page.group_id, world.vk_page.post_ids[0]
    async with running(world, tmp_path / "d.sqlite3"):
        first = world.vk.add_comment(gid, post, 9001, "Да пошли вы на х.у.й с такими дорогами")
        await until(lambda: first in _vk_deleted(world) and 9001 in world.vk.bans(gid), timeout=45)
        day = world.vk.bans(gid)[9001].end_date or 0
        assert 0.9 * 86400 < day - datetime.now(UTC).timestamp() <= 86400
        second = world.vk.add_comment(gid, post, 9001, "бл@ть, опять яма на Ленина")
        await until(
            lambda: second in _vk_deleted(world) and (world.vk.bans(gid)[9001].end_date or 0) > day, 45
        )
        week = world.vk.bans(gid)[9001].end_date or 0
        assert 6.9 * 86400 < week - datetime.now(UTC).timestamp() <= 7 * 86400
        lawful = world.vk.add_comment(gid, post, 9002, "Позор! Третий год обещаете отремонтировать дорогу")
        await asyncio.sleep(1.5)
        assert lawful not in _vk_deleted(world)


async def test_moderators_decide_with_buttons_and_outsiders_are_refused(
    world: DemoWorld, tmp_path: Path
) -> None:
    pages = world.tg_pages
    async with running(world, tmp_path / "d.sqlite3"):
        comment = world.tg.post_comment(
            world.tg_posts[0],
            "Говорят, замглавы купил квартиру на деньги за ремонт дорог",
            user=pages.citizen,
        )

        def card() -> object:
            return next(
                (m for m in world.tg.sent_by_bots(pages.moderators_chat) if "замглавы" in (m.text or "")),
                None,
            )

        await until(card)
        message = card()
        html = message.html or ""  # type: ignore[attr-defined]
        assert "Администрация города Рубцовска" in html
        assert "https://t.me/rubtsovsk_adm/" in html and "?comment=" in html
        refused = world.tg.press_button(message, pages.outsider, text="Удалить")  # type: ignore[arg-type]
        await until(lambda: world.tg.answer_to(refused) is not None)
        assert "модератор" in (world.tg.answer_to(refused) or "").lower()
        assert not world.tg.is_deleted(comment)
        world.tg.press_button(message, pages.moderator, text="Удалить")  # type: ignore[arg-type]
        await until(lambda: world.tg.is_deleted(comment))
        await until(lambda: "Решение" in (message.text or ""))  # type: ignore[attr-defined]
        assert "Мария" in (message.text or "")  # type: ignore[attr-defined]


async def test_restart_mid_stream_loses_nothing_and_acts_once(world: DemoWorld, tmp_path: Path) -> None:
    gid, post = world.vk_page.group_id, world.vk_page.post_ids[1]
    db = tmp_path / "d.sqlite3"
    before, after = [], []
    async with running(world, db):
        for i in range(5):
            before.append(world.vk.add_comment(gid, post, 9100 + i, f"пиздец номер {i}"))
        await until(lambda: set(before) <= _vk_deleted(world))
    # the daemon is down: comments keep coming
    for i in range(5):
        after.append(world.vk.add_comment(gid, post, 9200 + i, f"хуйня номер {i}"))
    keep = world.vk.add_comment(gid, post, 9300, "Спасибо за информацию")
    async with running(world, db):
        await until(lambda: set(after) <= _vk_deleted(world))
        await asyncio.sleep(1.5)
    deletions = world.vk.deletions(gid)
    assert all(deletions[cid] == 1 for cid in before + after), "each deleted exactly once"
    assert keep not in _vk_deleted(world)


async def test_rate_limited_deletion_is_retried(world: DemoWorld, tmp_path: Path) -> None:
    gid, post = world.vk_page.group_id, world.vk_page.post_ids[2]
    world.vk.fail_next("wall.deleteComment", 6, times=3)
    async with running(world, tmp_path / "d.sqlite3") as daemon:
        cid = world.vk.add_comment(gid, post, 9400, "ебаный стыд, а не ремонт")
        await until(lambda: cid in _vk_deleted(world), timeout=40)
        summary = await daemon.store.status()
        assert summary.parked_actions == 0


async def test_old_telegram_comment_is_reported_not_deletable(world: DemoWorld, tmp_path: Path) -> None:
    pages = world.tg_pages
    async with running(world, tmp_path / "d.sqlite3") as daemon:
        world.tg.advance_clock(0)
        comment = world.tg.post_comment(world.tg_posts[1], "пиздец, батареи холодные", user=pages.citizen)
        world.tg.advance_clock(49 * 3600)  # the action runs after the 48-hour window has closed

        async def reported() -> bool:
            summary = await daemon.store.status()
            return any("48" in p.error or "deleted" in p.error.lower() for p in summary.problems)

        deadline = datetime.now(UTC).timestamp() + 20
        while not await reported():
            assert datetime.now(UTC).timestamp() < deadline, "not reported"
            await asyncio.sleep(0.2)
        assert not world.tg.is_deleted(comment)


async def test_decisions_export_as_training_rows(world: DemoWorld, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dozor.cli import app

    pages = world.tg_pages
    db = tmp_path / "d.sqlite3"
    async with running(world, db):
        world.tg.post_comment(
            world.tg_posts[0], "Говорят, мэр уже продал парк застройщику", user=pages.citizen
        )

        def card() -> object:
            return next(
                (m for m in world.tg.sent_by_bots(pages.moderators_chat) if "парк" in (m.text or "")), None
            )

        await until(card)
        world.tg.press_button(card(), pages.moderator, text="Оставить")  # type: ignore[arg-type]
        await until(lambda: "Решение" in (card().text or ""))  # type: ignore[attr-defined]
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    args = ["export-decisions", "--out", str(out), "--config", str(config)]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {"id": "decision-1", "post_text": None, "text": "Говорят, мэр уже продал парк застройщику",
         "grounds": [], "action": "keep"}
    ]  # fmt: skip


async def test_weekly_digest_counts_moderation_and_reaches_the_press_chat(
    world: DemoWorld, tmp_path: Path
) -> None:
    from datetime import timedelta

    from models.db import make_engine
    from models.stats import SqlModerationStats
    from monitor.config import MonitorConfig
    from monitor.digest.job import send_weekly_digest

    gid, post, pages = world.vk_page.group_id, world.vk_page.post_ids[0], world.tg_pages
    db = tmp_path / "d.sqlite3"
    settings = Settings(
        storage=StorageConfig(url=f"sqlite:///{db}"),
        monitor=MonitorConfig(press_chat_id=str(pages.moderators_chat.id)),
    )
    start = datetime.now(UTC) - timedelta(minutes=1)
    daemon = await build_daemon(settings, world)
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(daemon, stop))
    try:
        cid = world.vk.add_comment(gid, post, 9500, "пиздец какой-то с дорогами")
        await until(lambda: cid in _vk_deleted(world))
        figures = await SqlModerationStats(make_engine(f"sqlite:///{db}")).figures(start, datetime.now(UTC))
        assert figures.comments_checked >= 1
        assert figures.deleted_by_ground.get("obscenity", 0) >= 1
        before = len(world.tg.state.documents)
        assert daemon.monitor is not None
        built = await send_weekly_digest(daemon.monitor.deps.digest, datetime.now(UTC) + timedelta(days=7))
        await until(lambda: len(world.tg.state.documents) > before)
        document = world.tg.state.documents[-1]
        assert document.chat_id == pages.moderators_chat.id and document.filename.endswith(".html")
        assert "Модерация" in document.data.decode("utf-8") or "модерац" in document.data.decode("utf-8")
        assert built.message and any("сводк" in (m.text or "").lower() or "недел" in (m.text or "").lower()
                                     for m in world.tg.sent_by_bots(pages.moderators_chat))  # fmt: skip
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
