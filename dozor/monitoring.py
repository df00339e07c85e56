"""Wiring the compliance monitor into the daemon: checks and the weekly digest on the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from dozor.config import Settings
from dozor.platforms import PlatformSet
from moderation.types import Platform
from monitor.config import MonitorConfig


@dataclass(frozen=True)
class Monitor:
    scheduler: Any  # monitor.scheduler.MonitorScheduler
    deps: Any  # monitor.scheduler.JobDeps: what the jobs run with, for running them now


def monitor_deps(config: MonitorConfig, engine: Engine, vk_reader: Any, tg_bot: Any) -> tuple[Any, Any]:
    """The checks' dependencies and the digest's sources over the database and whichever platform clients
    exist (a page on a platform without a client shows "could not check"). Used by the daemon and by
    `dozor check` / `dozor digest`."""
    from models.monitor import SqlCheckResultStore, SqlStoredPosts
    from models.stats import SqlModerationStats
    from monitor.checks.deps import CheckDeps
    from monitor.checks.fetch import AiohttpSiteFetcher
    from monitor.checks.registry_links import RegistrySiteLinks
    from monitor.checks.router import PlatformRouter
    from monitor.digest.data import DigestSources
    from monitor.ports import PageSource
    from monitor.registry.adapters import SqlRegistry

    sources: dict[Platform, PageSource] = {}
    if vk_reader is not None:
        from bots.vk.page_source import VkPageSource

        sources[Platform.VK] = VkPageSource(vk_reader)
    if tg_bot is not None:
        from bots.telegram.page_source import TelegramPageSource

        sources[Platform.TELEGRAM] = TelegramPageSource(tg_bot, SqlStoredPosts(engine))
    router = PlatformRouter(sources)
    registry, results = SqlRegistry(engine), SqlCheckResultStore(engine)
    checks = CheckDeps(config, router, registry, results, AiohttpSiteFetcher.from_config(config), registry,
                       site_links=RegistrySiteLinks(engine, config.tz))  # fmt: skip
    digest_sources = DigestSources(config, registry, router, results, SqlModerationStats(engine), registry)
    return checks, digest_sources


def build_monitor(settings: Settings, url: str, engine: Engine, platforms: PlatformSet) -> Monitor:
    """A MonitorScheduler over the registry, the platforms the daemon already talks to and the store; it also
    runs the daily retention purge and the weekly retrain ([learning] retrain = "weekly")."""
    from bots.telegram.digest_sender import TelegramDigestSender
    from models.retention import RetentionJob
    from monitor.digest.job import DigestDeps
    from monitor.scheduler import JobDeps, build_scheduler

    checks, digest_sources = monitor_deps(settings.monitor, engine, platforms.vk_reader, platforms.tg_bot)
    sender = TelegramDigestSender(platforms.tg_bot) if platforms.tg_bot is not None else None
    purge = RetentionJob(engine, settings.storage.retention_days)
    retrain, when = retrain_schedule(settings)
    cluster = platforms.cluster  # dozor.claims.Cluster: each run made by one of the daemons sharing the base
    once = cluster.once if cluster is not None else None
    deps = JobDeps(
        checks, DigestDeps(digest_sources, sender), purge=purge, retrain=retrain, retrain_at=when, once=once
    )
    scheduler = build_scheduler(settings.monitor, url, deps)
    if cluster is not None:
        from datetime import timedelta

        from monitor.scheduler import BODIES, due_runs

        cluster.bodies.update(BODIES)  # a run a dead daemon left unfinished is taken over
        settle = timedelta(seconds=max(60.0, 2 * settings.cluster.takeover_seconds))
        cluster.due = lambda now: due_runs(now, settle)  # and a run it was about to begin is made
    return Monitor(scheduler, deps)


def retrain_schedule(settings: Settings) -> tuple[Any, Any]:
    """The weekly retrain job and when it runs ([learning]), or (None, None) with retrain = "off"."""
    from dozor.learning.live import scheduled_retrain
    from monitor.scheduler import WeeklyAt

    learning = settings.learning
    if learning.retrain == "off":
        return None, None
    return scheduled_retrain(settings), WeeklyAt(learning.day, learning.time)
