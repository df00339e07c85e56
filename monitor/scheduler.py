"""When the monitor's jobs run: the only module that imports APScheduler.

The jobs themselves are pure async functions (`monitor.checks.run_checks`,
`monitor.digest.send_weekly_digest`, the retention purge given as `JobDeps.purge`); this module only wires
them to a clock. Jobs are stored in the
project database by importable paths, so a run that was due while the daemon was down is executed once
(coalesced) after a restart, within the grace time.

APScheduler cannot pickle live dependencies into its job store, so the scheduled entry points find them in a
module-level context set by `build_scheduler`: one monitor scheduler per process.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from models.db import make_engine
from monitor.checks.deps import CheckDeps
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.digest.job import DigestDeps, send_weekly_digest

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "monitor_scheduler_jobs"
CHECKS_JOB_ID = "monitor.checks"
DIGEST_JOB_ID = "monitor.digest"
CHECKS_JOB_REF = "monitor.scheduler:checks_job"
DIGEST_JOB_REF = "monitor.scheduler:digest_job"
PURGE_JOB_ID = "retention.purge"
PURGE_JOB_REF = "monitor.scheduler:purge_job"
PURGE_AT = time(3, 30)  # local time: a quiet hour; a run missed while the daemon was down is made up later
PURGE_GRACE_S = 20 * 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobDeps:
    """What the scheduled jobs run with; `clock` is injectable so tests see a fixed 'now'."""

    checks: CheckDeps
    digest: DigestDeps | None = None
    clock: Callable[[], datetime] = field(default=_utc_now)
    purge: Callable[[datetime], Awaitable[object]] | None = None  # retention: purge texts as of `now`


_context: JobDeps | None = None


def _deps() -> JobDeps:
    if _context is None:
        raise RuntimeError("monitor jobs ran before build_scheduler() set their dependencies")
    return _context


async def checks_job() -> None:
    """Scheduled entry point: every check on every active page."""
    deps = _deps()
    await run_checks(deps.checks, deps.clock())


async def digest_job() -> None:
    """Scheduled entry point: the weekly digest for the week that has just ended."""
    deps = _deps()
    if deps.digest is None:
        log.warning("weekly digest is scheduled but no digest dependencies were given; skipped")
        return
    await send_weekly_digest(deps.digest, deps.clock())


async def purge_job() -> None:
    """Scheduled entry point: comment texts past the retention period purged, the decisions kept."""
    deps = _deps()
    if deps.purge is None:
        log.warning("the retention purge is scheduled but no purge was given; skipped")
        return
    await deps.purge(deps.clock())


@dataclass(frozen=True)
class _Planned:
    job_id: str
    ref: str
    trigger: CronTrigger
    grace_s: int
    name: str


def planned_jobs(config: MonitorConfig) -> list[_Planned]:
    """The jobs the config asks for, with triggers in the configured time zone."""
    tz = config.tz
    hours = ",".join(str(h) for h in config.check_hours)
    checks = CronTrigger(hour=hours, minute=config.check_minute, timezone=tz)
    digest = CronTrigger(
        day_of_week=WEEKDAYS[config.digest_weekday],
        hour=config.digest_time.hour,
        minute=config.digest_time.minute,
        timezone=tz,
    )
    return [
        _Planned(CHECKS_JOB_ID, CHECKS_JOB_REF, checks, config.check_misfire_grace_s, "compliance checks"),
        _Planned(DIGEST_JOB_ID, DIGEST_JOB_REF, digest, config.digest_misfire_grace_s, "weekly digest"),
    ]


def purge_planned(config: MonitorConfig) -> _Planned:
    """The daily retention purge, in the monitor's time zone."""
    trigger = CronTrigger(hour=PURGE_AT.hour, minute=PURGE_AT.minute, timezone=config.tz)
    return _Planned(PURGE_JOB_ID, PURGE_JOB_REF, trigger, PURGE_GRACE_S, "retention purge")


class MonitorScheduler:
    """An AsyncIOScheduler whose jobs are reconciled with the config on start instead of being replaced.

    Replacing a stored job would recompute its next run from now and silently drop a run missed while
    the daemon was down; reconciling keeps the stored next run time unless the schedule itself changed.
    """

    def __init__(self, scheduler: AsyncIOScheduler, config: MonitorConfig, purge: bool = False) -> None:
        self.scheduler = scheduler
        self.config = config
        self.purge = purge

    def start(self) -> None:
        """Start inside the running event loop; misfired runs are processed right after. Called again after
        the database failed it midway, it carries on."""
        if not self.scheduler.running:
            self.scheduler.start(paused=True)
        for planned in planned_jobs(self.config):
            self._reconcile(planned)
        if self.purge:
            self._reconcile(purge_planned(self.config))
        elif self.scheduler.get_job(PURGE_JOB_ID) is not None:
            self.scheduler.remove_job(PURGE_JOB_ID)
        self.scheduler.resume()

    def _reconcile(self, planned: _Planned) -> None:
        options: dict[str, Any] = {
            "misfire_grace_time": planned.grace_s,
            "coalesce": True,
            "max_instances": 1,
            "name": planned.name,
        }
        job = self.scheduler.get_job(planned.job_id)
        if job is None:
            self.scheduler.add_job(planned.ref, planned.trigger, id=planned.job_id, **options)
            log.info("scheduled %s (%s)", planned.job_id, planned.trigger)
            return
        if repr(job.trigger) != repr(planned.trigger) or job.func_ref != planned.ref:
            self.scheduler.reschedule_job(planned.job_id, trigger=planned.trigger)
            log.info("rescheduled %s to %s", planned.job_id, planned.trigger)
        job.modify(func=planned.ref, **options)

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def shutdown(self) -> None:
        """Stop without waiting for a running job; its next run stays in the store."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def build_scheduler(config: MonitorConfig, url: str, deps: JobDeps) -> MonitorScheduler:
    """A scheduler storing its jobs in the database at `url` (same DSN as the rest of the project)."""
    global _context
    _context = deps
    store = SQLAlchemyJobStore(engine=make_engine(url), tablename=JOBSTORE_TABLE)
    scheduler = AsyncIOScheduler(jobstores={"default": store}, timezone=config.tz)
    return MonitorScheduler(scheduler, config, purge=deps.purge is not None)
