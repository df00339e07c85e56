"""Reads a VK community's comments and hands each to the moderation pipeline, losing none across restarts.

On start, and whenever Bots Long Poll admits it lost events (failed 1 or 3), the worker catches up with
wall.get + wall.getComments from the stored cursor (the highest comment id handled on the page: VK numbers
posts and comments on one wall from one sequence, so ids only grow). Then it follows Bots Long Poll.

Reading the wall needs a user or service token (VK refuses wall.get/wall.getComments with a community token),
so the worker holds two clients: the community one for the long poll and a reader for catch-up and post texts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import vk_api
from vk_api.bot_longpoll import VkBotLongPoll

from bots.vk.transport import acall, call, map_error
from moderation.daemon.ports import Forbidden, IncomingComment, PlatformError, RateLimited
from moderation.types import Platform

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[IncomingComment], Awaitable[None]]
COMMENT_EVENTS = frozenset({"wall_reply_new", "wall_reply_edit"})
PAGE_SIZE = 100
THREAD_ITEMS = 10
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class CursorStore(Protocol):
    """Where the worker keeps the last comment id it handled per page, so a restart resumes there."""

    async def get(self, page_key: str) -> str | None: ...

    async def set(self, page_key: str, value: str) -> None: ...


class MemoryCursorStore:
    """A CursorStore in a dict: for tests and the demo; the daemon passes a database-backed one."""

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(initial or {})

    async def get(self, page_key: str) -> str | None:
        return self.values.get(page_key)

    async def set(self, page_key: str, value: str) -> None:
        self.values[page_key] = value


class _LongPoll(VkBotLongPoll):  # type: ignore[misc]
    """vk_api's Bots Long Poll client, telling which `failed` code it handled: 1 and 3 mean lost events."""

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
        else:
            self.update_longpoll_server(update_ts=failed != 2)
        return [], int(failed)


def _in_daemon_thread(fn: Callable[[], T], name: str) -> asyncio.Future[T]:
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


def fetch_recent_comments(
    reader: vk_api.VkApi, group_id: int, posts: int
) -> tuple[dict[int, str], list[Any]]:
    """Texts of the latest `posts` posts and every live comment on them, replies included (blocking)."""
    wall = call(reader, "wall.get", {"owner_id": -group_id, "count": min(posts, PAGE_SIZE)})
    texts = {int(p["id"]): str(p.get("text", "")) for p in wall["items"]}
    comments: list[Any] = []
    for post in wall["items"]:
        if post.get("comments", {}).get("count", 1):
            comments.extend(_post_comments(reader, group_id, int(post["id"])))
    return texts, comments


def _post_comments(reader: vk_api.VkApi, group_id: int, post_id: int) -> list[Any]:
    found: list[Any] = []
    for top in _pages(
        reader, {"owner_id": -group_id, "post_id": post_id, "thread_items_count": THREAD_ITEMS}
    ):
        found.append(top)
        thread = top.get("thread") or {}
        items = thread.get("items") or []
        if thread.get("count", 0) > len(items):
            items = _pages(reader, {"owner_id": -group_id, "post_id": post_id, "comment_id": top["id"]})
        found.extend(items)
    return found


def _pages(reader: vk_api.VkApi, params: dict[str, Any]) -> list[Any]:
    items: list[Any] = []
    while True:
        page = call(
            reader, "wall.getComments", {**params, "count": PAGE_SIZE, "offset": len(items), "sort": "asc"}
        )
        items.extend(page["items"])
        if not page["items"] or len(items) >= page.get("current_level_count", page["count"]):
            return items


class VkWorker:
    """Delivers one community's new and edited comments to `handler`, at least once."""

    def __init__(
        self,
        group_id: int,
        community: vk_api.VkApi,
        handler: Handler,
        cursors: CursorStore,
        *,
        reader: vk_api.VkApi,
        wait: float = 25,
        catchup_posts: int = 20,
        backfill_first_run: bool = True,
        backoff: float = 1.0,
    ) -> None:
        self.group_id = group_id
        self.page_key = f"vk:{group_id}"
        self._community = community
        self._reader = reader
        self._handler = handler
        self._cursors = cursors
        self._wait = wait
        self._catchup_posts = catchup_posts
        self._backfill_first_run = backfill_first_run
        self._backoff = backoff
        self._stop = asyncio.Event()
        self._cursor: int | None = None
        self._cursor_loaded = False
        self._posts: OrderedDict[int, str] = OrderedDict()

    def stop(self) -> None:
        """Ask run() to return; a long poll in flight is abandoned, not awaited."""
        self._stop.set()

    async def run(self) -> None:
        """Catch up, then follow the long poll until stop() or cancellation.

        Transient failures and rate limits back off and retry; the long poll waits while a catch-up is due, so
        nothing is skipped. Forbidden (wrong token kind, not a manager) is raised: retrying will not help.
        """
        self._stop.clear()
        await self._load_cursor()
        longpoll = await self._until_stopped(self._connect)
        need_catch_up = True
        delay = self._backoff
        while longpoll is not None and not self._stop.is_set():
            try:
                if need_catch_up:
                    await self.catch_up()
                    need_catch_up = False
                updates, failed = await self._interruptible(longpoll.poll)
            except PlatformError as exc:
                _raise_if_forbidden(exc, self.group_id)
                await self._sleep(_retry_delay(exc, delay))
                delay = min(delay * 2, 60.0)
                continue
            delay = self._backoff
            if failed in (1, 3):
                log.info(
                    "VK long poll for group %s lost events (failed %s); catching up", self.group_id, failed
                )
                need_catch_up = True
            for raw in updates:
                await self._on_event(raw)
        log.info("VK worker for group %s stopped", self.group_id)

    async def catch_up(self) -> int:
        """Deliver comments newer than the cursor from recent posts; returns how many were delivered."""
        if not self._cursor_loaded:
            await self._load_cursor()
        texts, comments = await asyncio.to_thread(
            fetch_recent_comments, self._reader, self.group_id, self._catchup_posts
        )
        for post_id, text in texts.items():
            self._remember_post(post_id, text)
        fresh = sorted(
            (c for c in comments if self._cursor is None or int(c["id"]) > self._cursor),
            key=lambda c: int(c["id"]),
        )
        if self._cursor is None and not self._backfill_first_run:
            await self._advance(max((int(c["id"]) for c in fresh), default=0))
            return 0
        if self._cursor is None:
            self._cursor = 0
        for obj in fresh:
            await self._deliver(obj, edited=False)
        log.info("VK group %s: caught up %d comment(s)", self.group_id, len(fresh))
        return len(fresh)

    async def _load_cursor(self) -> None:
        stored = await self._cursors.get(self.page_key)
        self._cursor = int(stored) if stored else None
        self._cursor_loaded = True

    async def _connect(self) -> _LongPoll:
        return await self._interruptible(lambda: _LongPoll(self._community, self.group_id, wait=self._wait))

    async def _until_stopped(self, connect: Callable[[], Awaitable[_LongPoll]]) -> _LongPoll | None:
        """Retry getting a long-poll server until it works or we stop; Forbidden is raised at once."""
        delay = self._backoff
        while not self._stop.is_set():
            try:
                return await connect()
            except PlatformError as exc:
                _raise_if_forbidden(exc, self.group_id)
                log.warning("VK long poll for group %s unavailable: %s", self.group_id, exc)
                await self._sleep(_retry_delay(exc, delay))
                delay = min(delay * 2, 60.0)
        return None

    async def _interruptible(self, fn: Callable[[], T]) -> T:
        """Await a blocking call, giving up on it (it runs out in its thread) as soon as stop() is called."""
        future = _in_daemon_thread(fn, f"vk-longpoll-{self.group_id}")
        stopper = asyncio.ensure_future(self._stop.wait())
        waiters: set[asyncio.Future[Any]] = {future, stopper}
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not future.done():
            future.cancel()
            raise _Stopped
        return future.result()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _on_event(self, raw: dict[str, Any]) -> None:
        obj = raw.get("object") or {}
        if raw.get("type") == "wall_post_new":
            self._remember_post(int(obj.get("id", 0)), str(obj.get("text", "")))
        if raw.get("type") not in COMMENT_EVENTS or int(obj.get("owner_id", 0)) != -self.group_id:
            return
        edited = raw.get("type") == "wall_reply_edit"
        if not edited and self._cursor is not None and int(obj["id"]) <= self._cursor:
            return  # already delivered by catch-up
        await self._deliver(obj, edited=edited)

    async def _deliver(self, obj: dict[str, Any], *, edited: bool) -> None:
        """Hand one comment to the handler; its failure is logged; the cursor moves on once it returned."""
        comment_id = int(obj["id"])
        if int(obj.get("from_id", 0)) != -self.group_id:  # the page's own replies are not moderated
            comment = self._translate(obj, await self._post_text(int(obj["post_id"])), edited)
            try:
                await self._handler(comment)
            except Exception:
                log.exception("handler failed on VK comment %s", comment.key)
        if not edited:
            await self._advance(comment_id)

    async def _advance(self, comment_id: int) -> None:
        """A cursor store failure must not stop moderation: the worst case is a redelivery after restart."""
        if self._cursor is None or comment_id > self._cursor:
            self._cursor = comment_id
            try:
                await self._cursors.set(self.page_key, str(comment_id))
            except Exception:
                log.exception("could not store the VK cursor of %s", self.page_key)

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


class _Stopped(PlatformError):
    """Internal: a blocking call was abandoned because the worker is stopping."""


def _raise_if_forbidden(exc: PlatformError, group_id: int) -> None:
    if isinstance(exc, Forbidden):
        log.error("VK worker for group %s cannot work: %s (check the tokens and their rights)", group_id, exc)
        raise exc


def _retry_delay(exc: PlatformError, fallback: float) -> float:
    return max(exc.retry_after, fallback) if isinstance(exc, RateLimited) else fallback
