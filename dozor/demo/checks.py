"""`dozor check --demo` and `dozor digest --demo`: the checks and the digest over the made-up city."""

from __future__ import annotations

from datetime import datetime

from emulators.city import demo_moderation, demo_world
from monitor.checks.deps import CheckDeps
from monitor.config import MonitorConfig
from monitor.digest.data import DigestSources


def demo_city(config: MonitorConfig, monday: datetime) -> tuple[CheckDeps, DigestSources]:
    """The made-up city's sources, filled for the week starting `monday`, for the checks and digest."""
    world = demo_world(monday)
    demo_moderation(world, monday)
    deps = CheckDeps(config, world.source, world.registry, world.store, world.fetcher, world.addresses)
    sources = DigestSources(config, world.registry, world.source, world.store, world.stats)
    return deps, sources
