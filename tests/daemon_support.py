"""The daemon in a test: started over the emulators of dozor/demo/world.py, stopped cleanly or killed.

A kill here cancels every task the daemon started, at the moment the test chooses, without letting anything
finish: what was committed to the database stays, what was in flight is gone (calls already made to a
platform have had their effect), as after SIGKILL. Not a test module.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from dozor.app import ActionsDecorator, Daemon, build_daemon, run_daemon
from dozor.config import Settings
from dozor.demo.world import DemoWorld, start_world


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    """The demonstration's emulators: a VK page and a Telegram channel with moderators (import by name)."""
    started = await start_world()
    try:
        yield started
    finally:
        await started.close()


async def until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Wait for a condition, polling; fail after a generous timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@dataclass
class Running:
    """A started daemon and the tasks it runs in."""

    daemon: Daemon
    stop: asyncio.Event
    task: asyncio.Task[None]
    tasks: set[asyncio.Task[object]] = field(default_factory=set)

    async def kill(self) -> None:
        """Cancel every task of the daemon at once, as SIGKILL would stop it: its connections are closed
        first, so that nothing it would do on its way out reaches a platform."""
        await self.daemon.platforms.close()
        mine = asyncio.current_task()
        victims = {
            t
            for t in asyncio.all_tasks() - self.tasks
            if t is not mine and not t.done() and not _serves_an_emulator(t)
        }
        for victim in victims:
            victim.cancel()
        await asyncio.gather(*victims, return_exceptions=True)
        self.daemon.store._engine.dispose()


def _serves_an_emulator(task: asyncio.Task[object]) -> bool:
    """The Telegram emulator's request handlers run in the test's loop too; they are not the daemon's."""
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and code.co_filename.replace("\\", "/").endswith("aiohttp/web_protocol.py")


@asynccontextmanager
async def daemon_on(
    world: DemoWorld, settings: Settings, decorate: ActionsDecorator | None = None
) -> AsyncIterator[Running]:
    """Run a daemon over `world` until the block ends (a clean stop), unless the test killed it."""
    before = set(asyncio.all_tasks())
    daemon = await build_daemon(settings, world, decorate)
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(daemon, stop))
    running = Running(daemon, stop, task, before)
    try:
        yield running
    finally:
        if not task.done():
            stop.set()
            await asyncio.wait_for(task, 60)
        daemon.store._engine.dispose()  # the process would end here, closing its connections
