"""`make bench`, the raid: 1,000 comments that must be deleted, posted at once across 50 VK pages and a
Telegram discussion group, against the real daemon wiring (build_daemon, the real vk_api and aiogram clients,
the emulators enforcing the platforms' limits: 3 requests/s for the VK user token, Telegram's 20 messages a
minute to a group and 30 a second overall).

Prints one JSON object: `cleared_s` (first post to last deletion, seen on the emulators' side), `deleted`
(comments deleted / posted), `deleted_twice` (comments whose deletion took effect more than once),
`api_requests` (HTTP requests to both platforms while clearing, long polls excluded) and their breakdown.

    python -m benchmarks.raid [--vk 800] [--telegram 200] [--pages 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots.config import TelegramConfig, VkConfig, VkPage
from dozor.app import build_daemon, run_daemon
from dozor.config import Settings, StorageConfig
from dozor.platforms import Endpoints
from emulators.telegram.demo import CityPages, seed_city_pages
from emulators.telegram.model import StoredMessage
from emulators.telegram.server import TelegramEmulator
from emulators.vk.server import VkEmulator

BASE_GROUP = 300_000
MANAGER, MANAGER_TOKEN = 777, "raid-manager-token"
TG_TOKEN = "7100001:AAHraid-dozor-benchmark-not-a-secret"
OBSCENE = (
    "пиздец, опять яма на дороге",
    "бл@ть, когда уберут снег",
    "х.у.й вам, а не ремонт",
    "ебаный стыд, третий год обещаете",
    "да пошли вы на хуй с такими дорогами",
)
POLL_SECONDS = 0.005
DEADLINE_SECONDS = 180.0


@dataclass
class RaidWorld:
    """Fifty official VK pages and the administration's Telegram channel, on the emulators."""

    vk: VkEmulator
    tg: TelegramEmulator
    tg_pages: CityPages
    pages: int
    posts: dict[int, int] = field(default_factory=dict)
    tg_post: StoredMessage | None = None

    def settings_for(self, settings: Settings) -> Settings:
        pages = tuple(VkPage(group_id=BASE_GROUP + i) for i in range(self.pages))
        vk = VkConfig(pages=pages, long_poll_wait=1, backfill_first_run=True)
        tg = TelegramConfig(
            channels=(self.tg_pages.channel.id,),
            moderators_chat_id=self.tg_pages.moderators_chat.id,
            moderators=(str(self.tg_pages.moderator.id),),
        )
        return settings.model_copy(update={"vk": vk, "telegram": tg})

    def endpoints(self) -> Endpoints:
        tokens = {BASE_GROUP + i: f"raid-community-{i}" for i in range(self.pages)}
        return Endpoints(MANAGER_TOKEN, tokens, self.vk.base_url, TG_TOKEN, self.tg.base_url)

    def seed_registry(self, engine: Any) -> None:
        return None


async def _world(pages: int) -> RaidWorld:
    vk = VkEmulator()
    await asyncio.to_thread(vk.start)
    tg = TelegramEmulator()
    await tg.start()
    world = RaidWorld(vk, tg, seed_city_pages(tg, TG_TOKEN), pages)
    for i in range(pages):
        gid = BASE_GROUP + i
        vk.add_group(gid, f"Учреждение {i}", token=f"raid-community-{i}")
        vk.add_manager(gid, MANAGER, "administrator", token=MANAGER_TOKEN if i == 0 else None)
        world.posts[gid] = vk.add_post(gid, "Новости учреждения", date=datetime.now(UTC))
    world.tg_post = tg.post_to_channel(world.tg_pages.channel, "Благоустройство: план на лето")
    return world


def _requests(world: RaidWorld) -> Counter[str]:
    """HTTP requests so far, per platform and method (getUpdates, a long poll, left out)."""
    out: Counter[str] = Counter({f"vk:{m}": n for m, n in world.vk.request_counts().items()})
    out.update({f"telegram:{m}": n for m, n in world.tg.state.calls.items() if m != "getUpdates"})
    return out


async def _raid(world: RaidWorld, vk_comments: int, tg_comments: int) -> dict[str, Any]:
    citizens = [world.tg.add_user(f"Житель {n}") for n in range(tg_comments)]
    for citizen in citizens:
        world.tg.add_member(world.tg_pages.group, citizen)
    before = _requests(world)
    vk_posted: list[tuple[int, int]] = []
    tg_posted: list[StoredMessage] = []
    started = time.perf_counter()
    for n in range(max(vk_comments, tg_comments)):  # interleaved, as fast as the emulators take them
        if n < vk_comments:
            gid = BASE_GROUP + n % world.pages
            text = OBSCENE[n % len(OBSCENE)]
            vk_posted.append((gid, world.vk.add_comment(gid, world.posts[gid], 50_000 + n, f"{text} #{n}")))
        if n < tg_comments and world.tg_post is not None:
            tg_posted.append(world.tg.post_comment(world.tg_post, f"{OBSCENE[n % 5]} #{n}", user=citizens[n]))
        if n % 50 == 49:
            await asyncio.sleep(0)  # the daemon runs in this process too
    posted_s = time.perf_counter() - started
    last_deletion = started
    deadline = started + DEADLINE_SECONDS
    while time.perf_counter() < deadline:
        done = _deleted(world, vk_posted, tg_posted)
        if done == len(vk_posted) + len(tg_posted):
            last_deletion = time.perf_counter()
            break
        await asyncio.sleep(POLL_SECONDS)
    cleared_s = last_deletion - started if done == len(vk_posted) + len(tg_posted) else None
    await asyncio.sleep(2)  # anything doubled would show by now
    used = _requests(world) - before
    vk_times = [world.vk.deletions(gid).get(cid, 0) for gid, cid in vk_posted]
    tg_times = [world.tg.state.deletions[(m.chat_id, m.message_id)] for m in tg_posted]
    times = vk_times + tg_times
    return {
        "comments": len(times),
        "vk_pages": world.pages,
        "vk_comments": len(vk_posted),
        "telegram_comments": len(tg_posted),
        "posting_s": round(posted_s, 3),
        "cleared_s": round(cleared_s, 3) if cleared_s is not None else None,
        "deleted": f"{sum(1 for t in times if t >= 1)}/{len(times)}",
        "deleted_twice": sum(1 for t in times if t > 1),
        "api_requests": sum(used.values()),
        "requests_by_method": dict(sorted(used.items())),
    }


def _deleted(world: RaidWorld, vk_posted: list[tuple[int, int]], tg_posted: list[StoredMessage]) -> int:
    by_group: dict[int, set[int]] = {}
    for gid, _ in vk_posted:
        if gid not in by_group:
            by_group[gid] = set(world.vk.deleted_comments(gid))
    vk_done = sum(1 for gid, cid in vk_posted if cid in by_group[gid])
    return vk_done + sum(1 for m in tg_posted if world.tg.is_deleted(m))


async def bench(vk_comments: int = 800, tg_comments: int = 200, pages: int = 50) -> dict[str, Any]:
    world = await _world(pages)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(storage=StorageConfig(url=f"sqlite:///{Path(tmp) / 'raid.sqlite3'}"))
        daemon = await build_daemon(settings, world)
        stop = asyncio.Event()
        task = asyncio.create_task(run_daemon(daemon, stop))
        try:
            deadline = time.perf_counter() + 120  # start-up catch-up reads every page once: measure after
            while world.vk.call_counts().get("wall.get", 0) < pages and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2)
            return await _raid(world, vk_comments, tg_comments)
        finally:
            stop.set()
            await task
            await world.tg.stop()
            await asyncio.to_thread(world.vk.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--vk", type=int, default=800, help="comments on VK, spread over the pages")
    parser.add_argument("--telegram", type=int, default=200, help="comments in the Telegram group")
    parser.add_argument("--pages", type=int, default=50, help="VK pages")
    args = parser.parse_args()
    result = asyncio.run(bench(args.vk, args.telegram, args.pages))
    out = Path("var") / "bench-raid.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
