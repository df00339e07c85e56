"""Bots Long Poll over vk_api, and running its blocking calls so that a stopping worker need not wait.

VK answers a check with events after `ts` and the next `ts`, or `failed`: 1 (the history before the new `ts`
is gone: events were lost), 2 (the key expired: get a new one, keep `ts`), 3 (key and `ts` lost: events were
lost too). VK keeps a window of recent events, so a `ts` saved before a restart resumes where the process
stopped, unless it is older than the window (`failed: 1`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import vk_api
from vk_api.bot_longpoll import VkBotLongPoll

from bots.vk.transport import map_error
from moderation.daemon.ports import PlatformError

T = TypeVar("T")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LOST_EVENTS = frozenset({1, 3})  # failed codes after which events may be missing: catch up
NEW_KEY = frozenset({2, 3})  # failed codes after which a new key is needed before the next check


class LongPoll(VkBotLongPoll):  # type: ignore[misc]
    """vk_api's Bots Long Poll client, split so the worker sees each `failed` code and refreshes the key
    itself (a refresh that fails must not hide that events were lost)."""

    ts: Any
    key: Any
    server: Any
    session: Any
    url: Any
    wait: Any

    def __init__(self, vk: vk_api.VkApi, group_id: int, wait: float) -> None:
        super().__init__(vk, group_id, wait=wait)
        if urlsplit(str(self.server)).hostname in LOOPBACK:  # the emulator: keep proxies from the env out
            self.session.trust_env = False

    def poll(self) -> tuple[list[dict[str, Any]], int | None]:
        """One check: (events, None), or ([], the failed code); `ts` moves on as VK says."""
        params = {"act": "a_check", "key": self.key, "ts": self.ts, "wait": self.wait}
        response = self.session.get(self.url, params=params, timeout=self.wait + 10)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        failed = body.get("failed")
        if failed is None:
            self.ts = body["ts"]
            return list(body.get("updates", [])), None
        if failed == 1:
            self.ts = body["ts"]
        return [], int(failed)

    def refresh(self, new_ts: bool) -> None:
        """A new key (groups.getLongPollServer); with `new_ts`, also VK's current position."""
        self.update_longpoll_server(update_ts=new_ts)


class Stopped(PlatformError):
    """Internal: a blocking call was abandoned because the worker is stopping."""


def in_daemon_thread(fn: Callable[[], T], name: str) -> asyncio.Future[T]:
    """Run a blocking call in a daemon thread.

    A long poll may block for `wait` seconds; a daemon thread lets stop() return at once and the process exit
    without joining it (asyncio.to_thread's executor would be joined at loop shutdown). Errors arrive mapped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(setter: Callable[[Any], None], value: Any) -> None:
        def apply() -> None:
            if not future.done():
                setter(value)

        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
            loop.call_soon_threadsafe(apply)

    def target() -> None:
        try:
            result = fn()
        except Exception as exc:
            settle(future.set_exception, map_error(exc, "long poll"))
        else:
            settle(future.set_result, result)

    threading.Thread(target=target, name=name, daemon=True).start()
    return future


async def interruptible(fn: Callable[[], T], stop: asyncio.Event, name: str) -> T:
    """Await a blocking call, giving up on it (it runs out in its thread) as soon as `stop` is set."""
    future = in_daemon_thread(fn, name)
    stopper = asyncio.ensure_future(stop.wait())
    waiters: set[asyncio.Future[Any]] = {future, stopper}
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if not future.done():
        future.cancel()
        raise Stopped
    return future.result()
