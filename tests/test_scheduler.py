"""The scheduler keeps its jobs in the database: a restart neither duplicates them nor loses a missed run."""

from __future__ import annotations

import ast
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulators.city import demo_world
from monitor import scheduler as sched
from monitor.checks.deps import CheckDeps
from monitor.config import MonitorConfig
from monitor.digest.data import DigestSources
from monitor.digest.job import DigestDeps
from monitor.digest.memory import RecordingSender
from tests.db_fixtures import db_url, postgres_schema_url  # noqa: F401

FIXED_NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 09:00 in Barnaul
CONFIG = MonitorConfig(press_chat_id="-100777")


def job_deps(clock_calls: list[datetime]) -> tuple[sched.JobDeps, RecordingSender]:
    world = demo_world(FIXED_NOW - timedelta(days=7))
    checks = CheckDeps(CONFIG, world.source, world.registry, world.store, world.fetcher, world.addresses)
    sender = RecordingSender()
    digest = DigestDeps(DigestSources(CONFIG, world.registry, world.source, world.store, world.stats), sender)

    def clock() -> datetime:
        clock_calls.append(FIXED_NOW)
        return FIXED_NOW

    return sched.JobDeps(checks, digest, clock), sender


async def settle(until: asyncio.Event | None = None, timeout: float = 1.0) -> None:
    """Let the scheduler's callbacks run; never waits more than a second of real time."""
    if until is not None:
        await asyncio.wait_for(until.wait(), timeout)
    for _ in range(5):
        await asyncio.sleep(0.02)


async def test_jobs_persist_across_restart_and_missed_run_fires_once(db_url: str) -> None:  # noqa: F811
    calls: list[datetime] = []
    deps, sender = job_deps(calls)

    first = sched.build_scheduler(CONFIG, db_url, deps)
    first.start()
    planned = first.next_runs()
    assert set(planned) == {sched.CHECKS_JOB_ID, sched.DIGEST_JOB_ID}
    digest_job = first.scheduler.get_job(sched.DIGEST_JOB_ID)
    assert digest_job.func_ref == sched.DIGEST_JOB_REF and digest_job.coalesce
    assert digest_job.misfire_grace_time == CONFIG.digest_misfire_grace_s
    assert str(digest_job.trigger.timezone) == "Asia/Barnaul"
    # the daemon goes down just before the digest was due: make that run overdue, then stop
    first.scheduler.pause()
    overdue = datetime.now(UTC) - timedelta(hours=3)
    first.scheduler.modify_job(sched.DIGEST_JOB_ID, next_run_time=overdue)
    first.shutdown()
    await settle()

    sent = asyncio.Event()
    original = sender.send_document

    async def record(*args: object, **kwargs: object) -> None:
        await original(*args, **kwargs)  # type: ignore[arg-type]
        sent.set()

    sender.send_document = record  # type: ignore[method-assign]
    second = sched.build_scheduler(CONFIG, db_url, deps)
    second.start()
    try:
        await settle(sent)
        jobs = second.scheduler.get_jobs()
        assert sorted(j.id for j in jobs) == sorted(planned)  # no duplicates after the restart
        assert len(sender.documents) == 1 and calls == [FIXED_NOW]  # missed run handled once, with our clock
        assert sender.documents[0][1] == "dozor-digest-2026-W48.html"
        next_digest = second.next_runs()[sched.DIGEST_JOB_ID]
        assert next_digest is not None and next_digest > datetime.now(UTC)
        assert second.next_runs()[sched.CHECKS_JOB_ID] == planned[sched.CHECKS_JOB_ID]  # kept, not recomputed
    finally:
        second.shutdown()
        await settle()


async def test_changed_schedule_is_applied_on_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    deps, _ = job_deps([])
    first = sched.build_scheduler(CONFIG, url, deps)
    first.start()
    first.shutdown()
    await settle()
    moved = MonitorConfig(digest_weekday=4, digest_time="16:30")  # type: ignore[arg-type]
    second = sched.build_scheduler(moved, url, deps)
    second.start()
    try:
        job = second.scheduler.get_job(sched.DIGEST_JOB_ID)
        local = job.next_run_time.astimezone(moved.tz)
        assert (local.weekday(), local.hour, local.minute) == (4, 16, 30)
    finally:
        second.shutdown()
        await settle()


async def test_jobs_can_be_called_directly_with_a_fixed_clock() -> None:
    calls: list[datetime] = []
    deps, sender = job_deps(calls)
    sched._context = deps
    await sched.checks_job()
    await sched.digest_job()
    assert calls == [FIXED_NOW, FIXED_NOW] and len(sender.messages) == 1
    assert len(deps.checks.store.latest.__self__.results) == 25  # type: ignore[attr-defined]


def test_only_the_scheduler_imports_apscheduler() -> None:
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in (root / "monitor").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "apscheduler" for n in names) and path.name != "scheduler.py":
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_job_before_build_is_a_clear_error() -> None:
    saved, sched._context = sched._context, None
    try:
        with pytest.raises(RuntimeError, match="build_scheduler"):
            asyncio.run(sched.checks_job())
    finally:
        sched._context = saved
