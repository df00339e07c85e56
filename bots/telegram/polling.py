"""getUpdates that confirms an update only once it has been handled.

Telegram confirms every update below the `offset` of the next getUpdates. aiogram's polling moves the offset
past each update as soon as it hands it to a task, and fetches the next batch while handlers still run: a
process killed then, or a handler that failed, lost the update for good. Here the offset never passes an
update whose handler has not finished; a handler stopped before its update was durably handled raises
`Unhandled`, and its update is left for the next start. Handlers run concurrently (`concurrency` at most).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update

from bots.intake import Health, next_delay, sleep_unless
from bots.telegram.actions import install_token_redaction, telegram_errors
from moderation.daemon.ports import Forbidden, PlatformError

logger = logging.getLogger(__name__)
install_token_redaction(logger)


class Unhandled(Exception):
    """A handler was stopped before its update was durably handled: the update must not be confirmed."""


class Poller:
    """Fetches updates, feeds them to the dispatcher, and confirms each only after its handler returned."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        health: Health,
        *,
        polling_timeout: int = 10,
        concurrency: int = 32,
        prepare: Callable[[Update], None] | None = None,
        backoff: float = 1.0,
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._health = health
        self._timeout = polling_timeout
        self._concurrency = concurrency
        self._prepare = prepare
        self._backoff = backoff
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._finished: set[int] = set()  # handled, at or above the offset
        self._held: set[int] = set()  # stopped before handled: never confirmed by this process
        self._highest: int | None = None
        self._sent: int | None = None  # the offset Telegram last got
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()

    def offset(self) -> int | None:
        """The offset that confirms exactly the updates handled with nothing unhandled before them."""
        waiting = [*self._inflight, *self._held]
        if waiting:
            return min(waiting)
        return self._highest + 1 if self._highest is not None else None

    async def run(self) -> None:
        """Poll until stop(); network trouble and 5xx are waited out, a revoked token (Forbidden) raised."""
        allowed = self._dispatcher.resolve_used_update_types()
        delay = self._backoff
        while not self._stopping.is_set():
            self._changed.clear()  # a handler finishing from here on wakes _wait_for_change
            if len(self._inflight) >= self._concurrency:
                await self._wait_for_change()
                continue
            offset = self.offset()
            try:
                updates = await self._fetch(offset, allowed)
            except Forbidden:
                raise
            except PlatformError as error:
                self._health.retrying(f"Telegram недоступен: {error}")
                if await sleep_unless(self._stopping, delay):
                    return
                delay = next_delay(delay)
                continue
            if delay != self._backoff:  # Telegram answers again
                self._health.running()
                delay = self._backoff
            self._sent = offset
            self._finished = {done for done in self._finished if offset is None or done >= offset}
            fresh = [u for u in updates if u.update_id not in (self._inflight.keys() | self._finished)]
            fresh = [u for u in fresh if u.update_id not in self._held]
            if not fresh and updates:  # only updates still being handled: wait for one to finish
                await self._wait_for_change()
            for update in fresh:
                self._start(update)

    async def _fetch(self, offset: int | None, allowed: list[str]) -> list[Update]:
        method = GetUpdates(offset=offset, timeout=self._timeout, allowed_updates=allowed)
        with telegram_errors("getUpdates"):
            return await self._bot(method, request_timeout=int(self._bot.session.timeout + self._timeout))

    def _start(self, update: Update) -> None:
        self._highest = max(update.update_id, self._highest or 0)
        if self._prepare is not None:
            self._prepare(update)  # synchronous: before any handler of a later update can run
        self._inflight[update.update_id] = asyncio.create_task(
            self._handle(update), name=f"telegram-update-{update.update_id}"
        )

    async def _handle(self, update: Update) -> None:
        held = False
        try:
            response = await self._dispatcher.feed_update(self._bot, update)
            if isinstance(response, TelegramMethod):
                await self._bot(response)
        except Unhandled:
            held = True
        except asyncio.CancelledError:
            held = True
            raise
        except Exception as error:  # a button or a post that failed: logged, confirmed, not retried
            logger.error("update %s failed: %s", update.update_id, type(error).__name__)
        finally:
            self._inflight.pop(update.update_id, None)
            (self._held if held else self._finished).add(update.update_id)
            self._changed.set()

    async def _wait_for_change(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout=self._timeout)

    def halt(self) -> None:
        """Fetch no more (run() returns at its next step); handlers already running go on."""
        self._stopping.set()
        self._changed.set()

    async def stop(self, grace: float = 30.0) -> None:
        """Stop fetching, give running handlers `grace` seconds, then confirm what was handled."""
        self.halt()
        running = list(self._inflight.values())
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.confirm()

    async def confirm(self) -> None:
        """Tell Telegram what is handled now (the next start would otherwise see it again)."""
        offset = self.offset()
        if offset is None or offset == self._sent:
            return
        try:
            with telegram_errors("getUpdates (confirm)"):
                await self._bot(GetUpdates(offset=offset, timeout=0, limit=1))
        except PlatformError:
            return  # unconfirmed updates come again at the next start; handling them twice is harmless
        self._sent = offset
