"""Where a VK worker stopped: the long-poll `ts` up to which every event is handled, and when the page was
last known to be read in full (catch-up goes back to that moment when VK no longer has the events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Position:
    """`ts`: VK's long-poll position, None before the first check; `synced_at`: every comment made before this
    moment has been handed over (None: never read in full)."""

    ts: str | None
    synced_at: datetime | None


class PositionStore(Protocol):
    """Keeps each community's Position across restarts (the daemon passes a database-backed one)."""

    async def load(self, group_id: int) -> Position | None: ...

    async def save(self, group_id: int, position: Position) -> None: ...


class MemoryPositions:
    """A PositionStore in a dict: for tests; the daemon passes a database-backed one."""

    def __init__(self, initial: dict[int, Position] | None = None) -> None:
        self.values: dict[int, Position] = dict(initial or {})

    async def load(self, group_id: int) -> Position | None:
        return self.values.get(group_id)

    async def save(self, group_id: int, position: Position) -> None:
        self.values[group_id] = position
