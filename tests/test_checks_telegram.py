"""The checks on a Telegram channel through the emulator with the real aiogram client; posts from storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel

from bots.telegram.page_source import TelegramPageSource
from models.db import make_engine
from models.monitor import SqlStoredPosts, monitor_tables
from models.tables import Post as PostRow
from models.values import CheckName, Post, Status
from moderation.types import Platform
from monitor.checks.deps import CheckDeps
from monitor.checks.memory import (
    InMemoryCheckResultStore,
    InMemoryRegistry,
    RecordingAddressSink,
    StaticSiteFetcher,
)
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.ports import Organisation, PageRef
from tests.test_tg_support import tg_world

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
ORG = Organisation(
    "1",
    "Администрация города Рубцовска Алтайского края",
    postal_address="658200, Алтайский край, г. Рубцовск, проспект Ленина, д. 130",
    phone="+7 (38557) 9-64-09",
)


async def test_channel_checks_through_the_telegram_emulator(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'posts.sqlite3'}")
    SQLModel.metadata.create_all(engine, tables=[PostRow.__table__, *monitor_tables()])  # type: ignore[attr-defined]
    async with tg_world() as world:
        channel_id = str(world.channel.id)
        with Session(engine) as session:
            for i, kind in enumerate(["photo", "text", "video", "poll", "photo", "text"]):
                at = MONDAY + timedelta(days=i, hours=4)
                session.add(
                    PostRow(
                        platform="telegram",
                        page_id=channel_id,
                        post_id=str(i),
                        text="#Рубцовск",
                        kind=kind,
                        posted_at=at,
                    )
                )
            session.add(PostRow(platform="telegram", page_id="-999", post_id="x", posted_at=MONDAY))
            session.commit()
        page = PageRef("9", Platform.TELEGRAM, "rubtsovsk_adm", channel_id, ORG, "Канал", date(2024, 1, 1))
        source = TelegramPageSource(world.bot, SqlStoredPosts(engine))
        sink = RecordingAddressSink()
        deps = CheckDeps(
            MonitorConfig(timezone="UTC"),
            source,
            InMemoryRegistry([page]),
            InMemoryCheckResultStore(),
            StaticSiteFetcher(),
            sink,
        )
        results = {r.check: r for r in await run_checks(deps, MONDAY + timedelta(days=7))}
    engine.dispose()

    posting = results[CheckName.POSTING]
    assert posting.status is Status.OK and posting.data["count"] == 6
    assert posting.data["mix"] == {"photo": 2, "text": 2, "video": 1, "poll": 1, "hashtags": 6}
    description = results[CheckName.DESCRIPTION]
    assert description.status is Status.OK, description.problems  # no cover on Telegram, e-mail not required
    managers = results[CheckName.MANAGERS]
    assert (
        managers.status is Status.OK and managers.data["people"] == 1 and managers.data["bots_excluded"] == 1
    )
    assert results[CheckName.ADDRESS].status is Status.OK and sink.changes == []


async def test_renamed_channel_is_reported() -> None:
    async with tg_world() as world:
        world.channel.username = "rubtsovsk_official"
        page = PageRef("9", Platform.TELEGRAM, "rubtsovsk_adm", str(world.channel.id), ORG)
        sink = RecordingAddressSink()
        deps = CheckDeps(
            MonitorConfig(),
            TelegramPageSource(world.bot, SqlStoredPostsStub()),
            InMemoryRegistry([page]),
            InMemoryCheckResultStore(),
            StaticSiteFetcher(),
            sink,
        )
        [result] = await run_checks(deps, MONDAY, checks=[CheckName.ADDRESS])
    assert result.status is Status.WARNING and sink.changes[0][1:3] == ("rubtsovsk_adm", "rubtsovsk_official")


class SqlStoredPostsStub:
    async def posts(self, platform: Platform, page_id: str, since: datetime, until: datetime) -> list[Post]:
        return []
