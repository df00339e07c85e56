"""One round of learning: a candidate trained on the usual rows plus the moderators' decisions, judged
against the model in use, kept as a version file and recorded whether or not it is promoted.

Pure of configuration and process concerns: the caller (`dozor train --from-decisions`, the scheduled job)
gathers the rows, the model in use and a moderation core to judge with (one without a classifier of its own,
never the daemon's live one). `dozor.learning.live` does that from the settings.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dozor.learning.judge import Scores, score, worse
from dozor.learning.rows import as_examples, as_labelled, split_recent
from evaluation.datasets import Example, data_hash, evaluation_keys, split_key
from evaluation.metrics import Labelled
from models import model_versions
from moderation.classifier.train import LEARNABLE_DEFAULT, TrainSettings
from moderation.types import Ground
from moderation.verdict.engine import Moderator, Scorer


@dataclass(frozen=True)
class RoundPlan:
    """What shapes a round besides its data."""

    holdout: int = 200
    min_decisions: int = 50
    tolerance: float = 0.01
    settings: TrainSettings = field(default_factory=TrainSettings)
    grounds: tuple[Ground, ...] = LEARNABLE_DEFAULT


@dataclass
class RoundResult:
    """What a round did, for the command's output, the log and the tests."""

    version: str | None
    promoted: bool
    message: str
    scores: dict[str, dict[str, Scores]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0
    training_rows: int = 0
    decision_rows: int = 0
    held_out: int = 0


@dataclass(frozen=True)
class RoundInputs:
    """The data of a round: the usual training rows, the masked decisions (oldest first) and the check set."""

    base: Sequence[Example]
    decisions: Sequence[dict[str, Any]]
    check: Sequence[Labelled]


def run_round(
    engine: Engine,
    inputs: RoundInputs,
    judge_with: Moderator,
    in_use: Scorer | None,
    versions_dir: Path,
    now: datetime,
    plan: RoundPlan | None = None,
    progress: Callable[[str], None] | None = None,
) -> RoundResult:
    """Train, judge, keep the file and record the version (promoted or rejected)."""
    from moderation.classifier.arrays import dumps
    from moderation.classifier.train import train
    from moderation.text.analysis import analyze

    plan = plan or RoundPlan()
    say = progress or (lambda _: None)
    started = time.perf_counter()
    train_part, held = split_recent(inputs.decisions, plan.holdout)
    if len(train_part) < plan.min_decisions:
        message = (
            f"Кандидат не обучен: решений для обучения {len(train_part)}, нужно не меньше "
            f"{plan.min_decisions} (ещё {len(held)} отложены для проверки)."
        )
        return RoundResult(None, False, message, held_out=len(held))
    rows = [*inputs.base, *_honest(as_examples(train_part), inputs.check, held)]
    say(f"разбор {len(rows)} обучающих текстов")
    docs = [analyze(r.text) for r in rows]
    say("обучение по основаниям")
    classifier, _status = train(docs, rows, plan.settings, plan.grounds)
    digest = data_hash(rows)
    version = model_versions.next_version(engine)
    meta = {"trained_at": now.replace(microsecond=0).isoformat(), "training_data_sha256": digest,
            "decision_rows": len(train_part), "version": version}  # fmt: skip
    classifier = classifier.with_meta(meta)
    classifier.version = version
    say("оценка кандидата и текущей модели")
    held_rows = as_labelled(held)
    scores = {
        "check": {"candidate": score(judge_with, classifier, inputs.check),
                  "current": score(judge_with, in_use, inputs.check)},
        "decisions": {"candidate": score(judge_with, classifier, held_rows),
                      "current": score(judge_with, in_use, held_rows)},
    }  # fmt: skip
    reasons = [
        f"{SET_NAMES[name]}: {reason}"
        for name, pair in scores.items()
        for reason in worse(pair["candidate"], pair["current"], plan.tolerance)
    ]
    promoted = not reasons
    path = _save(dumps(classifier), versions_dir, version)
    reason = "не хуже текущей на обоих наборах" if promoted else "; ".join(reasons)
    model_versions.record_version(
        engine,
        model_versions.ModelVersion(
            version=version,
            created_at=now,
            data_hash=digest,
            rows=len(rows),
            decision_rows=len(train_part),
            scores={k: {side: s.as_json() for side, s in v.items()} for k, v in scores.items()},
            state=model_versions.PROMOTED if promoted else model_versions.REJECTED,
            reason=reason,
            path=str(path),
            promoted_at=now if promoted else None,
        ),
        now,
    )
    verdict = "принята и используется" if promoted else "отклонена, остаётся текущая"
    return RoundResult(version, promoted, f"Версия {version} {verdict}: {reason}.", scores, reasons,
                       time.perf_counter() - started, len(rows), len(train_part), len(held))  # fmt: skip


SET_NAMES = {"check": "проверочный набор", "decisions": "последние решения"}


def _honest(rows: list[Example], check: Sequence[Labelled], held: Sequence[dict[str, Any]]) -> list[Example]:
    """Decision rows minus any text of the check or development sets, or of the held-out decisions."""
    keys = evaluation_keys() | {split_key(r.text) for r in check} | {split_key(r["text"]) for r in held}
    return [r for r in rows if r.key not in keys]


def _save(blob: bytes, folder: Path, version: str) -> Path:
    """Write the version's file atomically; its absolute path is what is recorded."""
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / f"{version}.npz").resolve()
    tmp = path.with_suffix(".npz.tmp")
    tmp.write_bytes(blob)
    os.replace(tmp, path)
    return path


def describe(result: RoundResult) -> list[str]:
    """The round in Russian: both models' figures on both sets, then the verdict."""
    lines = []
    for name, pair in result.scores.items():
        lines.append(f"{SET_NAMES[name]}:")
        lines.append(f"  текущая:  {pair['current'].describe()}")
        lines.append(f"  кандидат: {pair['candidate'].describe()}")
    lines.append(result.message)
    if result.seconds:
        lines.append(
            f"Обучено на {result.training_rows} строках (из них решений {result.decision_rows}, "
            f"отложено для проверки {result.held_out}) за {result.seconds / 60:.1f} мин."
        )
    return lines
