"""A database that goes away: the chaos run's TCP relay in front of PostgreSQL, which a test cuts and restores
(`benchmarks/chaos/relay.py`). Not a test module.
"""

from __future__ import annotations

from benchmarks.chaos.relay import Outage

__all__ = ["Outage"]
