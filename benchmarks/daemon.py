"""`make bench`, the daemon part: comment-posted-to-deleted latency and API calls per comment, with 50 VK
pages on the emulator, the real vk_api client, a real SQLite database and the shipped moderation core.

One manager's user token serves all pages, as in a real administration: VK allows a user token 3 requests/s,
so deletions queue behind that limit; the figures show it.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots.config import TelegramConfig, VkConfig, VkPage
from dozor.app import build_daemon, run_daemon
from dozor.config import Settings, StorageConfig
from dozor.platforms import Endpoints
from emulators.vk.server import VkEmulator

PAGES = 50
BASE_GROUP = 200_000
MANAGER, MANAGER_TOKEN = 777, "bench-manager-token"
OBSCENE = ("пиздец, опять яма на дороге", "бл@ть, когда уберут снег", "х.у.й вам, а не ремонт", "ебаный стыд")
CLEAN = ("Спасибо за информацию", "Когда дадут горячую воду на Ленина?", "Позор, третий год обещаете ремонт")


@dataclass
class BenchWorld:
    """Fifty official pages on the VK emulator, no Telegram."""

    vk: VkEmulator
    posts: dict[int, int] = field(default_factory=dict)

    def settings_for(self, settings: Settings) -> Settings:
        pages = tuple(VkPage(group_id=BASE_GROUP + i) for i in range(PAGES))
        vk = VkConfig(pages=pages, long_poll_wait=1, backfill_first_run=True)
        return settings.model_copy(update={"vk": vk, "telegram": TelegramConfig()})

    def endpoints(self) -> Endpoints:
        tokens = {BASE_GROUP + i: f"bench-community-{i}" for i in range(PAGES)}
        return Endpoints(MANAGER_TOKEN, tokens, self.vk.base_url, None, None)

    def seed_registry(self, engine: Any) -> None:
        return None


def _world() -> BenchWorld:
    vk = VkEmulator()
    vk.start()
    world = BenchWorld(vk)
    for i in range(PAGES):
        gid = BASE_GROUP + i
        vk.add_group(gid, f"Учреждение {i}", token=f"bench-community-{i}")
        vk.add_manager(gid, MANAGER, "administrator", token=MANAGER_TOKEN if i == 0 else None)
        world.posts[gid] = vk.add_post(gid, "Новости учреждения", date=datetime.now(UTC))
    return world


async def _measure(world: BenchWorld, comments: int, rate: float) -> dict[str, Any]:
    posted: dict[tuple[int, int], float] = {}
    deleted: dict[tuple[int, int], float] = {}
    obscene: set[tuple[int, int]] = set()
    done = asyncio.Event()

    async def watch() -> None:  # sees each deletion within 5 ms of the emulator recording it
        while not done.is_set():
            _collect(world, obscene, deleted)
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    for n in range(comments):
        gid = BASE_GROUP + n % PAGES
        bad = n % 2 == 0
        text = OBSCENE[n % len(OBSCENE)] if bad else CLEAN[n % len(CLEAN)]
        cid = world.vk.add_comment(gid, world.posts[gid], 10_000 + n, text, date=datetime.now(UTC))
        posted[(gid, cid)] = time.perf_counter()
        if bad:
            obscene.add((gid, cid))
        await asyncio.sleep(1.0 / rate)
    deadline = time.perf_counter() + 120
    while len(deleted) < len(obscene) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    done.set()
    await watcher
    await asyncio.sleep(2)  # let idle polling settle before counting calls
    latencies = sorted(deleted[k] - posted[k] for k in deleted)
    requests = world.vk.request_counts()  # HTTP requests: an execute of 25 deletions is one
    calls = sum(requests.values())
    return {
        "pages": PAGES,
        "comments_posted": comments,
        "obscene_deleted": f"{len(deleted)}/{len(obscene)}",
        "posting_rate_per_s": rate,
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p99_s": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 3),
        "latency_max_s": round(latencies[-1], 3),
        "api_calls_total": calls,
        "api_calls_per_comment": round(calls / comments, 2),
        "calls_by_method": dict(sorted(requests.items())),
    }


def _collect(world: BenchWorld, obscene: set[tuple[int, int]], deleted: dict[tuple[int, int], float]) -> None:
    now = time.perf_counter()
    for gid in {g for g, _ in obscene}:
        for cid in world.vk.deleted_comments(gid):
            if (gid, cid) in obscene and (gid, cid) not in deleted:
                deleted[(gid, cid)] = now


async def bench(comments: int = 100, rate: float = 2.0) -> dict[str, Any]:
    world = await asyncio.to_thread(_world)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(storage=StorageConfig(url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"))
        daemon = await build_daemon(settings, world)
        stop = asyncio.Event()
        task = asyncio.create_task(run_daemon(daemon, stop))
        # Start-up catch-up reads every page once (wall.get, 3 requests/s for the user token): measure after.
        deadline = time.perf_counter() + 120
        while world.vk.call_counts().get("wall.get", 0) < PAGES and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        startup_calls = dict(world.vk.request_counts())
        world.vk.reset_call_counts()
        try:
            results = await _measure(world, comments, rate)
            results["startup_catch_up_calls"] = startup_calls
            return results
        finally:
            stop.set()
            await task
            await asyncio.to_thread(world.vk.stop)


SCENARIOS = {
    "steady, 2 comments/s": 2.0,
    "burst, 10 comments/s (above VK's 3 requests/s for the token)": 10.0,
}


def main() -> None:
    results = {}
    for name, rate in SCENARIOS.items():
        print(f"-- {name}")
        results[name] = asyncio.run(bench(rate=rate))
        for key, value in results[name].items():
            print(f"{key:24} {value}")
    out = Path("var") / "bench-daemon.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
