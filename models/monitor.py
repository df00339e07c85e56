"""Stored compliance check results: one row per check of one page at one moment, never updated (history).

The digest asks for the last word on each page before the end of a week; `dozor check` shows history.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import JSON, Engine, Index, Table, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.tables import Post as PostRow
from models.values import CheckName, CheckResult, Post, PostKind, Problem, Status
from moderation.types import Platform


class MonitorCheckResult(SQLModel, table=True):
    """A check result; `problems` and `data` are JSON so a new check needs no schema change."""

    __tablename__ = "monitor_check_result"
    __table_args__ = (Index("ix_monitor_check_result_page_check_at", "page_key", "check_name", "checked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    page_key: str = Field(max_length=100)
    check_name: str = Field(max_length=40)
    status: str = Field(max_length=20)
    summary: str = Field(max_length=1000)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    checked_at: dt.datetime = Field(index=True)


def monitor_tables() -> list[Table]:
    """The monitor's tables, for `create_all(tables=...)` in tests without touching other areas' tables."""
    return [MonitorCheckResult.__table__]  # type: ignore[attr-defined]


def _utc(moment: dt.datetime) -> dt.datetime:
    """Stored in UTC so SQLite (which compares text) orders moments the same way as PostgreSQL."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def to_row(result: CheckResult) -> MonitorCheckResult:
    return MonitorCheckResult(
        page_key=result.page_key,
        check_name=result.check.value,
        status=result.status.value,
        summary=result.summary[:1000],
        problems=[asdict(p) for p in result.problems],
        data=json.loads(json.dumps(result.data, ensure_ascii=False, default=str)),  # dates etc. as text
        checked_at=_utc(result.checked_at),
    )


def from_row(row: MonitorCheckResult) -> CheckResult:
    return CheckResult(
        page_key=row.page_key,
        check=CheckName(row.check_name),
        status=Status(row.status),
        summary=row.summary,
        checked_at=_utc(row.checked_at),
        problems=tuple(Problem(**p) for p in row.problems),
        data=dict(row.data),
    )


class SqlCheckResultStore:
    """CheckResultStore over the project database; blocking work runs in a thread off the event loop."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def save(self, results: Sequence[CheckResult]) -> None:
        await asyncio.to_thread(self._save, list(results))

    async def latest(self, until: dt.datetime) -> Sequence[CheckResult]:
        return await asyncio.to_thread(self._latest, _utc(until))

    async def history(self, page_key: str, limit: int = 50) -> Sequence[CheckResult]:
        return await asyncio.to_thread(self._history, page_key, limit)

    def _save(self, results: list[CheckResult]) -> None:
        with Session(self._engine) as session:
            session.add_all([to_row(r) for r in results])
            session.commit()

    def _latest(self, until: dt.datetime) -> list[CheckResult]:
        newest = (
            select(
                MonitorCheckResult.page_key,
                MonitorCheckResult.check_name,
                func.max(MonitorCheckResult.checked_at).label("at"),
            )
            .where(MonitorCheckResult.checked_at < until)
            .group_by(col(MonitorCheckResult.page_key), col(MonitorCheckResult.check_name))
            .subquery()
        )
        query = (
            select(MonitorCheckResult)
            .join(
                newest,
                (col(MonitorCheckResult.page_key) == newest.c.page_key)
                & (col(MonitorCheckResult.check_name) == newest.c.check_name)
                & (col(MonitorCheckResult.checked_at) == newest.c.at),
            )
            .order_by(col(MonitorCheckResult.id))
        )
        with Session(self._engine) as session:
            rows = session.exec(query).all()
        unique = {
            (r.page_key, r.check_name): r for r in rows
        }  # ties at the same instant: the last written wins
        return [from_row(r) for r in unique.values()]

    def _history(self, page_key: str, limit: int) -> list[CheckResult]:
        query = (
            select(MonitorCheckResult)
            .where(MonitorCheckResult.page_key == page_key)
            .order_by(col(MonitorCheckResult.checked_at).desc(), col(MonitorCheckResult.id).desc())
            .limit(limit)
        )
        with Session(self._engine) as session:
            return [from_row(r) for r in session.exec(query).all()]


class SqlStoredPosts:
    """The posts the platform workers recorded (table `posts`), for platforms whose API cannot list them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def posts(
        self, platform: Platform, page_id: str, since: dt.datetime, until: dt.datetime
    ) -> list[Post]:
        return await asyncio.to_thread(self._posts, platform, page_id, _utc(since), _utc(until))

    def _posts(self, platform: Platform, page_id: str, since: dt.datetime, until: dt.datetime) -> list[Post]:
        query = (
            select(PostRow)
            .where(PostRow.platform == platform.value, PostRow.page_id == page_id)
            .where(PostRow.posted_at >= since, PostRow.posted_at < until)
            .order_by(col(PostRow.posted_at))
        )
        with Session(self._engine) as session:
            rows = session.exec(query).all()
        kinds = {k.value: k for k in PostKind}
        return [
            Post(
                id=r.post_id,
                published_at=_utc(r.posted_at),
                text=r.text,
                kinds=frozenset({kinds[r.kind]}) if r.kind in kinds and r.kind != "text" else frozenset(),
            )
            for r in rows
        ]
