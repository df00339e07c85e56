"""Check results are kept with history in the project database (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

from models.db import make_engine
from models.monitor import SqlCheckResultStore, monitor_tables
from models.values import CheckName, CheckResult, Problem, Status
from tests.db_fixtures import db_url, postgres_schema_url  # noqa: F401

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def monitor_engine(db_url: str) -> Iterator[Engine]:  # noqa: F811
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine, tables=monitor_tables())
    yield engine
    engine.dispose()


def result(page: str, check: CheckName, status: Status, hours: int) -> CheckResult:
    problems = (Problem("phone", "differs", "Исправить телефон", expected="+73855796401", found="+7385579"),)
    return CheckResult(
        page,
        check,
        status,
        f"{status.value} в {hours} ч",
        T0 + timedelta(hours=hours),
        problems if status is not Status.OK else (),
        {"mix": {"photo": 2}, "week": "2026-W48"},
    )


async def test_history_and_latest_before_a_moment(monitor_engine: Engine) -> None:
    store = SqlCheckResultStore(monitor_engine)
    await store.save(
        [result("1", CheckName.DESCRIPTION, Status.FAIL, 0), result("2", CheckName.MANAGERS, Status.OK, 0)]
    )
    await store.save([result("1", CheckName.DESCRIPTION, Status.OK, 6)])
    await store.save([result("1", CheckName.DESCRIPTION, Status.FAIL, 30)])

    history = await store.history("1")
    assert [r.summary for r in history] == ["fail в 30 ч", "ok в 6 ч", "fail в 0 ч"]
    assert history[0].problems[0].expected == "+73855796401" and history[0].data["mix"] == {"photo": 2}
    assert history[0].checked_at == T0 + timedelta(hours=30)

    latest = {(r.page_key, r.check): r for r in await store.latest(T0 + timedelta(hours=24))}
    assert latest[("1", CheckName.DESCRIPTION)].status is Status.OK
    assert latest[("2", CheckName.MANAGERS)].status is Status.OK
    assert await store.latest(T0) == []
