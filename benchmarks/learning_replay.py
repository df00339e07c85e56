"""The learning loop on real VK comments: replay `ru_sexism_vk` (VK media pages' comments, in the order of
their comment ids) as if moderators had decided each one, retrain with the first 100, 500 and 2,000 decisions,
and compare each candidate with the shipped model (v0) on the project's check set and on the latest 1,500
comments of the same stream (never trained on). Figures go to BENCHMARKS.md.

    DOZOR_DATASETS=../shared/datasets python -m benchmarks.learning_replay [--steps 100 500 2000]
    python -m benchmarks.learning_replay --seed-db sqlite:///var/replay.sqlite3 --decisions 500
        (records 500 decided cards in a database, to time `dozor train --from-decisions` on it)

A sexist or racist comment is a decision to delete for provocation (incitement against a group by sex or
race); a non-sexist one a decision to keep. That second label says nothing about other grounds, so a kept
comment that the machine flags for мат is not necessarily wrong: the figures are a demonstration of the loop,
not a quality target.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from dozor.build import build_moderator, build_scorer
from dozor.learning.judge import score
from dozor.learning.retrain import RoundInputs, RoundPlan, run_round
from evaluation.datasets import CHECK_SET, datasets_root, load_training
from evaluation.labelled import read_labelled
from evaluation.metrics import Labelled
from models.db import make_engine
from models.migrate import upgrade
from moderation.classifier.arrays import load
from moderation.config import ModerationConfig
from moderation.types import Action, Comment, Ground

FILES = ("media_1.csv", "media_2.csv", "media_3.csv")
DELETE_LABELS = {"sexist", "sexist_in_co", "racist"}
EVAL_ROWS = 1500


def stream(root: Path) -> list[dict[str, Any]]:
    """VK comments in the order of their ids, as decision rows {"text", "grounds", "action"}."""
    found = []
    for name in FILES:
        with (root / "ru_sexism_vk" / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text, label = (row.get("Text") or "").strip(), (row.get("Label") or "").strip()
                if not text or not label or not (row.get("Comment_id") or "").isdigit():
                    continue
                deleting = label in DELETE_LABELS
                found.append((int(row["Comment_id"]), {
                    "text": text,
                    "grounds": [Ground.PROVOCATION.value] if deleting else [],
                    "action": (Action.DELETE if deleting else Action.KEEP).value,
                }))  # fmt: skip
    return [row for _, row in sorted(found, key=lambda item: item[0])]


def as_eval(rows: list[dict[str, Any]]) -> list[Labelled]:
    return [
        Labelled(f"e{n}", r["text"], None, Action(r["action"]), frozenset(Ground(g) for g in r["grounds"]))
        for n, r in enumerate(rows)
    ]


def found(moderator: Any, scorer: Any, rows: list[Labelled]) -> str:
    """Share of the comments labelled for deletion that the machine flags on any ground (review or delete),
    and of those labelled to keep that it flags or deletes: what a moderator sees."""
    saved, moderator.scorer = moderator.scorer, scorer
    try:
        verdicts = moderator.verdicts([Comment(r.id, r.text, None) for r in rows])
    finally:
        moderator.scorer = saved
    pairs = list(zip(rows, verdicts, strict=True))
    bad = [v.action is not Action.KEEP for r, v in pairs if r.action is Action.DELETE]
    kept = [v.action for r, v in pairs if r.action is Action.KEEP]
    flagged = sum(a is not Action.KEEP for a in kept) / len(kept)
    deleted = sum(a is Action.DELETE for a in kept) / len(kept)
    return (
        f"to delete found {sum(bad) / len(bad):.1%} of {len(bad)}; to keep flagged {flagged:.1%}, "
        f"deleted {deleted:.1%} of {len(kept)}"
    )


def replay(steps: list[int]) -> None:
    from moderation.text import analysis

    cached = lru_cache(maxsize=None)(analysis.analyze)
    analysis.analyze = cached  # the same base texts are analysed every round
    rows = stream(datasets_root())
    latest = as_eval(rows[-EVAL_ROWS:])
    with CHECK_SET.open(encoding="utf-8") as fh:
        check = read_labelled(fh, str(CHECK_SET))
    base = load_training()
    judge = build_moderator(ModerationConfig(), with_model=False)
    shipped = build_scorer(ModerationConfig())
    print(f"stream {len(rows)} VK comments; latest {len(latest)} held out; base rows {len(base)}")
    print(f"v0 check: {score(judge, shipped, check).describe()}")
    print(f"v0 latest: {score(judge, shipped, latest).describe()}")
    print(f"v0 latest: {found(judge, shipped, latest)}")
    for n in steps:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/replay.sqlite3")
            upgrade(engine=engine)
            plan = RoundPlan(holdout=max(10, n // 10), min_decisions=10)
            started = time.perf_counter()
            inputs = RoundInputs(base, rows[:n], check)
            result = run_round(engine, inputs, judge, shipped, Path(folder), datetime.now(UTC), plan)
            seconds = time.perf_counter() - started
            engine.dispose()
            with (Path(folder) / f"{result.version}.npz").open("rb") as fh:
                candidate = load(fh)
            on_latest = score(judge, candidate, latest)
        print(f"after {n} decisions ({seconds:.0f} s): {'promoted' if result.promoted else 'rejected'}")
        print(f"  check: {result.scores['check']['candidate'].describe()}")
        print(f"  latest: {on_latest.describe()}")
        print(f"  latest: {found(judge, candidate, latest)}")
        for reason in result.reasons:
            print(f"  reason: {reason}")


async def seed(url: str, count: int) -> None:
    """Record `count` decided cards (the stream's first comments) in the database at `url`."""
    from models.store import Store
    from moderation.daemon.ports import DecisionRequest, IncomingComment, ModeratorChoice
    from moderation.daemon.records import DecidedBy, DecisionPlan, Plan
    from moderation.types import Platform, Verdict

    upgrade(url)
    store = Store(make_engine(url))
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    rows = stream(datasets_root())[:count]
    for n, row in enumerate(rows, start=1):
        c = IncomingComment(Platform.VK, "1", "1", str(n), str(n), row["text"], t0)
        await store.record_comment(c, t0)
        machine = Verdict(c.key, Action.REVIEW, (Ground.PROVOCATION,), {Ground.PROVOCATION: 0.7})
        await store.commit_verdict(c.key, 1, machine, DecidedBy.MODEL, None, Plan(card=True), t0)
    items = await store.claim_due(t0, count + 10, timedelta(minutes=5))
    for item in items:
        await store.complete(item.id, t0, message_ref=f"-100:{item.id}", attempt=item.attempts)
    cards = sorted(i.card.card_id for i in items if i.card is not None)
    for n, (card_id, row) in enumerate(zip(cards, rows, strict=True)):
        choice = ModeratorChoice.DELETE if row["action"] == "delete" else ModeratorChoice.KEEP
        at = t0 + timedelta(minutes=n)
        await store.record_decision(DecisionRequest(card_id, choice, "77", at), DecisionPlan(choice), at)
    print(f"recorded {len(cards)} decisions in {url}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--seed-db")
    parser.add_argument("--decisions", type=int, default=500)
    args = parser.parse_args()
    if args.seed_db:
        asyncio.run(seed(args.seed_db, args.decisions))
    else:
        replay(args.steps)


if __name__ == "__main__":
    main()
