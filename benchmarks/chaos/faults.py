"""The faults a chaos run injects: the platforms' (through the emulators' hooks) and the database's.

VK: rate limits (errors 6 and 9), bare 5xx, requests that hang, long-poll `failed` 1/2/3. Telegram: 429 with
retry_after, 502, calls held before or after their effect. Database: SQLite locked by another process holding
an exclusive transaction; PostgreSQL cut off (a relay between daemon and server) or its connections ended.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.chaos.relay import Outage
from benchmarks.chaos.world import VK_GROUPS, ChaosWorld
from emulators.telegram.model import ApiError

VK_ACTS = (
    "wall.deleteComment",
    "groups.ban",
    "execute",
    "wall.getComments",
    "wall.get",
    "groups.getLongPollServer",
)
TG_ACTS = (
    "deleteMessage",
    "deleteMessages",
    "restrictChatMember",
    "sendMessage",
    "editMessageText",
    "getUpdates",
)
PLATFORM_KINDS = ("vk_rate", "vk_5xx", "vk_hang", "vk_longpoll", "tg_429", "tg_5xx", "tg_hang", "tg_after")
DB_KINDS = {"sqlite": ("db_lock",), "postgresql": ("db_cut", "db_terminate")}

_LOCK_SCRIPT = (
    "import sqlite3, sys, time\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n"
    "c.execute('BEGIN EXCLUSIVE')\n"
    "time.sleep(float(sys.argv[2]))\n"
    "c.execute('COMMIT')\n"
)


@dataclass
class Faults:
    """Plays one fault at a time on request; counts them by kind."""

    world: ChaosWorld
    rng: random.Random
    backend: str  # sqlite or postgresql
    sqlite_path: str | None = None
    relay: Outage | None = None
    admin_url: str | None = None  # PostgreSQL: a connection that may terminate the daemons' ones
    database: str | None = None
    hang_seconds: tuple[float, float] = (3.0, 12.0)
    db_seconds: tuple[float, float] = (3.0, 15.0)
    flood_control: bool = True  # VK error 9 among the rate limits (the daemon then waits a minute)
    counts: Counter[str] = field(default_factory=Counter)
    _lockers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def kinds(self) -> tuple[str, ...]:
        return PLATFORM_KINDS + DB_KINDS[self.backend]

    async def play(self, kind: str) -> None:
        self.counts[kind] += 1
        getattr(self, f"_{kind}")()

    def _later(self, seconds: float, coro_fn: object) -> None:
        async def run() -> None:
            await asyncio.sleep(seconds)
            await asyncio.to_thread(coro_fn)  # type: ignore[arg-type]

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _span(self, bounds: tuple[float, float]) -> float:
        return round(self.rng.uniform(*bounds), 1)

    # --- VK

    def _vk_rate(self) -> None:
        code = 9 if self.flood_control and self.rng.random() < 0.2 else 6
        self.world.vk.fail_next(
            self.rng.choice(VK_ACTS), code, times=self.rng.randint(1, 3) if code == 6 else 1
        )

    def _vk_5xx(self) -> None:
        status = self.rng.choice((500, 502, 503))
        self.world.vk.fail_next(self.rng.choice(VK_ACTS), http_status=status, times=self.rng.randint(1, 2))

    def _vk_hang(self) -> None:
        self.world.vk.hang_next(self.rng.choice(VK_ACTS), self._span(self.hang_seconds))

    def _vk_longpoll(self) -> None:
        self.world.vk.inject_longpoll_failure(self.rng.choice((1, 2, 3)), self.rng.choice(VK_GROUPS))

    # --- Telegram

    def _tg_429(self) -> None:
        wait = self.rng.randint(1, 5)
        error = ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        self.world.tg.state.inject_failure(self.rng.choice(TG_ACTS), error, times=self.rng.randint(1, 3))

    def _tg_5xx(self) -> None:
        self.world.tg.state.inject_http_failure(self.rng.choice(TG_ACTS), 502, times=self.rng.randint(1, 2))

    def _tg_hang(self) -> None:
        self._tg_hold(after=False)

    def _tg_after(self) -> None:
        """The call takes effect and its answer is held: a daemon killed meanwhile never hears it was done."""
        self._tg_hold(after=True)

    def _tg_hold(self, after: bool) -> None:
        hold = self.world.tg.state.hold(self.rng.choice(TG_ACTS[:5]), after=after)
        asyncio.get_running_loop().call_later(self._span(self.hang_seconds), hold.release.set)

    # --- the database

    def _db_lock(self) -> None:
        seconds = self._span(self.db_seconds)
        locker = subprocess.Popen([sys.executable, "-c", _LOCK_SCRIPT, str(self.sqlite_path), str(seconds)])
        self._lockers.append(locker)

    def _db_cut(self) -> None:
        assert self.relay is not None
        self.relay.cut()
        self._later(self._span(self.db_seconds), self.relay.restore)

    def _db_terminate(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(str(self.admin_url).replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": self.database},
            )
        engine.dispose()

    def release(self) -> None:
        """The end of the run: the database back (the platforms' queued faults play out on their own)."""
        if self.relay is not None:
            self.relay.restore()
        for locker in self._lockers:
            locker.wait(timeout=60)
