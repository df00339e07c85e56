"""Several daemons on one database (a region's organisations, or a standby): who reads which page, and
scheduled jobs run once across them.

Each page's intake is a claim (models/claims.py): a VK page (`vk:<group id>`: its long poll and catch-up) and
a Telegram bot token (`telegram:<bot id>`: the one getUpdates loop Telegram allows per token, carrying the
channels' comments and the moderators' buttons). A daemon runs a worker only while it holds the worker's
claim, renews its claims every quarter of `[cluster] takeover_seconds` under a lease of three quarters of it,
and looks for free claims as often: a daemon that dies without a word (SIGKILL) has its pages taken by another
within `takeover_seconds`. A daemon that cannot renew (its database is away) stops its workers when its own
lease runs out, before another may take them. Its action lanes act on the pages it holds (actions are claimed
row by row anyway, see moderation/daemon/queue.py).

Scheduled jobs (checks, digest, purge) go through `once`: the job's row for its period is inserted before it
runs; a row left unfinished by a dead daemon is taken over by the next look of any daemon.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from models import claims
from models.claims import Identity
from models.store import Store
from moderation.types import Platform

log = logging.getLogger(__name__)

Pages = frozenset[tuple[Platform, str]]
Body = Callable[[], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


def vk_claim(group_id: int | str) -> str:
    return f"vk:{group_id}"


def telegram_claim(token: str) -> str:
    """The bot's own id (the token's part before the colon, public) or, for an odd token, a hash of it."""
    head = token.split(":", 1)[0]
    if head.isdigit():
        return f"telegram:{head}"
    return f"telegram:{hashlib.sha256(token.encode()).hexdigest()[:12]}"


class Cluster:
    """This daemon's claims: taken, renewed and given up; workers wait for theirs (`wait_held`)."""

    def __init__(
        self,
        store: Store,
        takeover_seconds: float,
        clock: Callable[[], datetime] = utc_now,
        started_at: datetime | None = None,
    ) -> None:
        self.store = store
        self.identity = Identity(store.owner, started_at or clock())  # the lanes' identity too
        self.every = takeover_seconds / 4
        self.lease = timedelta(seconds=takeover_seconds * 3 / 4)
        self._clock = clock
        self._wanted: dict[str, Pages] = {}
        self._held: dict[str, asyncio.Event] = {}
        self._lost: dict[str, asyncio.Event] = {}
        self._expires: datetime | None = None  # our leases run out then unless renewed
        self._runs: set[tuple[str, str]] = set()  # scheduled runs this daemon is making
        self._tasks: set[asyncio.Task[Any]] = set()
        self.bodies: dict[str, Body] = {}  # scheduled jobs by id: to take over a dead daemon's run
        self.due: Callable[[datetime], list[tuple[str, str]]] = lambda now: []  # runs that should exist
        self.on_change: list[Callable[[], None]] = []

    # --- claims

    def want(self, name: str, pages: Pages = frozenset()) -> None:
        """A claim this daemon asks for, and the pages whose actions it covers."""
        self._wanted[name] = pages
        self._held.setdefault(name, asyncio.Event())
        self._lost.setdefault(name, asyncio.Event())

    def holds(self, name: str) -> bool:
        event = self._held.get(name)
        return event is not None and event.is_set()

    def held(self) -> list[str]:
        return sorted(name for name in self._wanted if self.holds(name))

    def pages(self) -> Pages:
        """The pages of the claims held now: what this daemon's action lanes act on."""
        return frozenset(page for name in self.held() for page in self._wanted[name])

    async def tick(self) -> None:
        """Renew what is held and take what is free; stop holding what was lost (or what can no longer be
        renewed before its lease runs out); renew and take over scheduled runs."""
        now = self._clock()
        try:
            held = await self.store.run(claims.acquire, sorted(self._wanted), self.identity, now, self.lease)
        except Exception as error:
            if self._expires is None or self._clock() < self._expires:
                log.warning("заявки на страницы не продлены (%s); повтор", type(error).__name__)
                return
            log.error("заявки на страницы не продлить до истечения срока (%s): приём остановлен",
                      type(error).__name__)  # fmt: skip
            held = set()
        else:
            self._expires = now + self.lease
        self._apply(held)
        try:
            await self._runs_tick(now)
        except Exception as error:  # the next look tries again
            log.warning("плановые задачи не проверены (%s)", type(error).__name__)

    def _apply(self, held: set[str]) -> None:
        changed = False
        for name in self._wanted:
            if name in held and not self.holds(name):
                log.info("страница %s взята этим демоном (%s)", name, self.identity.owner.key)
                self._lost[name].clear()
                self._held[name].set()
                changed = True
            elif name not in held and self.holds(name):
                log.warning("страница %s больше не за этим демоном: её приём остановлен", name)
                self._held[name].clear()
                self._lost[name].set()
                changed = True
        if changed:
            for callback in self.on_change:
                callback()

    async def wait_held(self, name: str, stop: asyncio.Event) -> bool:
        """Until this daemon holds `name` (True) or `stop` is set (False)."""
        held = self._held[name]
        if held.is_set():
            return True
        waiters = [asyncio.create_task(held.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        return held.is_set() and not stop.is_set()

    def lost(self, name: str) -> asyncio.Event:
        """Set when a held claim is lost (cleared when it is taken again)."""
        return self._lost[name]

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Look every quarter of the takeover time until `stop`; then give the claims up for the others."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("claims: a look failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)

    async def release(self) -> None:
        """A clean stop: the claims are given up at once (another daemon need not wait for the lease)."""
        names = self.held()
        for name in names:
            self._held[name].clear()
        if names:
            with contextlib.suppress(Exception):
                await self.store.run(claims.release, names, self.identity.owner)
        for task in list(self._tasks):
            task.cancel()

    # --- scheduled runs

    async def once(self, job: str, period: str, body: Body) -> bool:
        """Run `body` as `job` of `period` unless another daemon does or did; True when it ran here."""
        now = self._clock()
        owner = self.identity.owner
        if not await self.store.run(claims.begin_run, job, period, owner, now, self.lease):
            log.info("%s за %s выполняет или выполнил другой демон", job, period)
            return False
        self._runs.add((job, period))
        try:
            await body()
        except asyncio.CancelledError:  # stopped mid-run: not done, so the next daemon to look makes it
            self._runs.discard((job, period))
            raise
        except Exception:  # failed as a lone daemon's run fails: logged, made again at its next time
            await self._finish(job, period)
            raise
        await self._finish(job, period)
        return True

    async def _finish(self, job: str, period: str) -> None:
        self._runs.discard((job, period))
        await self.store.run(claims.finish_run, job, period, self.identity.owner, self._clock())

    async def _runs_tick(self, now: datetime) -> None:
        owner = self.identity.owner
        if self._runs:
            await self.store.run(claims.renew_runs, owner, now + self.lease)
        if not self.bodies:
            return
        for job, period in await self.store.run(claims.orphaned_runs, owner, now):
            if job in self.bodies and (job, period) not in self._runs:
                log.warning("%s за %s не закончен умершим демоном: выполняется здесь", job, period)
                self._start(job, period)
        for job, period in await self.store.run(claims.missed_runs, self.due(now)):
            if job in self.bodies and (job, period) not in self._runs:
                log.warning("%s за %s никем не начат: выполняется здесь", job, period)
                self._start(job, period)

    def _start(self, job: str, period: str) -> None:
        task = asyncio.create_task(self._take_over(job, period, self.bodies[job]), name=f"takeover-{job}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _take_over(self, job: str, period: str, body: Body) -> None:
        try:
            await self.once(job, period, body)
        except Exception:
            log.exception("%s за %s не выполнен", job, period)


async def stop_worker(worker: Any) -> None:
    """VK workers stop at once (sync), the Telegram worker after its handlers (async)."""
    result = worker.stop()
    if inspect.isawaitable(result):
        await result


async def run_while_held(worker: Any, lost: asyncio.Event) -> bool:
    """Run `worker.run()` until it returns or raises, or until the claim is lost (True: stopped for that)."""
    run = asyncio.create_task(worker.run())
    gone = asyncio.create_task(lost.wait())
    try:
        await asyncio.wait([run, gone], return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the supervisor itself cancelled: the worker goes with it
        run.cancel()
        raise
    finally:
        gone.cancel()
    if run.done():
        run.result()  # its exception, for the supervisor
        return False
    await stop_worker(worker)
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.wait_for(run, 60)
    return True


def claim_names(vk_groups: list[int], telegram_token: str | None) -> Mapping[str, str]:
    """Worker name (as `dozor status` shows it) -> claim name."""
    names = {f"vk:{group_id}": vk_claim(group_id) for group_id in vk_groups}
    if telegram_token:
        names["telegram"] = telegram_claim(telegram_token)
    return names


def claim_label(name: str) -> str:
    """A claim as staff read it: «VK 170001», «Telegram, бот 123456»."""
    kind, _, ident = name.partition(":")
    return f"VK {ident}" if kind == "vk" else f"Telegram, бот {ident}" if kind == "telegram" else name


def describe(state: claims.ClaimState, now: datetime) -> str:
    """Which daemon holds the claim (host, pid, since when), or that none does and since when."""
    if state.holder is None or state.lease_until is None:
        return "никем не занята"
    who = f"{state.host}, pid {state.pid}"
    if state.started_at is not None:
        who += f", запущен {state.started_at:%d.%m.%Y %H:%M:%S} UTC"
    if state.lease_until <= now:
        lapsed = int((now - state.lease_until).total_seconds())
        return f"не продлена {lapsed} с (держал {who}): её займёт первый живой демон"
    renewed = int((now - state.renewed_at).total_seconds()) if state.renewed_at else 0
    since = f"; занята {state.claimed_at:%d.%m.%Y %H:%M:%S} UTC" if state.claimed_at else ""
    return f"{who}{since}; продлена {renewed} с назад"
