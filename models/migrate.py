"""Bring a database to the current schema the way the daemon does at start-up: Alembic, never create_all.

Going through the revisions on every start means a database created by an older release is upgraded in place,
and a fresh one gets exactly the schema the revisions describe.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from models.db import make_engine

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config() -> Config:
    """The packaged Alembic configuration (script location resolved relative to this package)."""
    return Config(str(ALEMBIC_INI))


def upgrade(url: str | None = None, *, engine: Engine | None = None, revision: str = "head") -> None:
    """Upgrade the database at `url` (or behind `engine`) to `revision`, in one transaction."""
    if engine is None:
        if url is None:
            raise ValueError("upgrade needs a database url or an engine")
        engine = make_engine(url)
        try:
            _upgrade(engine, revision)
        finally:
            engine.dispose()
    else:
        _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        # daemons starting together: one migrates, the rest wait for it and find the schema current
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('dozor-migrate:' || current_schema()))")
            )
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the writer's lock before the version is read
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
