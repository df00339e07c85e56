"""Case-insensitive search on SQLite works for Cyrillic, as it does on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from models.db import make_engine


def test_lower_folds_cyrillic_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        folded = conn.execute(text("SELECT lower('ПОЗОР Администрации, ЁЖ')")).scalar()
        assert folded == "позор администрации, ёж"
        assert conn.execute(text("SELECT lower(NULL)")).scalar() is None
        found = conn.execute(text("SELECT lower('Позор') LIKE lower('%ПОЗ%')")).scalar()
    engine.dispose()
    assert found == 1
