"""Database fixtures: every storage test runs on SQLite, and on PostgreSQL when one is reachable.

Each database is migrated once per session (SQLite: a template file copied per test; PostgreSQL: a schema of
its own, emptied between tests and dropped at the end), so tests stay fast and never see each other's rows.
Set DOZOR_REQUIRE_POSTGRES=1 (CI) to turn "PostgreSQL not reachable" from a skip into a failure.
Test modules import the fixtures by name; once tests/conftest.py has `pytest_plugins = ["tests.db_fixtures"]`
those imports can go.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError

from models.db import make_engine
from models.migrate import upgrade
from models.store import Store
from moderation.daemon.ports import IncomingComment
from moderation.types import Action, Evidence, Ground, Platform, Span, Verdict

POSTGRES_URL_ENV = "DOZOR_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "DOZOR_REQUIRE_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_base_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {postgres_base_url()}: {reason}"
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_POSTGRES_ENV}=1)")
    pytest.skip(message)


SCHEMA_PREFIX = "dozor_test_"
STALE_AFTER_SECONDS = 3600
_STAMPED = re.compile(rf"^{SCHEMA_PREFIX}(\d+)_[0-9a-f]+$")


def _sweep_stale_schemas(conn: Connection) -> None:
    """Drop test schemas left by runs that were killed before their teardown (older than an hour)."""
    rows = conn.execute(
        text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": SCHEMA_PREFIX + "%"}
    )
    for (name,) in rows.all():
        stamped = _STAMPED.match(name)
        if stamped and time.time() - int(stamped.group(1)) > STALE_AFTER_SECONDS:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


def _fresh_schema() -> tuple[Engine, str, str]:
    """An admin engine, a new schema's name and a URL whose connections live in that schema."""
    base = postgres_base_url()
    separator = "&" if "?" in base else "?"
    admin = make_engine(f"{base}{separator}connect_timeout=3")  # an unreachable host must not stall the run
    schema = f"{SCHEMA_PREFIX}{int(time.time())}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as conn:
            _sweep_stale_schemas(conn)
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        admin.dispose()
        _unreachable(str(error.orig).strip().splitlines()[0] if error.orig else str(error))
    return admin, schema, f"{base}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(admin: Engine, schema: str) -> None:
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """An empty PostgreSQL schema of the test's own; dropped afterwards."""
    admin, schema, url = _fresh_schema()
    try:
        yield url
    finally:
        _drop_schema(admin, schema)


@pytest.fixture(scope="session")
def postgres_migrated_url() -> Iterator[str]:
    """One schema migrated to head for the whole session."""
    admin, schema, url = _fresh_schema()
    try:
        upgrade(url)
        yield url
    finally:
        _drop_schema(admin, schema)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "dozor.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables) of each kind, e.g. for tests of the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


def _empty_tables(url: str) -> None:
    """Delete every row (sequences restarted) but keep the schema and its revision."""
    eng = make_engine(url)
    try:
        names = [name for name in inspect(eng).get_table_names() if name != "alembic_version"]
        with eng.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database of the test's own."""
    path = tmp_path / "dozor.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest) -> str:
    """A database of each kind migrated to head, with no rows."""
    if request.param == "sqlite":
        sqlite: str = request.getfixturevalue("sqlite_url")
        return sqlite
    url: str = request.getfixturevalue("postgres_migrated_url")
    _empty_tables(url)
    return url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    """An engine on a migrated database of each kind."""
    eng = make_engine(migrated_url)
    yield eng
    eng.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    """The store over each kind of database."""
    return Store(engine)


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    """The store over SQLite only (pipeline tests: the database is not what they test)."""
    eng = make_engine(sqlite_url)
    yield Store(eng)
    eng.dispose()


# Builders shared by the storage and pipeline tests.

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def incoming(
    comment_id: str = "1",
    text: str = "Когда отремонтируют дорогу на Ленина?",
    author_id: str = "500",
    page_id: str = "12345",
    platform: Platform = Platform.VK,
    created_at: datetime = T0,
    **extra: Any,
) -> IncomingComment:
    """A comment on post 77 of a page, created at T0."""
    return IncomingComment(
        platform=platform,
        page_id=page_id,
        post_id="77",
        comment_id=comment_id,
        author_id=author_id,
        text=text,
        created_at=created_at,
        author_name="Иван Петров",
        **extra,
    )


def verdict(key: str, action: Action = Action.DELETE, ground: Ground = Ground.OBSCENITY) -> Verdict:
    """A verdict with one piece of evidence (spans included, to check they survive storage)."""
    if action is Action.KEEP:
        return Verdict(comment_id=key, action=action, grounds=())
    return Verdict(
        comment_id=key,
        action=action,
        grounds=(ground,),
        scores={ground: 0.97},
        evidence=(Evidence(rule=f"lexicon:{ground.value}", ground=ground, score=0.97, spans=(Span(0, 5),)),),
    )
