"""The one list of modules whose tables make up the migrated database schema.

Migrations (env.py), the schema test and anything needing the full metadata go through here, so adding a
module's tables to the schema is one line in `MODEL_MODULES` plus a migration revision. SQLModel keeps every
table in one global metadata, so what belongs to the schema is decided by this list, not by what happens to
be imported: a module imported elsewhere (a test, a command) never leaks into autogenerate or the comparison.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import MetaData, Table
from sqlmodel import SQLModel

MODEL_MODULES: tuple[str, ...] = (
    "models.tables",
    "models.registry",
    "models.monitor",
    "models.console",
    "models.retention",
    "models.intake",
    "models.outbox",
    "models.tables_workbench",
    "models.waves",
    "models.model_versions",
    "models.claims",
)


def load_metadata() -> MetaData:
    """Import every listed model module and return the metadata their tables registered in."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return SQLModel.metadata


def schema_tables() -> frozenset[str]:
    """Names of the tables the listed modules define (SQLModel table classes and plain Core tables)."""
    names: set[str] = set()
    for module_name in MODEL_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, Table):
                names.add(value.name)
            table = getattr(value, "__table__", None)
            is_model = isinstance(value, type) and issubclass(value, SQLModel)
            if is_model and isinstance(table, Table) and value.__module__ == module_name:
                names.add(table.name)
    return frozenset(names)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic hook: autogenerate and compare consider only the listed modules' tables."""
    if type_ == "table":
        return name in schema_tables()
    return True
