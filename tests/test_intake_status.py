"""`dozor status` says which workers run and why the others do not; a worker failing at start recovers.

Issue 14: one HTTP 502 on getMe stopped the Telegram worker for good while `dozor status` still showed
Telegram as seen seconds ago (the heartbeat was written for every configured worker whether it ran or not).
"""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from bots.intake import WorkerState
from dozor.config import Settings, StorageConfig
from dozor.demo.world import DemoWorld
from dozor.runner import print_status, worker_state
from tests.daemon_support import daemon_on, until, world  # noqa: F401  (fixture)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def beat(state: str, reason: str = "", age: float = 3) -> str:
    at = NOW - timedelta(seconds=age)
    return json.dumps({"state": state, "reason": reason, "since": at.isoformat(), "at": at.isoformat()})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (beat("running"), "работает (отметка 3 с назад)"),
        (
            beat("retrying", "Telegram недоступен: HTTP 502"),
            "не работает, повторяет попытки: Telegram недоступен",
        ),
        (beat("dead", "Forbidden: Unauthorized"), "не работает: Forbidden: Unauthorized; исправьте"),
        (beat("running", age=600), "не работает: демон не отвечает 600 с"),
        (beat("stopped", age=600), "остановлен вместе с демоном"),
        (beat("starting"), "запускается"),
        ((NOW - timedelta(seconds=5)).isoformat(), "работает (отметка 5 с назад)"),
    ],
    ids=["running", "retrying", "dead", "daemon-gone", "stopped", "starting", "older-release"],
)
def test_worker_state_line(value: str, expected: str) -> None:
    assert worker_state(value, NOW).startswith(expected)


@pytest.mark.timeout(120)
async def test_telegram_failing_at_start_is_reported_then_recovers(world: DemoWorld, tmp_path: Path) -> None:
    world.tg.state.inject_http_failure("getMe", 502, times=4)
    settings = Settings(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'd.sqlite3'}"))
    console = Console(record=True, width=200)
    async with daemon_on(world, settings) as running:
        telegram = running.daemon.platforms.health()["telegram"]
        await until(lambda: telegram.state is WorkerState.RETRYING)
        await running.daemon.write_heartbeat()
        await print_status(settings, console, running.daemon.store)
        assert "не работает, повторяет попытки" in console.export_text()
        await until(lambda: telegram.state is WorkerState.RUNNING, timeout=40)
        comment = world.tg.post_comment(world.tg_posts[0], "пиздец, а не дороги", user=world.tg_pages.citizen)
        await until(lambda: world.tg.is_deleted(comment))  # comments flow

        def card() -> object:
            sent = world.tg.sent_by_bots(world.tg_pages.moderators_chat)
            return next((m for m in sent if m.reply_markup), None)

        await until(card)
        message = card()
        first = message.reply_markup["inline_keyboard"][0][0]  # type: ignore[attr-defined]
        press = world.tg.press_button(message, world.tg_pages.moderator, text=first["text"])  # type: ignore[arg-type]
        await until(lambda: world.tg.answer_to(press) is not None)  # and buttons
        await running.daemon.write_heartbeat()
        await print_status(settings, console, running.daemon.store)
    assert re.search(r"telegram\s*│\s*работает", console.export_text())
