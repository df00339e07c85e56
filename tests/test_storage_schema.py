"""The migrations are the schema: after `upgrade`, autogenerate finds nothing to add (SQLite, PostgreSQL)."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from models.db import make_engine
from models.migrate import current_revision, upgrade
from models.schema import MODEL_MODULES, include_object, load_metadata, schema_tables
from tests.db_fixtures import (  # noqa: F401  (fixtures)
    db_url,
    engine,
    migrated_url,
    postgres_migrated_url,
    postgres_schema_url,
    sqlite_template,
    sqlite_url,
)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(db_url: str) -> None:
    upgrade(db_url)  # what the daemon does at start-up
    upgrade(db_url)  # and again on the next start: a no-op
    engine = make_engine(db_url)
    try:
        assert schema_tables() <= set(inspect(engine).get_table_names())
        assert current_revision(engine) is not None
        with engine.connect() as conn:
            opts = {"compare_type": True, "include_object": include_object}
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, load_metadata())
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; write a revision: {diff}"


def test_migrated_fixture_is_at_head(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from models.migrate import alembic_config

    assert current_revision(engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_schema_has_the_pipeline_tables() -> None:
    expected = {"comments", "verdicts", "actions", "restrictions", "review_cards", "decisions", "moderators"}
    assert expected | {"cursors", "audit_log", "posts"} <= schema_tables()


def _defines_tables(path: Path) -> bool:
    """True when a module declares a SQLModel class with table=True."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for keyword in node.keywords:
                if keyword.arg == "table" and isinstance(keyword.value, ast.Constant) and keyword.value.value:
                    return True
    return False


def test_every_table_module_is_listed_for_migrations() -> None:
    """A table outside MODEL_MODULES would be missing from the migrations and from the comparison above."""
    defining = {f"models.{path.stem}" for path in MODELS_DIR.glob("*.py") if _defines_tables(path)}
    missing = defining - set(MODEL_MODULES)
    assert not missing, f"add {sorted(missing)} to models.schema.MODEL_MODULES and write a migration revision"
