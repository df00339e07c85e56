"""The moderators' workbench in the running daemon: real vk_api and aiogram clients against the emulators, a
real SQLite database. A VK deletion is reported with its author's name and clause, restored from the report
with its ban lifted, and the restore taken back; status and digest agree on what waits."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dozor.app import Daemon, build_daemon, run_daemon
from dozor.config import Settings, StorageConfig
from dozor.demo.world import DemoWorld
from emulators.telegram.model import StoredMessage
from models.db import make_engine
from models.stats import figures
from moderation.config import ModerationConfig, WorkbenchPolicy
from tests.test_daemon_e2e import until as until_15s
from tests.test_daemon_e2e import world  # noqa: F401  (the emulators as a fixture)

pytestmark = pytest.mark.timeout(180)


async def until(predicate: Callable[[], object]) -> None:
    """A generous wait: automatic restrictions queue 10 s behind their deletions."""
    await until_15s(predicate, timeout=45.0)


QUICK = WorkbenchPolicy(report_minutes=0.05)  # reports gather for 3 s instead of 20


@asynccontextmanager
async def running(world: DemoWorld, db: Path) -> AsyncIterator[Daemon]:
    settings = Settings(
        storage=StorageConfig(url=f"sqlite:///{db}"), moderation=ModerationConfig(workbench=QUICK)
    )
    daemon = await build_daemon(settings, world)
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(daemon, stop))
    try:
        yield daemon
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def moderators_messages(world: DemoWorld) -> list[StoredMessage]:
    return world.tg.sent_by_bots(world.tg_pages.moderators_chat)


def report_of(world: DemoWorld, text: str) -> StoredMessage | None:
    return next(
        (
            m
            for m in moderators_messages(world)
            if text in (m.text or "") and "Удалено автом" in (m.text or "")
        ),
        None,
    )


async def press(world: DemoWorld, message: StoredMessage, button: str) -> str:
    query = world.tg.press_button(message, world.tg_pages.moderator, text=button)
    await until(lambda: world.tg.answer_to(query) is not None)
    return world.tg.answer_to(query) or ""


async def test_a_vk_deletion_is_reported_restored_with_its_ban_lifted_and_the_restore_undone(
    world: DemoWorld, tmp_path: Path
) -> None:
    gid, post = world.vk_page.group_id, world.vk_page.post_ids[0]
    world.vk.add_user(9101, "Фёдор", "Громов")
    async with running(world, tmp_path / "d.sqlite3") as daemon:
        cid = world.vk.add_comment(gid, post, 9101, "Да пошли вы на х.у.й с такими дорогами")
        await until(lambda: cid in world.vk.deleted_comments(gid) and 9101 in world.vk.bans(gid))
        await until(lambda: report_of(world, "Громов") is not None)
        report = report_of(world, "Громов")
        assert report is not None
        html = report.html or ""
        assert (
            '<a href="https://vk.com/id9101">Фёдор Громов</a>: п. 2.5, пп. 2 — ненормативная лексика' in html
        )
        n = next(line.split(".")[0] for line in (report.text or "").splitlines() if "Фёдор Громов:" in line)
        assert "автор ограничен до" in html  # the demonstration's own comments may share the report
        assert (
            f"↺ {n} Восстановить" in report.button_texts()
            and f"🔓 {n} Снять ограничение" in report.button_texts()
        )
        assert await press(world, report, f"↺ {n} Восстановить") == "Восстановлено, ограничение за него снято"
        await until(lambda: cid not in world.vk.deleted_comments(gid) and 9101 not in world.vk.bans(gid))
        await until(lambda: f"↩️ {n} Отменить решение" in report.button_texts())

        def item() -> str:
            return (report.text or "").split(f"{n}. Фёдор Громов:", 1)[1].split(f"\n{int(n) + 1}. ", 1)[0]

        await until(lambda: "Сейчас: восстановлен, автор не ограничен" in item())
        assert f"↺ {n} Восстановить" not in report.button_texts()
        assert (
            await press(world, report, f"↩️ {n} Отменить решение")
            == "Решение отменено, карточка открыта заново"
        )
        await until(lambda: cid in world.vk.deleted_comments(gid) and 9101 in world.vk.bans(gid))
        await until(lambda: f"↺ {n} Восстановить" in report.button_texts())
        status = await daemon.store.status()
        assert status.open_cards == 0


async def test_status_and_the_digest_agree_on_what_waits(world: DemoWorld, tmp_path: Path) -> None:
    gid, post = world.vk_page.group_id, world.vk_page.post_ids[1]
    db = tmp_path / "d.sqlite3"
    async with running(world, db) as daemon:
        for n in range(4):
            world.vk.add_comment(gid, post, 9200 + n, f"пиздец номер {n}")
        world.vk.add_comment(gid, post, 9300, "Говорят, замглавы купил квартиру на деньги за ремонт дорог")
        await until(lambda: any("замглавы" in (m.text or "") for m in moderators_messages(world)))
        await until(lambda: len(world.vk.deleted_comments(gid)) >= 4)
        status = await daemon.store.status()
        now = datetime.now(UTC)
        week = figures(make_engine(f"sqlite:///{db}"), now - timedelta(days=1), now + timedelta(days=1))
        assert status.open_cards == week.waiting_cards == 1, "automatic deletions wait for no one"
        assert status.unacknowledged_deletions >= 4  # the demonstration's seeded comments add theirs
