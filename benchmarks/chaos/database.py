"""The database of a chaos run: a SQLite file of its own, or a fresh PostgreSQL database created for the run
(behind a relay the run can cut) and dropped at its end."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.chaos.relay import Outage

POSTGRES_URL_ENV = "DOZOR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class RunDatabase:
    backend: str  # sqlite or postgresql
    url: str  # the database itself (the run's checks read it here)
    daemon_url: str  # what the daemons are configured with (through the relay on PostgreSQL)
    sqlite_path: str | None = None
    relay: Outage | None = None
    admin_url: str | None = None
    name: str | None = None

    def drop(self) -> None:
        if self.relay is not None:
            self.relay.close()
        if self.admin_url is None or self.name is None:
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def postgres_base_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)


def create(backend: str, workdir: Path) -> RunDatabase:
    """A new empty database for one run."""
    if backend == "sqlite":
        path = workdir / "chaos.sqlite3"
        url = f"sqlite:///{path}"
        return RunDatabase("sqlite", url, url, sqlite_path=str(path))
    import psycopg

    admin = postgres_base_url()
    name = f"dozor_chaos_{int(time.time())}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    relay = Outage(url)
    return RunDatabase("postgresql", url, relay.url, relay=relay, admin_url=admin, name=name)


def migrate(url: str) -> None:
    """The schema in place before several daemons start at once (one would do it at its own start)."""
    from models.db import make_engine
    from models.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine=engine)
    finally:
        engine.dispose()
