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
from datetime import UTC, datetime, time, timedelta
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
RETRAIN_JOB_ID = "learning.retrain"
RETRAIN_JOB_REF = "monitor.scheduler:retrain_job"
RETRAIN_GRACE_S = 3 * 24 * 3600  # a retrain missed while the daemon was down is made up within three days
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _utc_now() -> datetime:
    return datetime.now(UTC)


Body = Callable[[], Awaitable[None]]
#: Runs a job's body once across the daemons sharing the database: (job id, period, body) -> ran here.
Once = Callable[[str, str, Body], Awaitable[bool]]


@dataclass(frozen=True)
class JobDeps:
    """What the scheduled jobs run with; `clock` is injectable so tests see a fixed 'now'. `once`, when
    several daemons may share the database, makes each run of a job happen in one of them (dozor/claims.py).
    """

    checks: CheckDeps
    digest: DigestDeps | None = None
    clock: Callable[[], datetime] = field(default=_utc_now)
    purge: Callable[[datetime], Awaitable[object]] | None = None  # retention: purge texts as of `now`
    retrain: Callable[[datetime], Awaitable[object]] | None = None  # the model learning from decisions
    retrain_at: WeeklyAt | None = None  # when `retrain` runs (local time)
    once: Once | None = None


@dataclass(frozen=True)
class WeeklyAt:
    """A weekly moment in the monitor's time zone: day ("mon".."sun") and time."""

    day: str
    at: time


_context: JobDeps | None = None
_triggers: dict[str, tuple[CronTrigger, int]] = {}  # job id -> its trigger and grace, for the run's period


def _deps() -> JobDeps:
    if _context is None:
        raise RuntimeError("monitor jobs ran before build_scheduler() set their dependencies")
    return _context


def run_period(job_id: str, now: datetime) -> str:
    """The run a job fired now stands for: the latest time its trigger fired at or before `now` (within the
    grace, so a run made up after a restart is the one that was missed), in UTC; else `now` to the minute."""
    planned = _triggers.get(job_id)
    last = None
    if planned is not None:
        trigger, grace = planned
        at = trigger.get_next_fire_time(None, now - timedelta(seconds=grace))
        while at is not None and at <= now:
            last = at
            at = trigger.get_next_fire_time(at, at + timedelta(seconds=1))
    moment = last if last is not None else now.replace(second=0, microsecond=0)
    return moment.astimezone(UTC).isoformat()


def due_runs(now: datetime, settle: timedelta) -> list[tuple[str, str]]:
    """Each scheduled job's latest run that was due at least `settle` ago, within its grace: (job id, period).

    What a daemon checks was made by someone: a daemon killed right after the shared job store moved a job's
    next run on, and before the job recorded its run, would otherwise leave that run made by nobody.
    """
    due = []
    for job_id, (trigger, grace) in _triggers.items():
        if job_id == PURGE_JOB_ID and (_context is None or _context.purge is None):
            continue
        if job_id == RETRAIN_JOB_ID and (_context is None or _context.retrain is None):
            continue
        at = trigger.get_next_fire_time(None, now - timedelta(seconds=grace))
        last = None
        while at is not None and at <= now - settle:
            last = at
            at = trigger.get_next_fire_time(at, at + timedelta(seconds=1))
        if last is not None:
            due.append((job_id, last.astimezone(UTC).isoformat()))
    return due


async def _once(job_id: str) -> None:
    deps = _deps()
    body = BODIES[job_id]
    if deps.once is None:
        await body()
        return
    await deps.once(job_id, run_period(job_id, deps.clock()), body)


async def checks_job() -> None:
    """Scheduled entry point: every check on every active page (once across daemons)."""
    await _once(CHECKS_JOB_ID)


async def digest_job() -> None:
    """Scheduled entry point: the weekly digest for the week that has just ended (once across daemons)."""
    await _once(DIGEST_JOB_ID)


async def purge_job() -> None:
    """Scheduled entry point: the retention purge (once across daemons)."""
    await _once(PURGE_JOB_ID)


async def _checks_now() -> None:
    deps = _deps()
    await run_checks(deps.checks, deps.clock())


async def _digest_now() -> None:
    deps = _deps()
    if deps.digest is None:
        log.warning("weekly digest is scheduled but no digest dependencies were given; skipped")
        return
    await send_weekly_digest(deps.digest, deps.clock())


async def _purge_now() -> None:
    """Comment texts past the retention period purged, the decisions kept."""
    deps = _deps()
    if deps.purge is None:
        log.warning("the retention purge is scheduled but no purge was given; skipped")
        return
    await deps.purge(deps.clock())


async def retrain_job() -> None:
    """Scheduled entry point: a round of the model learning from the moderators' decisions (once across
    daemons)."""
    await _once(RETRAIN_JOB_ID)


async def _retrain_now() -> None:
    deps = _deps()
    if deps.retrain is None:
        log.warning("the retrain is scheduled but no retrain was given; skipped")
        return
    await deps.retrain(deps.clock())


#: Each job's work without the once-across-daemons guard: what a daemon runs when it takes over a run.
BODIES: dict[str, Body] = {
    CHECKS_JOB_ID: _checks_now,
    DIGEST_JOB_ID: _digest_now,
    PURGE_JOB_ID: _purge_now,
    RETRAIN_JOB_ID: _retrain_now,
}


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


def retrain_planned(config: MonitorConfig, when: WeeklyAt) -> _Planned:
    """The weekly retrain ([learning] day and time), in the monitor's time zone."""
    trigger = CronTrigger(day_of_week=when.day, hour=when.at.hour, minute=when.at.minute, timezone=config.tz)
    return _Planned(RETRAIN_JOB_ID, RETRAIN_JOB_REF, trigger, RETRAIN_GRACE_S, "model retrain")


class MonitorScheduler:
    """An AsyncIOScheduler whose jobs are reconciled with the config on start instead of being replaced.

    Replacing a stored job would recompute its next run from now and silently drop a run missed while
    the daemon was down; reconciling keeps the stored next run time unless the schedule itself changed.
    """

    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        config: MonitorConfig,
        purge: bool = False,
        retrain: WeeklyAt | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.config = config
        self.purge = purge
        self.retrain = retrain

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
        if self.retrain is not None:
            self._reconcile(retrain_planned(self.config, self.retrain))
        elif self.scheduler.get_job(RETRAIN_JOB_ID) is not None:
            self.scheduler.remove_job(RETRAIN_JOB_ID)
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
    planned = [*planned_jobs(config), purge_planned(config)]
    if deps.retrain is not None and deps.retrain_at is not None:
        planned.append(retrain_planned(config, deps.retrain_at))
    _triggers.clear()
    _triggers.update({p.job_id: (p.trigger, p.grace_s) for p in planned})
    store = SQLAlchemyJobStore(engine=make_engine(url), tablename=JOBSTORE_TABLE)
    scheduler = AsyncIOScheduler(jobstores={"default": store}, timezone=config.tz)
    retrain = deps.retrain_at if deps.retrain is not None else None
    return MonitorScheduler(scheduler, config, purge=deps.purge is not None, retrain=retrain)
