"""Running the daemon from the command line, and reporting its status."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from dozor.app import build_daemon, install_signal_handlers, run_daemon
from dozor.config import Settings
from models.store import Store
from moderation.daemon.ports import PlatformActions

if TYPE_CHECKING:
    from dozor.demo.world import DemoWorld


async def serve(
    settings: Settings, demo: bool, seconds: float | None = None, console: Console | None = None
) -> None:
    """The daemon until SIGTERM/SIGINT (or `seconds`); with `demo`, the emulators and the scripted stream."""
    console = console or Console()
    stop = asyncio.Event()
    install_signal_handlers(stop)
    world: DemoWorld | None = None
    decorate = None
    extra: list[Awaitable[None]] = []
    if demo:  # the emulators are imported only for the demonstration
        from dozor.demo.world import Announcing, start_world

        settings, database_note = _demo_database(settings)
        world = await start_world(console)
        console.rule("Дозор: демонстрация на встроенных эмуляторах VK и Telegram")
        console.print("Без токенов: реальные клиенты vk_api и aiogram работают с эмуляторами на 127.0.0.1.")
        console.print(database_note)

        def decorate(actions: PlatformActions) -> PlatformActions:
            return Announcing(actions, console)

    daemon = await build_daemon(settings, world, decorate)
    if daemon.settings.web.enabled:
        extra.append(_console(daemon.settings, stop, console))
    if world is not None:
        from dozor.demo.world import printer, run_script

        daemon.observers.append(printer(console))
        extra.append(run_script(world, daemon))
    if seconds is not None:
        asyncio.get_running_loop().call_later(seconds, stop.set)
    mode = settings.moderation.mode.value
    console.print(
        f"режим: {mode}; страницы: {', '.join(daemon.platforms.worker_names())}; Ctrl-C — остановка"
    )
    await run_daemon(daemon, stop, extra)
    if world is not None:
        await world.close()
    await print_status(settings, console, daemon.store)


#: A heartbeat older than this means the daemon itself is not running (it writes one every 10 s).
STALE_HEARTBEAT = 35.0


def worker_state(value: str, now: datetime) -> str:
    """One worker's line in the status: running, or not running and why (the daemon itself may be gone)."""
    try:
        beat = json.loads(value)
        at = datetime.fromisoformat(beat["at"])
        state, reason = str(beat["state"]), str(beat.get("reason") or "")
    except (ValueError, TypeError, KeyError):  # a heartbeat written by an older release: a bare timestamp
        at, state, reason = datetime.fromisoformat(value), "running", ""
    age = int((now - at).total_seconds())
    if state == "stopped":
        return f"остановлен вместе с демоном ({age} с назад)"
    if age > STALE_HEARTBEAT:
        return f"не работает: демон не отвечает {age} с" + (f" (последнее: {reason})" if reason else "")
    if state == "running":
        return f"работает (отметка {age} с назад)"
    if state == "dead":
        return f"не работает: {reason}; исправьте токен или настройки и перезапустите демон"
    if state == "retrying":
        return f"не работает, повторяет попытки: {reason}"
    return f"запускается ({age} с назад)"


async def _console(settings: Settings, stop: asyncio.Event, console: Console) -> None:
    """The web console in the daemon's event loop, on the daemon's database ([web] enabled = true)."""
    from models.db import database_url, make_engine
    from web.app import build_app, serve

    engine = make_engine(database_url(settings.storage.url))
    app = build_app(
        engine, settings.web, zone=settings.monitor.tz, posts_per_week=settings.monitor.posts_per_week
    )
    started = asyncio.Event()
    task = asyncio.create_task(serve(app, settings.web.host, settings.web.port, stop, started))
    await started.wait()
    console.print(f"веб-консоль: http://{settings.web.host}:{settings.web.port}/")
    try:
        await task
    finally:
        engine.dispose()


DEMO_DATABASE = Path("var") / "demo.sqlite3"


def _demo_database(settings: Settings) -> tuple[Settings, str]:
    """The demonstration starts from an empty database of its own each time (its emulators start empty
    too), so it never mixes with, skips because of, or writes into the records of a real run.

    DOZOR_DATABASE_URL is removed from this process's environment, not merely overridden: whatever part
    of the daemon resolves the database (store, scheduler, migrations) then finds only the demo's. Returns
    the settings and the line that tells the operator so.
    """
    import os

    from models.db import DSN_ENV

    configured = DSN_ENV if os.environ.pop(DSN_ENV, None) else "[storage] url" if settings.storage.url else ""
    DEMO_DATABASE.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    storage = settings.storage.model_copy(update={"url": f"sqlite:///{DEMO_DATABASE}"})
    untouched = f"настроенная база ({configured}) не затрагивается" if configured else "рабочая база не нужна"
    note = f"База демонстрации: {DEMO_DATABASE}, новая при каждом запуске; {untouched}."
    return settings.model_copy(update={"storage": storage}), note


def open_store(settings: Settings) -> Store:
    """The configured database, migrated to the current schema."""
    from models.db import database_url, make_engine
    from models.migrate import upgrade

    engine = make_engine(database_url(settings.storage.url))
    upgrade(engine=engine)
    return Store(engine)


async def print_status(
    settings: Settings, console: Console | None = None, store: Store | None = None
) -> None:
    """Workers (last heartbeat), cursors, review queue, actions waiting, parked or failed with their
    reasons."""
    console = console or Console()
    if store is None:
        store = await asyncio.to_thread(open_store, settings)
    summary = await store.status()
    now = datetime.now(UTC)
    workers = Table(title="Обработчики и позиции чтения")
    workers.add_column("что")
    workers.add_column("значение")
    for key, value in sorted(summary.cursors.items()):
        if key.startswith("heartbeat:"):
            workers.add_row(key.removeprefix("heartbeat:"), worker_state(value, now))
        else:
            workers.add_row(f"позиция {key}", value)
    for group_id, ts, synced_at in await store.vk_positions():
        when = f", прочитано до {synced_at:%d.%m.%Y %H:%M:%S} UTC" if synced_at else ""
        workers.add_row(f"vk:{group_id} long poll", f"ts {ts}{when}")
    console.print(workers)
    await _print_claims(store, console, now)
    queue = Table(title="Очередь")
    queue.add_column("что")
    queue.add_column("сколько", justify="right")
    oldest = summary.oldest_open_card_at
    waiting = f" (самая старая ждёт {int((now - oldest).total_seconds() // 60)} мин)" if oldest else ""
    queue.add_row(f"карточек ждут модератора{waiting}", str(summary.open_cards))
    queue.add_row("автоматических удалений ещё не принято", str(summary.unacknowledged_deletions))
    queue.add_row("действий в очереди", str(summary.pending_actions))
    queue.add_row("действий отложено (нужен человек)", str(summary.parked_actions))
    queue.add_row("действий не удалось", str(summary.failed_actions))
    console.print(queue)
    if summary.problems:
        problems = Table(title="Отложенные и неудавшиеся действия")
        for col in ("№", "действие", "состояние", "попыток", "комментарий", "причина"):
            problems.add_column(col)
        for p in summary.problems:
            problems.add_row(
                str(p.id), p.kind.value, p.status.value, str(p.attempts), p.comment_key or "", p.error
            )
        console.print(problems)


async def _print_claims(store: Store, console: Console, now: datetime) -> None:
    """Which daemon reads which page, when several share the database (host, pid, start)."""
    from dozor.claims import claim_label, describe
    from models import claims

    states = await store.run(claims.claims)
    if not states:
        return
    table = Table(title="Какой демон читает какую страницу")
    table.add_column("страница")
    table.add_column("демон")
    for state in states:
        table.add_row(claim_label(state.name), describe(state, now))
    console.print(table)
