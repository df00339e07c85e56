"""The chaos run, short: the daemon as its own process (`dozor run --config`) against the emulators, killed
with SIGKILL at random moments and restarted, platform and database faults injected, on SQLite and on
PostgreSQL. Nothing may be lost, doubled or wrongly touched; every comment is recorded.

The long run is `make chaos` (figures in BENCHMARKS.md). A failure names the seed: replay it with
`python -m benchmarks.chaos --seed N ...` (the options below).
"""

from __future__ import annotations

import os

import pytest

from benchmarks.chaos.database import postgres_base_url
from benchmarks.chaos.run import Options, chaos

pytestmark = pytest.mark.timeout(300)

SHORT = {
    "comments": 40,
    "kills": 3,
    "faults": 9,
    "duration": 25.0,
    "drain": 60.0,
    "quiet": 3.0,
    "flood_control": False,
}  # fmt: skip  (VK's error 9 is waited out for a minute: the long run has it)


def _require_postgres() -> None:
    import psycopg

    try:
        psycopg.connect(postgres_base_url(), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL not reachable at {postgres_base_url()}: {str(error).strip()}"
        if os.environ.get("DOZOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


async def _nothing_lost_or_doubled(options: Options) -> None:
    figures, found, crashes, workdir = await chaos(options)
    defects = {name: items for name, items in vars(found).items() if items}
    replay = f"seed {options.seed}, {options.database}; logs in {workdir}"
    assert not crashes, f"{replay}: {crashes}"
    assert not defects, f"{replay}: {defects}"
    assert figures["kills"] == options.kills and figures["comments"] >= options.comments
    assert figures["lost"] == figures["doubled"] == figures["clean_deleted"] == 0


async def test_chaos_on_sqlite() -> None:
    await _nothing_lost_or_doubled(Options(seed=11, database="sqlite", verbose=False, **SHORT))  # type: ignore[arg-type]


@pytest.mark.postgres
async def test_chaos_on_postgresql() -> None:
    _require_postgres()
    await _nothing_lost_or_doubled(Options(seed=12, database="postgresql", verbose=False, **SHORT))  # type: ignore[arg-type]
