"""A daemon restarted while PostgreSQL refuses connections for a moment waits for it instead of exiting (the
chaos run, seed 14 on PostgreSQL: a restart during a 3-15 s outage ended with exit code 2 and the pages went
unwatched until someone started it again); a database still away after the wait is the administrator's
line."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text

from benchmarks.chaos.relay import Outage
from dozor.app import migrated
from models.db import DatabaseUnavailable, make_engine
from tests.db_fixtures import postgres_base_url


def _relay() -> Outage:
    import psycopg

    try:
        psycopg.connect(postgres_base_url(), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable: {error}")
    return Outage(postgres_base_url())


@pytest.mark.postgres
async def test_a_database_back_within_the_wait_is_migrated_and_used() -> None:
    relay = _relay()
    relay.cut()
    threading.Timer(1.5, relay.restore).start()
    engine = make_engine(relay.url)
    try:
        await migrated(engine, wait=20)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
        relay.close()


@pytest.mark.postgres
async def test_a_database_still_away_after_the_wait_stops_start_up() -> None:
    relay = _relay()
    relay.cut()
    engine = make_engine(relay.url)
    try:
        with pytest.raises(DatabaseUnavailable):
            await asyncio.wait_for(migrated(engine, wait=1), 30)
    finally:
        engine.dispose()
        relay.close()


async def test_start_up_steps_wait_for_the_database_instead_of_ending_the_daemon() -> None:
    """The chaos run, seed 14 on PostgreSQL, again: migrated, then the database went away before the daemon
    recovered its comments and wrote its start in the audit log, and the daemon exited with code 2."""
    from dozor.app import with_database

    attempts: list[int] = []

    async def step() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise DatabaseUnavailable("postgresql://x@127.0.0.1:1/x", ConnectionRefusedError("refused"))
        return "done"

    assert await with_database(asyncio.Event(), step) == "done" and len(attempts) == 3

    async def wrong() -> None:
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        await with_database(asyncio.Event(), wrong)
    stop = asyncio.Event()
    stop.set()

    async def away() -> None:
        raise DatabaseUnavailable("postgresql://x@127.0.0.1:1/x", ConnectionRefusedError("refused"))

    assert await with_database(stop, away) is None
