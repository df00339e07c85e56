"""Building the platform side: VK and Telegram clients, workers, actions and the moderators' queue.

Real pages need only tokens in the environment and page ids in config.toml. With no token at all, the daemon
runs against the built-in emulators (the real vk_api and aiogram clients over loopback), seeded with a city
page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bots.config import TelegramConfig, VkConfig
from bots.intake import Health, WorkerState, next_delay, sleep_unless
from bots.telegram.threads import Thread
from bots.vk.position import Position
from dozor.config import Settings
from models.store import Store
from moderation.daemon.ports import Forbidden, IncomingComment, NotFound, PlatformActions
from moderation.types import Platform

if TYPE_CHECKING:
    from bots.telegram.review import Desk, TelegramReviewQueue
    from dozor.cards import Platforms

log = logging.getLogger(__name__)
CommentHandler = Callable[[IncomingComment], Awaitable[None]]


class StartupError(Exception):
    """The platforms cannot be started as configured; the message says what to fix."""


class StorePositions:
    """The VK workers' long-poll positions over the database (they survive restarts)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def load(self, group_id: int) -> Position | None:
        found = await self.store.vk_position(str(group_id))
        return Position(*found) if found is not None else None

    async def save(self, group_id: int, position: Position) -> None:
        now = datetime.now(UTC)
        await self.store.save_vk_position(str(group_id), position.ts, position.synced_at, now)


class StoreThreads:
    """The Telegram worker's discussion threads over the database: which post a thread is, across restarts."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def find(self, chat_id: int, thread_id: int) -> Thread | None:
        found = await self.store.find_thread(str(chat_id), str(thread_id))
        return Thread(*found) if found is not None else None

    async def remember(self, chat_id: int, thread_id: int, channel_id: int, thread: Thread) -> Thread:
        post = (thread.post_id, thread.post_text, thread.known)
        stored = await self.store.remember_thread(
            str(chat_id), str(thread_id), str(channel_id), post, datetime.now(UTC)
        )
        return Thread(*stored)


class StorePosts:
    """Telegram channel posts go to the database: the Bot API cannot list a channel's history."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def save_channel_post(self, post: Any) -> None:
        await self.store.record_post(
            Platform.TELEGRAM,
            str(post.channel_id),
            str(post.message_id),
            post.text,
            str(post.kind.value),
            post.date,
        )


@dataclass
class PlatformSet:
    """What the daemon runs: workers to start, actions per platform, the moderators' chat, things to close."""

    actions: dict[Platform, PlatformActions] = field(default_factory=dict)
    vk_workers: list[Any] = field(default_factory=list)
    tg_worker: Any | None = None
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    vk_reader: Any | None = None  # a page manager's vk_api client: reads pages, posts, managers
    tg_bot: Any | None = None  # the aiogram Bot
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    surface: TelegramReviewQueue | None = None  # the moderators' chat, when configured
    workbench: Platforms | None = None  # authors, state now and notices, per platform, for the cards

    def workers(self) -> dict[str, Any]:
        """Every worker by the name `dozor status` shows."""
        named: dict[str, Any] = {f"vk:{w.group_id}": w for w in self.vk_workers}
        if self.tg_worker is not None:
            named["telegram"] = self.tg_worker
        return named

    def worker_names(self) -> list[str]:
        return list(self.workers())

    def health(self) -> dict[str, Health]:
        """Each worker's state and why: what the heartbeat records for `dozor status`."""
        return {name: worker.health for name, worker in self.workers().items()}

    def worker_coroutines(self) -> list[tuple[str, Coroutine[Any, Any, Any]]]:
        """Each worker under supervision: restarted with backoff after any failure retrying can cure."""
        return [(name, supervise(name, worker, self.stopping)) for name, worker in self.workers().items()]

    async def stop_workers(self) -> None:
        self.stopping.set()
        for worker in self.vk_workers:
            worker.stop()
        if self.tg_worker is not None:
            await self.tg_worker.stop()

    async def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                await closer()
            except Exception:  # closing must go on for the rest
                log.exception("error while closing")


#: Errors after which restarting a worker cannot help until someone changes the tokens or the configuration.
FATAL = (Forbidden, NotFound)


async def supervise(name: str, worker: Any, stopping: asyncio.Event, backoff: float = 1.0) -> None:
    """Run `worker.run()` until the daemon stops; a worker never dies of a transient error.

    A failure (a 502 at start, the network, anything unexpected) restarts it with backoff, its health saying
    why; only a wrong token or page (Forbidden, NotFound) ends it, marked dead with the reason.
    """
    health: Health = worker.health
    delay = backoff
    try:
        while not stopping.is_set():
            try:
                await worker.run()
            except FATAL as error:
                health.set(WorkerState.DEAD, f"{type(error).__name__}: {error}")
                log.error("worker %s cannot work and is stopped: %s", name, error)
                return
            except Exception as error:
                reason = f"{type(error).__name__}: {error}"
                health.retrying(f"перезапуск после ошибки: {reason}")
                log.warning("worker %s failed (%s); restarting in %.1f s", name, reason, delay)
                if await sleep_unless(stopping, delay):
                    break
                delay = next_delay(delay, 60.0)
                continue
            if not stopping.is_set():
                log.warning("worker %s returned on its own; restarting", name)
                await sleep_unless(stopping, delay)
    finally:
        if health.state is not WorkerState.DEAD:
            health.set(WorkerState.STOPPED)


@dataclass(frozen=True)
class Endpoints:
    """Tokens and addresses: from the environment for real pages, from the emulators for the demo."""

    vk_user_token: str | None
    vk_community_tokens: dict[int, str]
    vk_base_url: str | None
    telegram_token: str | None
    telegram_api_base: str | None

    @classmethod
    def from_environment(cls, settings: Settings) -> Endpoints:
        tokens = {p.group_id: t for p in settings.vk.pages if (t := settings.vk.community_token(p.group_id))}
        vk_url = VkConfig.api_url()  # DOZOR_VK_API_URL: a VK emulator (as for `dozor check`); none = VK
        return cls(VkConfig.user_token(), tokens, vk_url, TelegramConfig.token(), settings.telegram.api_base)


def _vk(
    settings: VkConfig, store: Store, on_comment: CommentHandler, ends: Endpoints, out: PlatformSet
) -> None:
    from bots.vk.actions import VkActions
    from bots.vk.people import VkLiveState, VkNotices, VkPeople
    from bots.vk.transport import make_vk
    from bots.vk.worker import VkWorker

    if not ends.vk_user_token:
        raise StartupError(
            "DOZOR_VK_USER_TOKEN is not set: a page manager's user token is needed to read and delete"
        )
    base_url = ends.vk_base_url
    user = make_vk(ends.vk_user_token, base_url)
    out.vk_reader = user
    # Their own clients: vk_api holds a lock through each request, so a deletion (or a notice to an author)
    # that hangs must not hold the reader (catch-up, checks, cards) and the threads waiting on it.
    out.actions[Platform.VK] = VkActions(make_vk(ends.vk_user_token, base_url))
    people = VkPeople(user)
    workbench = _workbench(out)
    workbench.authors[Platform.VK] = people
    workbench.live[Platform.VK] = VkLiveState(user)
    workbench.notices[Platform.VK] = VkNotices(make_vk(ends.vk_user_token, base_url), people)
    for page in settings.pages:
        token = ends.vk_community_tokens.get(page.group_id)
        if not token:
            raise StartupError(
                f"no community token for VK page {page.group_id}: set DOZOR_VK_COMMUNITY_TOKEN"
            )
        out.vk_workers.append(
            VkWorker(page.group_id, make_vk(token, base_url), on_comment, StorePositions(store), reader=user,
                     wait=settings.long_poll_wait, catchup_posts=settings.catchup_posts,
                     catchup_horizon=timedelta(days=settings.catchup_horizon_days),
                     backfill_first_run=settings.backfill_first_run)
        )  # fmt: skip


def _workbench(out: PlatformSet) -> Platforms:
    from dozor.cards import Platforms

    if out.workbench is None:
        out.workbench = Platforms()
    return out.workbench


async def _telegram(
    settings: Settings,
    store: Store,
    desk: Desk,
    on_comment: CommentHandler,
    ends: Endpoints,
    out: PlatformSet,
) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    from bots.telegram.actions import TelegramActions
    from bots.telegram.live import TelegramAuthors, TelegramLiveState, TelegramNotices
    from bots.telegram.review import TelegramReviewQueue
    from bots.telegram.review_commands import ModeratorCommands
    from bots.telegram.worker import TelegramWorker

    token = ends.telegram_token
    if not token:
        raise StartupError("DOZOR_TELEGRAM_TOKEN is not set")
    api_base = ends.telegram_api_base
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else None
    bot = Bot(token, session=session) if session is not None else Bot(token)
    out.closers.append(bot.session.close)
    out.tg_bot = bot
    actions = TelegramActions(bot)
    out.actions[Platform.TELEGRAM] = actions
    workbench = _workbench(out)
    workbench.authors[Platform.TELEGRAM] = TelegramAuthors()
    workbench.live[Platform.TELEGRAM] = TelegramLiveState(bot, actions)
    workbench.notices[Platform.TELEGRAM] = TelegramNotices(bot, actions)
    telegram, tz = settings.telegram, settings.monitor.tz
    routers = []
    if telegram.moderators_chat_id is not None:
        queue = TelegramReviewQueue(bot, telegram.moderators_chat_id, desk, display_tz=tz, outbox=store)
        queue.extra_routers.append(ModeratorCommands(queue.chat_id, desk, tz).router())
        out.surface = queue
        routers.append(queue.router)
    if telegram.channels or routers:
        threads = StoreThreads(store)
        out.tg_worker = TelegramWorker(
            bot, telegram.channels, on_comment, StorePosts(store), threads=threads, routers=routers
        )


async def build_platforms(
    settings: Settings,
    store: Store,
    desk: Desk,
    on_comment: CommentHandler,
    ends: Endpoints,
) -> PlatformSet:
    """Clients, workers and actions for every configured page; the moderators' chat on the desk."""
    out = PlatformSet()
    if settings.vk.pages:
        await asyncio.to_thread(_vk, settings.vk, store, on_comment, ends, out)
    if settings.telegram.channels or settings.telegram.moderators_chat_id is not None:
        await _telegram(settings, store, desk, on_comment, ends, out)
    if not out.vk_workers and out.tg_worker is None:
        raise StartupError("no pages to watch: list [[vk.pages]] or [telegram].channels in config.toml")
    return out
