"""Several daemons on one database: page claims and scheduled runs made once, on SQLite and PostgreSQL.

The claims' clock is injected, so a lease running out is a step of the clock, not a wait. Daemons are told
apart by their identity (host, pid, nonce) as separate processes are.
"""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bots.intake import Health
from dozor.claims import Cluster, describe, telegram_claim, vk_claim
from dozor.config import ConfigError, parse_settings
from dozor.platforms import Gate, supervise
from models import claims
from models.claims import Identity
from models.db import make_engine
from models.store import Store
from moderation.daemon.queue import Owner
from moderation.types import Platform
from monitor.config import MonitorConfig
from tests.db_fixtures import (  # noqa: F401  (fixtures)
    db_url,
    engine,
    migrated_url,
    postgres_migrated_url,
    postgres_schema_url,
    sqlite_template,
    sqlite_url,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=15)
PAGES = ["vk:1", "vk:2", "telegram:42"]


def me(host: str, pid: int = 100, nonce: str = "n") -> Identity:
    return Identity(Owner(host, pid, nonce), T0)


def acquire(engine: Engine, who: Identity, now: datetime, names: list[str] = PAGES) -> set[str]:
    return Store(engine)._run_sync(claims.acquire, names, who, now, LEASE)


def test_one_daemon_holds_a_page_until_its_lease_runs_out(engine: Engine) -> None:
    a, b = me("host-a"), me("host-b")
    assert acquire(engine, a, T0) == set(PAGES)
    assert acquire(engine, b, T0 + timedelta(seconds=1)) == set(), "held by a live daemon"
    assert acquire(engine, a, T0 + timedelta(seconds=10)) == set(PAGES), "renewed by its holder"
    assert acquire(engine, b, T0 + timedelta(seconds=24)) == set(), "the renewed lease still runs"
    assert acquire(engine, b, T0 + timedelta(seconds=26)) == set(PAGES), "a's lease ran out: b takes over"
    assert acquire(engine, a, T0 + timedelta(seconds=27)) == set(), "a has lost them and cannot renew"


def test_a_daemon_takes_only_the_pages_left_free(engine: Engine) -> None:
    a, b = me("host-a"), me("host-b")
    assert acquire(engine, a, T0, ["vk:1"]) == {"vk:1"}
    assert acquire(engine, b, T0, PAGES) == {"vk:2", "telegram:42"}
    assert acquire(engine, a, T0, PAGES) == {"vk:1"}


def test_a_released_page_is_taken_at_once(engine: Engine) -> None:
    a, b = me("host-a"), me("host-b")
    store = Store(engine)
    acquire(engine, a, T0)
    assert store._run_sync(claims.release, ["vk:1"], a.owner) == 1
    assert store._run_sync(claims.release, ["vk:2"], b.owner) == 0, "only the holder releases"
    assert acquire(engine, b, T0 + timedelta(seconds=1)) == {"vk:1"}


def test_a_dead_process_of_this_host_loses_its_pages_at_once(engine: Engine) -> None:
    host = socket.gethostname()
    predecessor = me(host, os.getpid(), "old")  # the same pid with another nonce: a restarted daemon's past
    acquire(engine, predecessor, T0)
    assert acquire(engine, me(host, os.getpid(), "new"), T0 + timedelta(seconds=1)) == set(PAGES)


def test_the_holder_is_recorded_for_status(engine: Engine) -> None:
    a = me("host-a", 4321)
    acquire(engine, a, T0)
    [state, *_] = Store(engine)._run_sync(claims.claims)
    assert (state.host, state.pid, state.started_at, state.claimed_at) == ("host-a", 4321, T0, T0)
    line = describe(state, T0 + timedelta(seconds=3))
    assert "host-a, pid 4321, запущен 07.12.2026 09:00:00 UTC" in line and "продлена 3 с назад" in line
    assert "не продлена" in describe(state, T0 + timedelta(seconds=20))


async def test_daemons_claiming_at_once_never_share_a_page(engine: Engine) -> None:
    names = [f"vk:{n}" for n in range(12)]
    owners = [me(f"host-{n}") for n in range(4)] * 2  # each daemon looks twice
    stores = [Store(engine) for _ in owners]  # apart, as processes are (on SQLite, no shared lock)
    taken = await asyncio.gather(
        *(store.run(claims.acquire, names, who, T0, LEASE) for store, who in zip(stores, owners, strict=True))
    )
    held: dict[str, set[str]] = {}
    for who, names_held in zip(owners, taken, strict=True):
        for name in names_held:
            held.setdefault(name, set()).add(who.owner.host)
    assert sorted(held) == sorted(names) and all(len(hosts) == 1 for hosts in held.values()), held


def test_a_scheduled_run_is_made_once_and_taken_over_from_a_dead_daemon(engine: Engine) -> None:
    store = Store(engine)
    a, b = Owner("host-a", 1, "a"), Owner("host-b", 2, "b")
    run = ("monitor.digest", "2026-12-07T09:00:00+00:00")
    assert store._run_sync(claims.begin_run, *run, a, T0, LEASE)
    assert not store._run_sync(claims.begin_run, *run, b, T0, LEASE), "a is making it"
    assert store._run_sync(claims.orphaned_runs, b, T0 + timedelta(seconds=5)) == []
    assert store._run_sync(claims.renew_runs, a, T0 + timedelta(seconds=25)) == 1
    assert store._run_sync(claims.orphaned_runs, b, T0 + timedelta(seconds=20)) == []
    assert store._run_sync(claims.orphaned_runs, b, T0 + timedelta(seconds=26)) == [run], "a died"
    assert store._run_sync(claims.begin_run, *run, b, T0 + timedelta(seconds=26), LEASE)
    assert not store._run_sync(claims.finish_run, *run, a, T0 + timedelta(seconds=27)), "a lost it"
    assert store._run_sync(claims.finish_run, *run, b, T0 + timedelta(seconds=28))
    later = T0 + timedelta(hours=1)
    assert not store._run_sync(claims.begin_run, *run, a, later, LEASE), "done: never again"
    assert store._run_sync(claims.orphaned_runs, a, later) == []


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def cluster(engine: Engine, host: str, clock: Clock, takeover: float = 20.0) -> Cluster:
    store = Store(engine)
    store.owner = Owner(host, 1, host)
    made = Cluster(store, takeover, clock)
    made.want(vk_claim(1), frozenset({(Platform.VK, "1")}))
    made.want(telegram_claim("42:secret"), frozenset({(Platform.TELEGRAM, "-1001")}))
    return made


async def test_a_standby_takes_the_pages_when_the_holder_stops_renewing(engine: Engine) -> None:
    clock = Clock()
    a, b = cluster(engine, "host-a", clock), cluster(engine, "host-b", clock)
    changes: list[list[str]] = []
    b.on_change.append(lambda: changes.append(b.held()))
    await a.tick()
    await b.tick()
    assert a.held() == ["telegram:42", "vk:1"] and b.held() == [] and b.pages() == frozenset()
    clock.now += timedelta(seconds=16)  # a is dead: it renews no more; its lease (15 s) has run out
    await b.tick()
    assert b.held() == ["telegram:42", "vk:1"] and changes == [["telegram:42", "vk:1"]]
    assert b.pages() == {(Platform.VK, "1"), (Platform.TELEGRAM, "-1001")}
    await a.tick()  # a was only paused: it finds its pages gone and stops reading them
    assert a.held() == [] and a.lost("vk:1").is_set()


async def test_a_daemon_that_cannot_renew_stops_reading_before_another_may_take_over(engine: Engine) -> None:
    clock = Clock()
    a = cluster(engine, "host-a", clock)
    await a.tick()
    a.store = Store(make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"))
    clock.now += timedelta(seconds=10)
    await a.tick()
    assert a.held() == ["telegram:42", "vk:1"], "its lease still runs: it goes on reading"
    clock.now += timedelta(seconds=6)
    await a.tick()
    assert a.held() == [], "its lease has run out: another daemon may read these pages now"


async def test_a_scheduled_job_runs_once_and_a_dead_daemons_run_is_finished_elsewhere(engine: Engine) -> None:
    clock = Clock()
    a, b = cluster(engine, "host-a", clock), cluster(engine, "host-b", clock)
    ran: list[str] = []

    async def body() -> None:
        ran.append("checks")

    assert await a.once("monitor.checks", "p1", body)
    assert not await b.once("monitor.checks", "p1", body)
    assert ran == ["checks"]
    hangs = asyncio.Event()

    async def killed() -> None:
        await hangs.wait()  # the daemon died in here: never finished

    dying = asyncio.create_task(a.once("monitor.checks", "p2", killed))
    await asyncio.sleep(0.05)
    b.bodies["monitor.checks"] = body
    await b.tick()
    assert ran == ["checks"], "a is alive and working on it"
    clock.now += timedelta(seconds=16)  # a died in the run: its lease runs out
    await b.tick()
    await asyncio.gather(*b._tasks)
    assert ran == ["checks", "checks"], "b made the run a left unfinished"
    hangs.set()
    assert await dying, "a's body returned after all"
    assert not await a.once("monitor.checks", "p2", body), "the run is done: a makes it no more"
    assert ran == ["checks", "checks"]


@dataclass
class FakeWorker:
    runs: int = 0
    stops: int = 0
    started: asyncio.Event = field(default_factory=asyncio.Event)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    health: Health = field(default_factory=Health)

    async def run(self) -> None:
        self.runs += 1
        self._stop.clear()
        self.started.set()
        await self._stop.wait()

    def stop(self) -> None:
        self.stops += 1
        self._stop.set()


async def test_a_worker_reads_only_while_its_daemon_holds_the_page(engine: Engine) -> None:
    clock = Clock()
    a, b = cluster(engine, "host-a", clock), cluster(engine, "host-b", clock)
    await a.tick()
    worker, stopping = FakeWorker(), asyncio.Event()
    task = asyncio.create_task(supervise("vk:1", worker, stopping, gate=Gate(b, "vk:1")))
    await asyncio.sleep(0.1)
    assert worker.runs == 0, "a holds the page: b's worker waits"
    clock.now += timedelta(seconds=16)
    await b.tick()
    await asyncio.wait_for(worker.started.wait(), 5)
    assert worker.runs == 1
    worker.started.clear()
    clock.now += timedelta(seconds=16)  # b paused past its lease: a takes the page back
    await a.tick()
    await b.tick()
    await asyncio.sleep(0.1)
    assert worker.stops == 1 and worker.runs == 1, "b stopped reading the page it lost"
    stopping.set()
    await asyncio.wait_for(task, 5)


def test_takeover_seconds_is_checked_with_the_key_named() -> None:
    assert parse_settings("[cluster]\ntakeover_seconds = 12\n").cluster.takeover_seconds == 12
    assert parse_settings("").cluster.takeover_seconds == 30
    cases = (
        ("2", "должно быть не меньше 5"),
        ('"быстро"', "нужно целое число"),
        ("100000", "должно быть не больше 3600"),
    )
    for bad, why in cases:
        with pytest.raises(ConfigError) as error:
            parse_settings(f"[cluster]\ntakeover_seconds = {bad}\n")
        assert f"cluster.takeover_seconds: {why}" in str(error.value)


def test_a_telegram_claim_names_the_bot_not_the_token() -> None:
    assert telegram_claim("123456:AAE-secret") == "telegram:123456"
    assert "secret" not in telegram_claim("not-a-bot-token-secret")


async def test_the_weekly_digest_goes_out_once_whichever_daemons_fire_it(engine: Engine) -> None:
    from monitor import scheduler as sched
    from tests.test_scheduler import CONFIG, FIXED_NOW, job_deps

    deps, sender = job_deps([])
    clock = Clock(FIXED_NOW)
    a, b = cluster(engine, "host-a", clock), cluster(engine, "host-b", clock)
    sched._triggers.update({p.job_id: (p.trigger, p.grace_s) for p in sched.planned_jobs(CONFIG)})
    try:
        for daemon in (a, b, a):  # both fire it at its time; a restart of one fires the missed run again
            sched._context = dataclasses.replace(deps, once=daemon.once)
            await sched.digest_job()
    finally:
        sched._context = None
        sched._triggers.clear()
    assert len(sender.documents) == 1, "one digest for the week"


def test_a_run_made_up_after_a_restart_is_the_run_that_was_missed() -> None:
    from monitor import scheduler as sched

    config = MonitorConfig()  # checks at 8, 14 and 20 local time (Asia/Barnaul, UTC+7)
    sched._triggers.update({p.job_id: (p.trigger, p.grace_s) for p in sched.planned_jobs(config)})
    try:
        at_time = sched.run_period(sched.CHECKS_JOB_ID, datetime(2026, 12, 7, 7, 0, 2, tzinfo=UTC))
        late = sched.run_period(sched.CHECKS_JOB_ID, datetime(2026, 12, 7, 9, 40, tzinfo=UTC))
        settle = timedelta(seconds=60)
        just_fired = dict(sched.due_runs(datetime(2026, 12, 7, 7, 0, 30, tzinfo=UTC), settle))
        settled = dict(sched.due_runs(datetime(2026, 12, 7, 7, 1, 30, tzinfo=UTC), settle))
    finally:
        sched._triggers.clear()
    assert at_time == late == "2026-12-07T07:00:00+00:00"
    assert sched.CHECKS_JOB_ID not in just_fired, "14:00 is the scheduler's own yet; 08:00 is past its grace"
    assert settled[sched.CHECKS_JOB_ID] == "2026-12-07T07:00:00+00:00"
    assert settled[sched.DIGEST_JOB_ID] == "2026-12-07T02:00:00+00:00"  # Monday 09:00 in Barnaul
    assert sched.PURGE_JOB_ID not in settled, "no purge configured"


async def test_status_names_the_daemon_holding_each_page(engine: Engine) -> None:
    from rich.console import Console

    from dozor.config import Settings
    from dozor.runner import print_status

    await cluster(engine, "host-a", Clock(datetime.now(UTC))).tick()
    console = Console(record=True, width=200)
    await print_status(Settings(), console, Store(engine))
    shown = console.export_text()
    assert "Какой демон читает какую страницу" in shown
    assert "VK 1" in shown and "Telegram, бот 42" in shown and shown.count("host-a, pid 1, запущен") == 2


async def test_a_run_due_that_nobody_began_is_made_by_a_live_daemon(engine: Engine) -> None:
    clock = Clock()
    a, b = cluster(engine, "host-a", clock), cluster(engine, "host-b", clock)
    ran: list[str] = []

    async def body() -> None:
        ran.append("checks")

    due = [("monitor.checks", "2026-12-07T07:00:00+00:00")]
    b.bodies["monitor.checks"] = body
    b.due = lambda now: due
    await b.tick()
    assert ran == [], "no run of the job was ever recorded: the scheduler's own run is awaited"
    assert await a.once("monitor.checks", "2026-12-07T01:00:00+00:00", body)
    await b.tick()  # the 07:00 run fell due; a's scheduler moved the job on and a died before recording it
    await asyncio.gather(*b._tasks)
    assert ran == ["checks", "checks"]
    await b.tick()
    await asyncio.gather(*b._tasks)
    assert ran == ["checks", "checks"], "made once"


async def test_daemons_starting_together_on_an_empty_database_migrate_it_once(db_url: str) -> None:
    import sys

    code = "import sys; from models.migrate import upgrade; upgrade(sys.argv[1])"
    starts = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, db_url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    ends = [await process.communicate() for process in starts]
    assert [process.returncode for process in starts] == [0, 0, 0], [err.decode()[-500:] for _, err in ends]


async def test_a_run_stopped_midway_is_not_done_and_is_made_by_the_next_daemon(engine: Engine) -> None:
    clock = Clock()
    a, b = cluster(engine, "host-a", clock), cluster(engine, "host-b", clock)
    started, ran = asyncio.Event(), []

    async def endless() -> None:
        started.set()
        await asyncio.Event().wait()

    async def body() -> None:
        ran.append("purge")

    stopped = asyncio.create_task(a.once("retention.purge", "night", endless))
    await started.wait()
    stopped.cancel()  # the daemon stopping (or its loop torn down) mid-run
    await asyncio.gather(stopped, return_exceptions=True)
    b.bodies["retention.purge"] = body
    clock.now += timedelta(seconds=16)
    await b.tick()
    await asyncio.gather(*b._tasks)
    assert ran == ["purge"]
