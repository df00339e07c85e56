"""Reads a VK community's comments and hands each to the moderation pipeline, losing none across restarts.

The worker follows Bots Long Poll and saves the long poll's `ts` once every event up to it has been handed
over (the pipeline records it durably before it returns), so a restart resumes from there: VK still has those
events. When VK says events were lost (`failed` 1 or 3, or the saved `ts` is older than VK's window of
history), it catches up by reading the page (bots/vk/catchup.py) back to the moment it was last current.
Duplicates are expected and harmless: the pipeline knows each comment by its own key; a high-water mark of
comment ids is never used, since comments on different posts arrive out of id order.

A comment that cannot be recorded (the database is down or locked) stops intake: the worker retries it with
backoff and saves no position past it, and goes on by itself when the database is back.

Reading the wall needs a user or service token (VK refuses wall.get/wall.getComments with a community token),
so the worker holds two clients: the community one for the long poll and a reader for catch-up and post texts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import vk_api

from bots.intake import Health, WorkerState, hand_over, next_delay, sleep_unless
from bots.vk.catchup import read_page
from bots.vk.longpoll import LOST_EVENTS, NEW_KEY, LongPoll, Stopped, interruptible
from bots.vk.position import Position, PositionStore
from bots.vk.transport import acall
from moderation.daemon.ports import Forbidden, IncomingComment, PlatformError, RateLimited
from moderation.types import Platform

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[IncomingComment], Awaitable[None]]
COMMENT_EVENTS = frozenset({"wall_reply_new", "wall_reply_edit"})
SAVE_IDLE_EVERY = timedelta(seconds=30)  # an idle page's position is saved this often (its `synced_at` moves)


class VkWorker:
    """Delivers one community's new and edited comments to `handler`, at least once."""

    def __init__(
        self,
        group_id: int,
        community: vk_api.VkApi,
        handler: Handler,
        positions: PositionStore,
        *,
        reader: vk_api.VkApi,
        wait: float = 25,
        catchup_horizon: timedelta = timedelta(days=7),
        catchup_posts: int = 20,
        backfill_first_run: bool = True,
        backoff: float = 1.0,
    ) -> None:
        self.group_id = group_id
        self.page_key = f"vk:{group_id}"
        self.health = Health()
        self._community = community
        self._reader = reader
        self._handler = handler
        self._positions = positions
        self._wait = wait
        self._horizon = catchup_horizon
        self._catchup_posts = catchup_posts
        self._backfill_first_run = backfill_first_run
        self._backoff = backoff
        self._stop = asyncio.Event()
        self._posts: OrderedDict[int, str] = OrderedDict()
        self._synced_at: datetime | None = None
        self._saved: tuple[str | None, datetime] | None = None

    def stop(self) -> None:
        """Ask run() to return; a long poll in flight is abandoned, not awaited."""
        self._stop.set()

    async def run(self) -> None:
        """Resume the long poll where the last run stopped (catching up if VK lost the events), then follow it
        until stop() or cancellation.

        Transient failures and rate limits back off and retry; the long poll waits while a catch-up is due, so
        nothing is skipped. Forbidden (wrong token kind, not a manager) is raised: retrying will not help.
        """
        self._stop.clear()
        try:
            await self._follow()
        finally:
            self.health.set(WorkerState.STOPPED if self._stop.is_set() else self.health.state)
        log.info("VK worker for group %s stopped", self.group_id)

    async def _follow(self) -> None:
        stored = await self._load()
        longpoll = await self._until_connected()
        if longpoll is None:
            return
        self.health.running()
        need_catch_up = await self._resume(longpoll, stored)
        refresh: bool | None = None  # a new key is due; True: with a new ts
        delay = self._backoff
        while not self._stop.is_set():
            try:
                if refresh is not None:
                    await self._blocking(functools.partial(longpoll.refresh, refresh))
                    refresh = None
                if need_catch_up:
                    await self.catch_up(self._synced_at)
                    need_catch_up = False
                started = datetime.now(UTC)
                updates, failed = await self._blocking(longpoll.poll)
            except PlatformError as exc:
                if self._stop.is_set():
                    return
                _raise_if_forbidden(exc, self.group_id)
                self.health.retrying(f"VK недоступен: {exc}")
                if await sleep_unless(self._stop, _retry_delay(exc, delay)):
                    return
                delay = next_delay(delay, 60.0)
                continue
            delay = self._backoff
            if failed is not None:
                need_catch_up = need_catch_up or failed in LOST_EVENTS
                refresh = (failed == 3) if failed in NEW_KEY else None
                log.info("VK long poll for group %s: failed %s%s", self.group_id, failed,
                         "; events were lost, catching up" if failed in LOST_EVENTS else "")  # fmt: skip
                continue
            self.health.running()
            for raw in updates:
                if not await self._on_event(raw):
                    return  # stopped before the comment was recorded: its position is not saved
            self._synced_at = started
            await self._save(longpoll.ts, force=bool(updates))

    async def _resume(self, longpoll: LongPoll, stored: Position | None) -> bool:
        """Start where the last run stopped; True when the page must be read first (a first run that
        backfills, or a page whose `ts` is unknown). A first run that does not backfill starts from now."""
        if stored is not None and stored.ts is not None:
            longpoll.ts = stored.ts  # VK still has the events since then, or answers failed 1
            self._synced_at = stored.synced_at
            return False
        if stored is not None and stored.synced_at is not None:
            self._synced_at = stored.synced_at  # followed before, position unknown: read back to then
            return True
        if self._backfill_first_run:
            return True
        self._synced_at = datetime.now(UTC)
        await self._save(longpoll.ts, force=True)
        return False

    async def catch_up(self, since: datetime | None = None) -> int:
        """Hand over every comment found on the posts the page may have got comments on since `since` (now
        if None); returns how many were handed over (the pipeline skips those it has decided already)."""
        since = since or datetime.now(UTC)
        found = await asyncio.to_thread(
            read_page, self._reader, self.group_id, since, self._horizon, self._catchup_posts
        )
        for post_id, text in found.posts.items():
            self._remember_post(post_id, text)
        delivered = 0
        for obj in found.comments:
            if await self._deliver(obj, edited=False):
                delivered += 1
            elif self._stop.is_set():
                raise Stopped("stopped during catch-up")
        log.info("VK group %s: caught up, %d comment(s) handed over", self.group_id, delivered)
        return delivered

    async def _load(self) -> Position | None:
        """The stored position; a database that cannot answer is waited for (starting blind would lose)."""
        delay = self._backoff
        while not self._stop.is_set():
            try:
                return await self._positions.load(self.group_id)
            except Exception as error:
                self.health.retrying(f"не удаётся прочитать позицию ({type(error).__name__})")
                if await sleep_unless(self._stop, delay):
                    break
                delay = next_delay(delay)
        return None

    async def _save(self, ts: Any, *, force: bool) -> None:
        """Save the position; a failure costs only a redelivery after a restart, never a comment."""
        now = datetime.now(UTC)
        value = str(ts) if ts is not None else None
        saved = self._saved
        if not force and saved is not None and saved[0] == value and now - saved[1] < SAVE_IDLE_EVERY:
            return
        try:
            await self._positions.save(self.group_id, Position(value, self._synced_at))
        except Exception as error:
            log.warning("could not save the VK position of %s (%s)", self.page_key, type(error).__name__)
            return
        self._saved = (value, now)

    async def _until_connected(self) -> LongPoll | None:
        """Retry getting a long-poll server until it works or we stop; Forbidden is raised at once."""
        delay = self._backoff
        while not self._stop.is_set():
            try:
                return await self._blocking(lambda: LongPoll(self._community, self.group_id, self._wait))
            except PlatformError as exc:
                if self._stop.is_set():
                    break
                _raise_if_forbidden(exc, self.group_id)
                log.warning("VK long poll for group %s unavailable: %s", self.group_id, exc)
                self.health.retrying(f"VK недоступен: {exc}")
                if await sleep_unless(self._stop, _retry_delay(exc, delay)):
                    break
                delay = next_delay(delay, 60.0)
        return None

    async def _blocking(self, fn: Callable[[], T]) -> T:
        return await interruptible(fn, self._stop, f"vk-longpoll-{self.group_id}")

    async def _on_event(self, raw: dict[str, Any]) -> bool:
        """Hand over one event's comment; False only when stopped before it was recorded."""
        obj = raw.get("object") or {}
        if raw.get("type") == "wall_post_new":
            self._remember_post(int(obj.get("id", 0)), str(obj.get("text", "")))
        if raw.get("type") not in COMMENT_EVENTS or int(obj.get("owner_id", 0)) != -self.group_id:
            return True
        edited = raw.get("type") == "wall_reply_edit"
        return await self._deliver(obj, edited=edited) or not self._stop.is_set()

    async def _deliver(self, obj: dict[str, Any], *, edited: bool) -> bool:
        """Hand one comment over until it is recorded; False if it is the page's own or we stopped first."""
        if int(obj.get("from_id", 0)) == -self.group_id:  # the page's own replies are not moderated
            return False
        comment = self._translate(obj, await self._post_text(int(obj["post_id"])), edited)
        return await hand_over(
            self._handler, comment, f"комментарий {comment.key}", stop=self._stop, health=self.health,
            backoff=self._backoff,
        )  # fmt: skip

    def _translate(self, obj: dict[str, Any], post_text: str | None, edited: bool) -> IncomingComment:
        from_id = int(obj.get("from_id", 0))
        return IncomingComment(
            platform=Platform.VK,
            page_id=str(self.group_id),
            post_id=str(obj["post_id"]),
            comment_id=str(obj["id"]),
            author_id=str(from_id),
            text=str(obj.get("text", "")),
            created_at=datetime.fromtimestamp(int(obj.get("date", 0)), UTC),
            post_text=post_text,
            edited=edited,
            author_is_chat=from_id < 0,
        )

    async def _post_text(self, post_id: int) -> str | None:
        """Post text for off-topic checks, from the cache or wall.getById; failing here costs only context."""
        if post_id in self._posts:
            self._posts.move_to_end(post_id)
            return self._posts[post_id]
        try:
            found = await acall(self._reader, "wall.getById", {"posts": f"-{self.group_id}_{post_id}"})
        except PlatformError:
            return None
        items = found.get("items", []) if isinstance(found, dict) else found
        text = str(items[0].get("text", "")) if items else None
        if text is not None:
            self._remember_post(post_id, text)
        return text

    def _remember_post(self, post_id: int, text: str, limit: int = 500) -> None:
        self._posts[post_id] = text
        self._posts.move_to_end(post_id)
        while len(self._posts) > limit:
            self._posts.popitem(last=False)


def _raise_if_forbidden(exc: PlatformError, group_id: int) -> None:
    if isinstance(exc, Forbidden):
        log.error("VK worker for group %s cannot work: %s (check the tokens and their rights)", group_id, exc)
        raise exc


def _retry_delay(exc: PlatformError, fallback: float) -> float:
    return max(exc.retry_after, fallback) if isinstance(exc, RateLimited) else fallback
