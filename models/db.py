"""Database engine: a SQLite file by default, PostgreSQL by a DSN from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, event, exc
from sqlmodel import create_engine

DEFAULT_SQLITE_PATH = Path("var") / "dozor.sqlite3"
DSN_ENV = "DOZOR_DATABASE_URL"


def database_url(configured: str | None = None) -> str:
    """The DSN from the environment wins over config; the SQLite file under var/ is the fallback."""
    url = os.environ.get(DSN_ENV) or configured
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: str) -> Engine:
    """An engine with the pragmas a daemon with several workers needs on SQLite."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


#: Errors that mean the database cannot be reached or is locked at the moment: waiting and retrying helps.
UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError, OSError)


def database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database is unreachable or locked now, not that a statement is wrong."""
    return isinstance(error, UNAVAILABLE)
