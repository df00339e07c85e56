"""The composition root: the one place that reads config, builds every component, starts the workers and the
scheduler, and stops them cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from dozor.cards import CardDesk
from dozor.config import Settings
from dozor.platforms import Endpoints, PlatformSet, build_platforms
from dozor.workbench import Workbench
from models.db import DatabaseUnavailable, database_unavailable, database_url, make_engine
from models.migrate import upgrade
from models.store import Store
from models.waves import WaveRows
from models.workbench import WorkbenchStore
from moderation.daemon.decisions import StoreDecisionHandler
from moderation.daemon.pipeline import Handled, Pipeline
from moderation.daemon.ports import IncomingComment, PlatformActions
from moderation.daemon.waves import WaveMemory
from moderation.types import Platform

log = logging.getLogger(__name__)
T = TypeVar("T")
HEARTBEAT_SECONDS = 10.0

Observer = Callable[[IncomingComment, Handled], Awaitable[None]]


@dataclass
class Daemon:
    """Everything the running service holds, so that shutdown can release it in order."""

    settings: Settings
    store: Store
    pipeline: Pipeline
    platforms: PlatformSet
    monitor: Any | None = None  # dozor.monitoring.Monitor
    workbench: Any | None = None  # dozor.workbench.Workbench: the moderators' queue kept
    model_watcher: Any | None = None  # dozor.learning.live.ModelWatcher: a promoted model swapped in
    cluster: Any | None = None  # dozor.claims.Cluster: the pages this daemon holds among those sharing a base
    observers: list[Observer] = field(default_factory=list)
    _inflight: set[asyncio.Task[Any]] = field(default_factory=set)
    _outage: bool = False

    async def handle(self, incoming: IncomingComment) -> None:
        """One comment from any platform, returning only once it is durably recorded (and, unless the
        moderation core failed on it, decided); observers (the demo's printer) notified.

        A database that is down or locked raises, so that the worker keeps the comment and tries again:
        intake stops rather than drops. A failure of the core on one comment (not the database's) does not
        hold intake up once the comment is recorded: it stays undecided and is decided at the next start.
        """
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            handled = await self._decide(incoming)
            if handled is None:
                return
            self.pipeline.runner.wake()
            for observer in self.observers:
                try:
                    await observer(incoming, handled)
                except Exception:
                    log.exception("observer failed on comment %s", incoming.key)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _decide(self, incoming: IncomingComment) -> Handled | None:
        try:
            handled = await self.pipeline.handle(incoming)
        except Exception as error:
            if database_unavailable(error):
                if not self._outage:
                    self._outage = True
                    log.error("database unavailable (%s): intake stops until it is back", _reason(error))
                raise
            if not await self.store.is_recorded(incoming.key):
                raise
            log.error("comment %s is recorded but could not be decided (%s); it is decided at the next start",
                      incoming.key, type(error).__name__)  # fmt: skip
            return None
        if self._outage:
            self._outage = False
            log.info("database available again: intake resumes")
        return handled

    async def heartbeat(self, stop: asyncio.Event) -> None:
        """Workers' state for `dozor status`, written every HEARTBEAT_SECONDS; a database that cannot take
        it is no reason to stop."""
        while not stop.is_set():
            await self.write_heartbeat()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HEARTBEAT_SECONDS)

    async def write_heartbeat(self) -> None:
        """Each worker's state and why (running, retrying, dead, stopped) with the moment it was written."""
        now = datetime.now(UTC)
        try:
            for name, health in self.platforms.health().items():
                if not self._holds(name):
                    continue  # another daemon reads this page and writes its state
                value = json.dumps({**health.as_json(), "at": now.isoformat()}, ensure_ascii=False)
                await self.store.set_cursor(f"heartbeat:{name}", value, now)
        except Exception as error:
            log.warning("heartbeat not written (%s)", _reason(error))

    def _holds(self, name: str) -> bool:
        """True when this daemon holds the worker's claim (or runs without claims)."""
        claim = self.platforms.claims.get(name)
        return self.cluster is None or claim is None or bool(self.cluster.holds(claim[0]))


def _reason(error: BaseException) -> str:
    """What went wrong, without the statement or its parameters (a comment's text may be among them)."""
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first[:200]}" if first else type(cause).__name__


ActionsDecorator = Callable[[PlatformActions], PlatformActions]


async def migrated(engine: Any, wait: float) -> None:
    """Migrate the database; one that refuses connections is waited for up to `wait` seconds first.

    A daemon restarted while its database is away for a moment (a server restarting, a network between them
    failing) would otherwise exit at once, though a running one rides the same outage out. A database still
    out of reach after the wait (or a wrong address) ends start-up with the administrator's one line.
    """
    loop = asyncio.get_running_loop()
    if engine.url.get_backend_name() == "sqlite":
        wait = 0.0  # a file does not come back by itself: a wrong path is said at once
    deadline = loop.time() + wait
    delay = 0.5
    while True:
        try:
            await asyncio.to_thread(upgrade, engine=engine)
            return
        except DatabaseUnavailable:
            if loop.time() + delay > deadline:
                raise
            log.info("database out of reach at start; trying again in %.1f s", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def build_daemon(
    settings: Settings, world: Any | None = None, decorate: ActionsDecorator | None = None
) -> Daemon:
    """Database first (migrated), then the moderation core, then the platforms that feed it.

    `world` is the demo's emulators (dozor.demo.world.DemoWorld); without it tokens come from the environment.
    """
    from dozor.build import build_moderator
    from dozor.learning.live import ModelWatcher, model_in_use

    if world is not None:
        settings = world.settings_for(settings)
        ends = world.endpoints()
    else:
        ends = Endpoints.from_environment(settings)
    url = database_url(settings.storage.url)
    engine = make_engine(url)
    await migrated(engine, settings.storage.startup_wait_seconds)
    store = Store(engine)
    moderator = await asyncio.to_thread(build_moderator, settings.moderation, False)
    scorer, version = await asyncio.to_thread(model_in_use, engine, settings)
    moderator.scorer = scorer
    log.info("model version %s in use", version)
    holder: dict[str, Pipeline] = {}

    def wake() -> None:
        if "pipeline" in holder:
            holder["pipeline"].runner.wake()

    waves = await _waves(settings, store)
    desk, workbench = _workbench(settings, store, wake, waves)
    daemon_ref: list[Daemon] = []

    async def on_comment(incoming: IncomingComment) -> None:
        await daemon_ref[0].handle(incoming)

    platforms = await build_platforms(settings, store, desk, on_comment, ends)
    cluster = _cluster(settings, store, platforms)
    if decorate is not None:
        platforms.actions = {p: decorate(a) for p, a in platforms.actions.items()}
    if platforms.workbench is not None:
        desk.platforms = platforms.workbench
    desk.bot = platforms.tg_bot
    desk.titles.update({(Platform.VK, str(p.group_id)): p.title for p in settings.vk.pages if p.title})
    workbench.surface = platforms.surface
    pipeline = Pipeline(
        moderator.verdict,
        store,
        platforms.actions,
        workbench,
        settings.moderation.mode,
        escalation=settings.moderation.escalation,
        retry=settings.moderation.retry,
        model_version=moderator.scorer.version if moderator.scorer is not None else None,
        texts=settings.moderation.texts,
        tz=settings.monitor.tz,
        waves=waves,
    )
    holder["pipeline"] = pipeline
    _follow_claims(cluster, pipeline)
    _sweep_with_the_bot(cluster, platforms, workbench)
    from dozor.monitoring import build_monitor

    if world is not None:
        await asyncio.to_thread(world.seed_registry, engine)
    monitor = build_monitor(settings, url, engine, platforms)

    def swap(new: Any, _version: str) -> None:
        """In the event loop: no comment is between its verdict and its record while this runs."""
        moderator.scorer = new
        pipeline.model_version = new.version if new is not None else None

    watcher = ModelWatcher(engine, settings, swap, version)
    daemon = Daemon(settings, store, pipeline, platforms, monitor, workbench, watcher, cluster)
    daemon_ref.append(daemon)
    return daemon


async def _waves(settings: Settings, store: Store) -> WaveMemory | None:
    """The remembered spam waves, read back from the database (None when [moderation.waves] is off)."""
    policy = settings.moderation.waves
    if not policy.enabled:
        return None
    memory = WaveMemory(policy, WaveRows(store), settings.moderation.thresholds, settings.monitor.tz)
    loaded = await memory.load(datetime.now(UTC))
    log.info("волны спама: в памяти %d подписей", loaded)
    return memory


def _cluster(settings: Settings, store: Store, platforms: PlatformSet) -> Any:
    """This daemon's claims on its workers' pages, among the daemons sharing the database."""
    from dozor.claims import Cluster

    cluster = Cluster(store, settings.cluster.takeover_seconds)
    for claim, pages in platforms.claims.values():
        cluster.want(claim, pages)
    platforms.cluster = cluster
    return cluster


def _follow_claims(cluster: Any, pipeline: Pipeline) -> None:
    """The action lanes act on the pages whose claims this daemon holds (none until it takes them)."""
    runner = pipeline.runner

    def follow() -> None:
        runner.serve_only(cluster.pages())
        runner.wake()

    runner.serve_only(cluster.pages())
    cluster.on_change.append(follow)


def _sweep_with_the_bot(cluster: Any, platforms: PlatformSet, workbench: Workbench) -> None:
    """The workbench's sweep (reminders in the moderators' chat) runs where the moderators' bot runs."""
    bot = platforms.claims.get("telegram")
    if bot is not None:
        workbench.active = lambda: bool(cluster.holds(bot[0]))


def _workbench(
    settings: Settings, store: Store, wake: Callable[[], None], waves: WaveMemory | None = None
) -> tuple[CardDesk, Workbench]:
    """The moderators' desk (decisions, cards as they read now) and the queue kept around it."""
    moderation, tz = settings.moderation, settings.monitor.tz
    decisions = StoreDecisionHandler(
        store,
        moderators=settings.telegram.moderators,
        platform=Platform.TELEGRAM,
        escalation=moderation.escalation,
        on_decided=wake,
        workbench=moderation.workbench,
        texts=moderation.texts,
        tz=tz,
        waves=waves,
    )
    desk = CardDesk(WorkbenchStore(store), decisions, moderation, tz)
    return desk, Workbench(desk, None, wake)


async def with_database(stop: asyncio.Event, call: Callable[[], Awaitable[T]]) -> T | None:
    """A start-up step that needs the database, retried while the database is away (a daemon restarted in an
    outage exited with code 2 otherwise: found by the chaos run, seed 14 on PostgreSQL); None if stopped."""
    delay = 0.5
    while True:
        try:
            return await call()
        except Exception as error:
            if not database_unavailable(error):
                raise
            log.warning("database unavailable at start (%s); trying again in %.1f s", _reason(error), delay)
        if stop.is_set():
            return None
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 5.0)


async def run_daemon(daemon: Daemon, stop: asyncio.Event, extra: list[Awaitable[None]] | None = None) -> None:
    """Run until `stop` is set; then stop reading, let in-flight comments finish, and release everything."""
    recovered = await with_database(stop, daemon.pipeline.recover)
    if recovered:
        log.info("recovered %d comments received but not decided before the last stop", recovered)
    claims = []
    if daemon.cluster is not None:
        await daemon.cluster.tick()  # a lone daemon takes its pages before its workers start
        claims.append(asyncio.create_task(daemon.cluster.run_forever(stop), name="claims"))
    tasks = [
        asyncio.create_task(daemon.pipeline.runner.run_forever(stop), name="action-runner"),
        asyncio.create_task(daemon.heartbeat(stop), name="heartbeat"),
        *(
            [asyncio.create_task(daemon.workbench.run_forever(stop), name="workbench")]
            if daemon.workbench
            else []
        ),
        *(asyncio.create_task(w, name=n) for n, w in daemon.platforms.worker_coroutines()),
        *(asyncio.ensure_future(a) for a in extra or ()),
        *(
            [asyncio.create_task(daemon.model_watcher.run_forever(stop), name="model-watcher")]
            if daemon.model_watcher
            else []
        ),
    ]
    if daemon.monitor is not None:
        scheduler = daemon.monitor.scheduler

        async def start_scheduler() -> None:
            scheduler.start()

        await with_database(stop, start_scheduler)
    workers = {"workers": daemon.platforms.worker_names()}
    await with_database(stop, lambda: daemon.store.audit(datetime.now(UTC), "daemon", "started", workers))
    await stop.wait()
    log.info("stopping: no new comments are read; in-flight work finishes")
    if daemon.monitor is not None:
        daemon.monitor.scheduler.shutdown()
    await daemon.platforms.stop_workers()
    if daemon._inflight:
        await asyncio.wait(set(daemon._inflight), timeout=30)
    await asyncio.wait(tasks[:1], timeout=30)  # the action runner ends its lanes' batches (calls are timed)
    for task in tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await daemon.write_heartbeat()  # the workers' last word: stopped (or why they could not run)
    await asyncio.gather(*claims, return_exceptions=True)
    if daemon.cluster is not None:
        await daemon.cluster.release()  # a standby takes the pages at its next look
    await daemon.platforms.close()
    await daemon.store.audit(datetime.now(UTC), "daemon", "stopped", {})


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT ask for a clean stop; a second SIGINT is left to Python's default."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
