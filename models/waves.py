"""Remembered spam waves: one row per MinHash signature of a decided comment, reloaded when the daemon starts.

The signature is 512 bytes (128 32-bit values); the comment's text is not kept here, so the retention purge
of texts does not touch it. The rows mirror the in-memory index: what it forgets (too old, beyond capacity,
a decision taken back) is deleted here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import JSON, Index, LargeBinary, delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.store import Store
from models.tables import ID, KEY, SHORT
from moderation.types import Ground, Platform
from moderation.waves.index import Wave, WaveKind
from moderation.waves.signature import from_bytes, to_bytes

CHUNK = 500  # ids per DELETE ... IN: well within every database's limit on bound parameters


class SpamWaveRow(SQLModel, table=True):
    """A decision remembered as a signature: DELETE, KEEP (moderators) or AUTO (the rule lists)."""

    __tablename__ = "spam_waves"
    __table_args__ = (
        Index("ix_spam_waves_last_hit", "last_hit_at"),
        Index("ix_spam_waves_source", "source_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=SHORT)
    grounds: list[str] = Field(default_factory=list, sa_type=JSON)
    platform: str = Field(max_length=SHORT)
    page_id: str = Field(max_length=ID)
    source_key: str = Field(max_length=KEY)
    decided_at: datetime
    last_hit_at: datetime
    hits: int = 0
    signature: bytes = Field(sa_type=LargeBinary)


def _wave(row: SpamWaveRow) -> Wave:
    assert row.id is not None
    return Wave(
        id=row.id,
        kind=WaveKind(row.kind),
        grounds=tuple(Ground(g) for g in row.grounds),
        platform=Platform(row.platform),
        page_id=row.page_id,
        source_key=row.source_key,
        decided_at=row.decided_at,
        last_hit_at=row.last_hit_at,
        signature=from_bytes(row.signature),
        hits=row.hits,
    )


def load(session: Session, since: datetime, limit: int) -> list[Wave]:
    """The `limit` most recently matched signatures decided at or after `since`, the least recent first;
    every other row is deleted (expired or beyond capacity)."""
    session.connection().execute(delete(SpamWaveRow).where(col(SpamWaveRow.decided_at) < since))
    newest = (col(SpamWaveRow.last_hit_at).desc(), col(SpamWaveRow.id).desc())
    rows = list(session.exec(select(SpamWaveRow).order_by(*newest).limit(limit)).all())
    beyond = [i for i in session.exec(select(SpamWaveRow.id).order_by(*newest).offset(limit)).all() if i]
    for start in range(0, len(beyond), CHUNK):
        drop(session, beyond[start : start + CHUNK])
    waves: list[Wave] = []
    for row in reversed(rows):
        try:
            waves.append(_wave(row))
        except ValueError:  # a signature of another length or an unknown kind: unusable, not fatal
            drop(session, [row.id] if row.id is not None else [])
    return waves


def add(session: Session, wave: Wave) -> int:
    """Store a new signature (the wave's id is ignored); its id."""
    row = SpamWaveRow(
        kind=wave.kind.value,
        grounds=[g.value for g in wave.grounds],
        platform=wave.platform.value,
        page_id=wave.page_id,
        source_key=wave.source_key,
        decided_at=wave.decided_at,
        last_hit_at=wave.last_hit_at,
        hits=wave.hits,
        signature=to_bytes(wave.signature),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def touch(session: Session, wave_id: int, at: datetime, hits: int) -> None:
    session.connection().execute(
        update(SpamWaveRow).where(col(SpamWaveRow.id) == wave_id).values(last_hit_at=at, hits=hits)
    )


def drop(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.connection().execute(delete(SpamWaveRow).where(col(SpamWaveRow.id).in_(list(ids))))


def of_source(session: Session, source_key: str, kinds: Sequence[WaveKind]) -> list[int]:
    """The ids of a comment's signatures of these kinds."""
    stmt = select(SpamWaveRow.id).where(
        SpamWaveRow.source_key == source_key, col(SpamWaveRow.kind).in_([k.value for k in kinds])
    )
    return [i for i in session.exec(stmt).all() if i is not None]


class WaveRows:
    """The daemon's wave memory over the pipeline's Store (its transactions, its lock on SQLite)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def load_waves(self, since: datetime, limit: int) -> list[Wave]:
        return await self.store.run(load, since, limit)

    async def add_wave(self, wave: Wave) -> int:
        return await self.store.run(add, wave)

    async def touch_wave(self, wave_id: int, at: datetime, hits: int) -> None:
        await self.store.run(touch, wave_id, at, hits)

    async def drop_waves(self, ids: Sequence[int]) -> None:
        await self.store.run(drop, ids)

    async def waves_of(self, source_key: str, kinds: Sequence[WaveKind]) -> list[int]:
        return await self.store.run(of_source, source_key, kinds)
