"""The moderators' queue under a sustained stream: `python -m benchmarks.workbench_queue [--minutes --rate]`.

Comments arrive at R a second for N minutes (simulated time; one in thirty, or --review-every, a rumour a
moderator must judge, the rest obscene and deleted automatically), decided by the shipped moderation core into
a real SQLite database; cards and reports go through the real aiogram client to the Telegram emulator, which
keeps Telegram's limit of 20 messages a minute to a group on a clock moved in step with the daemon's. Prints
JSON: messages the moderators' chat got, how long the cards that wait for a moderator took to reach it, what
was parked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bots.telegram.review import TelegramReviewQueue
from dozor.build import build_moderator
from dozor.cards import CardDesk
from dozor.workbench import Workbench
from emulators.telegram.demo import DEMO_TOKEN, seed_city_pages
from emulators.telegram.server import TelegramEmulator
from models.db import make_engine
from models.migrate import upgrade
from models.store import Store
from models.tables import ActionRow, ReviewCardRow
from models.workbench import WorkbenchStore
from moderation.config import ModerationConfig
from moderation.daemon.decisions import StoreDecisionHandler
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import IncomingComment, Restriction
from moderation.daemon.records import ActionKind, ActionStatus
from moderation.types import Platform

TZ = ZoneInfo("Asia/Barnaul")
OBSCENE = ("пиздец, опять яма на дороге", "бл@ть, когда уберут снег", "х.у.й вам, а не ремонт", "ебаный стыд")
RUMOUR = "Говорят, замглавы купил квартиру на деньги за ремонт дорог"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class InstantVk:
    """A VK that deletes and bans at once: the Telegram side is what is measured here."""

    platform = Platform.VK

    async def delete_comment(self, comment: IncomingComment) -> None:
        return None

    async def restore_comment(self, comment: IncomingComment) -> None:
        return None

    async def restrict(self, restriction: Restriction) -> None:
        return None

    async def lift_restriction(self, page_id: str, author_id: str, author_is_chat: bool = False) -> None:
        return None


def _card_waits(engine_url: str) -> list[float]:
    """Seconds from a review card's creation to its message, per card posted."""
    engine = make_engine(engine_url)
    with Session(engine) as session:
        rows = session.exec(
            select(ReviewCardRow.created_at, ActionRow.updated_at)
            .join(ActionRow, col(ActionRow.card_id) == col(ReviewCardRow.id))
            .where(ActionRow.kind == ActionKind.CARD.value, ActionRow.status == ActionStatus.DONE.value)
        ).all()
    engine.dispose()
    return [(posted - created).total_seconds() for created, posted in rows]


async def run(minutes: float, rate: int, review_every: int = 30) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        store = Store(make_engine(url))
        async with TelegramEmulator() as emu:
            pages = seed_city_pages(emu, DEMO_TOKEN)
            bot = emu.make_bot(DEMO_TOKEN)
            try:
                clock = Clock(datetime.now(UTC))
                policy = ModerationConfig()
                handler = StoreDecisionHandler(store, escalation=policy.escalation, clock=clock, tz=TZ)
                desk = CardDesk(WorkbenchStore(store), handler, policy, TZ, clock=clock)
                queue = TelegramReviewQueue(bot, pages.moderators_chat.id, desk, now=clock, display_tz=TZ)
                workbench = Workbench(desk, queue)
                moderator = build_moderator(policy)
                actions = {Platform.VK: InstantVk()}
                pipeline = Pipeline(
                    moderator.verdict, store, actions, workbench, policy.mode, policy.escalation, clock, tz=TZ
                )
                total = await _stream(pipeline, emu, clock, minutes, rate, review_every)
                status = await store.status()
            finally:
                await bot.session.close()
            sent = emu.sent_by_bots(pages.moderators_chat)
        waits = _card_waits(url)
    reports = [m for m in sent if (m.text or "").startswith("🗑")]
    return {
        "simulated_minutes": minutes,
        "comments_per_second": rate,
        "one_in_n_for_a_moderator": review_every,
        "comments": total,
        "messages_to_moderators_chat": len(sent),
        "reports": len(reports),
        "cards_posted": len(waits),
        "card_wait_p50_s": round(statistics.median(waits), 1) if waits else None,
        "card_wait_max_s": round(max(waits), 1) if waits else None,
        "cards_waiting_to_be_posted_at_end": status.open_cards - len(waits) if status.open_cards else 0,
        "parked_actions": status.parked_actions,
        "failed_actions": status.failed_actions,
        "automatic_deletions_not_yet_accepted": status.unacknowledged_deletions,
    }


async def _stream(
    pipeline: Pipeline, emu: TelegramEmulator, clock: Clock, minutes: float, rate: int, review_every: int
) -> int:
    n = 0
    for second in range(int(minutes * 60)):
        for _ in range(rate):
            n += 1
            text = RUMOUR if n % review_every == 0 else f"{OBSCENE[n % len(OBSCENE)]} {n}"
            author = str(10_000 + n % 400)
            comment = IncomingComment(Platform.VK, "170001", "1", str(n), author, text, clock.now)
            await pipeline.handle(comment)
        for _ in range(10):
            if await pipeline.runner.run_due() == 0:
                break
        clock.now += timedelta(seconds=1)
        emu.advance_clock(1)
        if second % 60 == 59:
            print(f"… {second // 60 + 1} мин, {n} комментариев", flush=True)
    for _ in range(120):  # the last minutes: what is still queued drains at the platform's pace
        await pipeline.runner.run_due()
        clock.now += timedelta(seconds=1)
        emu.advance_clock(1)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=5, help="comments a second")
    parser.add_argument("--review-every", type=int, default=30, help="one comment in N goes to a moderator")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.minutes, args.rate, args.review_every)), ensure_ascii=False))


if __name__ == "__main__":
    main()
