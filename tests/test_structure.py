"""Guards of the layout: the moderation core imports no transport, no database and no scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("aiogram", "vk_api", "apscheduler", "sqlmodel", "sqlalchemy", "alembic", "aiohttp", "requests",
             "bots", "models", "monitor", "dozor")  # fmt: skip
CORE = ("moderation", "rules")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_transport_or_storage() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(FORBIDDEN))
        for package in CORE
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_pickle_loading_in_the_product() -> None:
    for package in ("moderation", "bots", "models", "monitor", "dozor", "rules"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "pickle.load" not in text and "joblib.load" not in text, path
