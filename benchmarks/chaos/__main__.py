"""`python -m benchmarks.chaos`: one seeded run; the last line printed is a JSON object with its figures.

Exit code 0 when nothing was lost, doubled or wrongly touched, 1 otherwise (the seed and every defect are
printed so that the run can be replayed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from benchmarks.chaos.run import Options, chaos


def parse(argv: list[str] | None = None) -> tuple[Options, bool]:
    p = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--comments", type=int, default=120)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--faults", type=int, default=12, help="platform and database faults over the run")
    p.add_argument("--database", choices=("sqlite", "postgres", "postgresql"), default="sqlite")
    p.add_argument("--daemons", type=int, default=1, help="daemon processes on one database (PostgreSQL)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds the stream, kills and faults span")
    p.add_argument("--drain", type=float, default=90.0, help="at most this long afterwards for what is due")
    p.add_argument("--no-flood-control", action="store_true", help="VK rate limits without error 9")
    p.add_argument("--keep", action="store_true", help="keep the work directory (config, database, logs)")
    p.add_argument("--json", action="store_true", help="print only the JSON line")
    a = p.parse_args(argv)
    backend = "postgresql" if a.database.startswith("postgres") else "sqlite"
    options = Options(seed=a.seed, comments=a.comments, kills=a.kills, faults=a.faults, database=backend,
                      daemons=a.daemons, duration=a.duration, drain=a.drain, keep=a.keep,
                      verbose=not a.json, flood_control=not a.no_flood_control)  # fmt: skip
    return options, a.json


def main(argv: list[str] | None = None) -> int:
    options, only_json = parse(argv)
    figures, found, crashes, workdir = asyncio.run(chaos(options))
    if not only_json or not figures["passed"]:
        for name, items in vars(found).items():
            for item in items:
                print(f"{name}: {item}", file=sys.stderr)
        for crash in crashes:
            print(f"crash: {crash}", file=sys.stderr)
        if not figures["passed"]:
            print(f"FAILED with seed {options.seed}; config and daemons' logs in {workdir}", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
