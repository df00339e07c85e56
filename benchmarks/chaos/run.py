"""One chaos run: emulators here, daemons as processes, a seeded stream with kills and faults, then checks."""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.chaos import database
from benchmarks.chaos.checks import Findings, check, recorded_comments, restriction_calls
from benchmarks.chaos.daemons import Daemons
from benchmarks.chaos.faults import Faults
from benchmarks.chaos.stream import Stream
from benchmarks.chaos.world import ChaosWorld, start_world

MID_CALL = ("sendMessage", "deleteMessages", "deleteMessage", "restrictChatMember", "editMessageText")


@dataclass(frozen=True)
class Options:
    seed: int = 1
    comments: int = 120
    kills: int = 3
    faults: int = 12
    database: str = "sqlite"  # sqlite or postgresql
    daemons: int = 1
    duration: float = 60.0  # seconds over which the stream, the kills and the faults are spread
    drain: float = 90.0  # at most this long after the stream for everything due to happen
    quiet: float = 5.0  # then this long for whatever would happen twice
    keep: bool = False  # keep the work directory (config, database, daemons' logs) even when all is well
    flood_control: bool = True  # VK's error 9 among the faults (a minute's wait each time)
    verbose: bool = True  # say on stderr what happens when


def _schedule(options: Options, rng: random.Random, kinds: tuple[str, ...]) -> list[tuple[float, str, str]]:
    """(moment, what, detail) for every comment, kill and fault; every fault kind at least once when there
    are enough faults."""
    span = options.duration
    events = [(span * i / max(1, options.comments), "comment", "") for i in range(options.comments)]
    kills = max(1, options.kills)  # one in each stretch of the run, so that no kill meets a daemon still down
    events += [((i + rng.uniform(0.1, 0.9)) * 0.95 * span / kills, "kill", "") for i in range(options.kills)]
    order = list(kinds) * (options.faults // len(kinds) + 1)
    chosen = order[: options.faults] if options.faults >= len(kinds) else rng.sample(kinds, options.faults)
    events += [(rng.uniform(0.02, 0.9) * span, "fault", kind) for kind in chosen]
    return sorted(events)


async def _ready(world: ChaosWorld, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        vk = world.vk.call_counts().get("groups.getLongPollServer", 0)
        if vk >= 3 and world.tg.state.calls.get("getUpdates", 0) >= 1:
            return True
        await asyncio.sleep(0.2)
    return False


class Run:
    def __init__(self, options: Options, world: ChaosWorld, workdir: Path) -> None:
        self.began = time.monotonic()
        self.options = options
        self.world = world
        self.workdir = workdir
        self.rng = random.Random(options.seed)
        self.stream = Stream(world, random.Random(options.seed + 1))
        self.db = database.create(options.database, workdir)
        self.faults = Faults(world, random.Random(options.seed + 2), self.db.backend, self.db.sqlite_path,
                             self.db.relay, self.db.admin_url, self.db.name,
                             flood_control=options.flood_control)  # fmt: skip
        config = workdir / "config.toml"
        config.write_text(world.config_toml(self.db.daemon_url), encoding="utf-8")
        self.daemons = Daemons.create(options.daemons, config, world.environment(), workdir)
        self.restarts: set[asyncio.Task[None]] = set()

    def say(self, what: str) -> None:
        if self.options.verbose:
            print(f"[{time.monotonic() - self.began:6.1f} s] {what}", file=sys.stderr, flush=True)

    async def _kill(self, index: int) -> None:
        """SIGKILL at a random moment or, every other time, inside a Telegram call that has taken effect and
        whose answer the daemon will never read (a card sent, messages deleted, an author restricted); then
        start it again a moment later."""
        where, hold = "", None
        if self.rng.random() < 0.5:
            method = self.rng.choice(MID_CALL)
            hold = self.world.tg.state.hold(method, after=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hold.reached.wait(), 8.0)
                where = f" inside {method}"
        await asyncio.to_thread(self.daemons.kill, index)
        if hold is not None:  # answered now (to nobody), or let through whenever the call comes
            hold.release.set()
        self.say(f"daemon {index} killed{where}")
        await asyncio.sleep(self.rng.uniform(0.3, 4.0))
        await asyncio.to_thread(self.daemons.slots[index].start)

    async def play(self) -> None:
        if self.options.daemons > 1:
            await asyncio.to_thread(database.migrate, self.db.url)
        await asyncio.to_thread(self.daemons.start_all)
        if not await _ready(self.world):
            raise RuntimeError(f"the daemon did not start; its log is in {self.workdir}")
        started = time.monotonic()
        self.say("the daemon is up; the stream begins")
        for moment, what, detail in _schedule(self.options, self.rng, self.faults.kinds()):
            await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
            if what == "comment":
                self.stream.step()
            elif what == "fault":
                await self.faults.play(detail)
                self.say(f"fault {detail}")
            else:
                index = self.rng.randrange(len(self.daemons.slots))
                while not self.daemons.slots[index].alive:  # its restart is still due
                    if not self.restarts:  # or it ended on its own: noted as a crash, started again
                        await asyncio.to_thread(self.daemons.start_all)
                    await asyncio.sleep(0.1)
                task = asyncio.create_task(self._kill(index))
                self.restarts.add(task)
                task.add_done_callback(self.restarts.discard)
            if not all(slot.alive for slot in self.daemons.slots) and not self.restarts:
                await asyncio.to_thread(self.daemons.start_all)  # one that ended on its own: noted, restarted
        await asyncio.gather(*self.restarts)

    async def settle(self) -> Findings:
        """The final restart, then wait for what is due, a quiet period for doubles, and a clean stop."""
        self.say(f"the stream is over ({len(self.stream.sent)} comments); final restart and drain")
        await asyncio.to_thread(self.faults.release)
        await asyncio.to_thread(self.daemons.start_all)
        deadline = time.monotonic() + self.options.drain
        while time.monotonic() < deadline:
            found = check(self.world, self.stream.sent, await self._recorded())
            if found.outstanding() == 0:
                self.say("everything due has happened; quiet period")
                break
            if int(deadline - time.monotonic()) % 10 == 0:
                waiting = {k: v for k, v in found.counts().items() if v}
                self.say(f"waiting for {waiting}")
            await asyncio.sleep(1.0)
        await asyncio.sleep(self.options.quiet)
        await asyncio.to_thread(self.daemons.stop_all)
        self.say("daemons stopped")
        return check(self.world, self.stream.sent, await self._recorded())

    async def _recorded(self) -> set[tuple[str, str, str]] | None:
        try:
            return await asyncio.to_thread(recorded_comments, self.db.url)
        except Exception:  # locked or cut off for a moment: the next round reads it
            return None


def report(options: Options, run: Run, found: Findings, seconds: float) -> dict[str, Any]:
    counts = found.counts()
    calls = restriction_calls(run.world)
    sent = run.stream.sent
    return {
        "seed": options.seed,
        "database": options.database,
        "daemons": options.daemons,
        "comments": len(sent),
        "must_delete": sum(1 for s in sent if s.must_delete),
        "review": sum(1 for s in sent if s.kind == "review"),
        "replies": sum(1 for s in sent if s.how.startswith("reply")),
        "edits": sum(1 for s in sent if s.how == "edit"),
        "kills": run.daemons.kills,
        "crashes": len(run.daemons.crashes),
        "faults": dict(sorted(run.faults.counts.items())),
        "faults_total": sum(run.faults.counts.values()),
        "lost": counts["lost"],
        "doubled": counts["doubled"],
        "clean_deleted": counts["clean_deleted"],
        "clean_restricted": counts["clean_restricted"],
        "restrictions_missing": counts["restrictions_missing"],
        "restrictions_doubled": counts["restrictions_doubled"],
        "cards_missing": counts["cards_missing"],
        "cards_doubled": counts["cards_doubled"],
        "restriction_calls_repeated": len(calls) - len(set(calls)),
        "notices_doubled": counts["notices_doubled"],
        "unrecorded": counts["unrecorded"],
        "wall_time_s": round(seconds, 1),
        "passed": not found.failed() and not run.daemons.crashes,
    }


async def chaos(options: Options) -> tuple[dict[str, Any], Findings, list[str], Path]:
    """Run once; returns the figures, the findings, the daemons' crashes and the work directory."""
    began = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="dozor-chaos-"))
    world = await start_world()
    run: Run | None = None
    try:
        run = Run(options, world, workdir)
        try:
            await run.play()
            found = await run.settle()
        finally:
            await asyncio.to_thread(run.daemons.stop_all)
        figures = report(options, run, found, time.monotonic() - began)
        return figures, found, run.daemons.crashes, workdir
    finally:
        await world.close()
        if run is not None:
            await asyncio.to_thread(run.db.drop)
        passed = run is not None and "figures" in locals() and figures["passed"]
        if passed and not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
