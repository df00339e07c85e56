"""Judging a candidate model against the one in use, on the same rows, through the whole moderation core.

Both models are scored inside the same rules, detectors and policy (`Moderator`), so what is compared is what
the daemon would do. A candidate is worse on a set of rows when any of these holds:

- it deletes more clean comments (any increase: a clean comment deleted is the costliest mistake);
- it sends more clean comments to moderators, by more than the tolerance (share of clean rows);
- its macro recall (mean recall over the grounds present in the set) falls by more than the tolerance;
- its action accuracy (keep / review / delete as labelled) falls by more than the tolerance.

It is promoted only when it is worse on neither the check set nor the deployment's held-out decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from evaluation.metrics import Labelled, Predicted, evaluate
from moderation.types import Comment
from moderation.verdict.engine import Moderator, Scorer


@dataclass(frozen=True)
class Scores:
    """A model's figures on one set of rows."""

    rows: int
    clean: int
    clean_deleted: int
    clean_flagged_share: float
    macro_recall: float
    action_accuracy: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line in Russian."""
        return (
            f"удалено чистых {self.clean_deleted} из {self.clean}, "
            f"к модераторам чистых {self.clean_flagged_share:.1%}, "
            f"средняя полнота {self.macro_recall:.1%}, точность действия {self.action_accuracy:.1%} "
            f"(строк {self.rows})"
        )


def score(moderator: Moderator, scorer: Scorer | None, rows: Sequence[Labelled], batch: int = 256) -> Scores:
    """The moderation core's figures on `rows` with `scorer` as its classifier (restored afterwards)."""
    saved = moderator.scorer
    moderator.scorer = scorer
    try:
        predicted: list[Predicted] = []
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            verdicts = moderator.verdicts([Comment(r.id, r.text, r.post_text) for r in chunk])
            predicted.extend(Predicted(v.action, frozenset(v.grounds)) for v in verdicts)
    finally:
        moderator.scorer = saved
    report = evaluate(rows, predicted)
    present = [f for f in report.grounds.values() if f.support]
    macro = sum(f.recall for f in present) / len(present) if present else 1.0
    return Scores(
        rows=report.total,
        clean=report.clean,
        clean_deleted=report.clean_deleted,
        clean_flagged_share=report.clean_flagged_share,
        macro_recall=macro,
        action_accuracy=report.action_accuracy,
    )


def worse(candidate: Scores, current: Scores, tolerance: float) -> list[str]:
    """Why the candidate is worse than the model in use on this set (Russian), or [] when it is not."""
    reasons = []
    if candidate.clean_deleted > current.clean_deleted:
        reasons.append(f"удаляет больше чистых: {candidate.clean_deleted} против {current.clean_deleted}")
    if candidate.clean_flagged_share > current.clean_flagged_share + tolerance:
        reasons.append(
            f"чаще отправляет чистые модераторам: {candidate.clean_flagged_share:.1%} "
            f"против {current.clean_flagged_share:.1%}"
        )
    if candidate.macro_recall < current.macro_recall - tolerance:
        reasons.append(f"полнота ниже: {candidate.macro_recall:.1%} против {current.macro_recall:.1%}")
    if candidate.action_accuracy < current.action_accuracy - tolerance:
        reasons.append(
            f"точность действия ниже: {candidate.action_accuracy:.1%} против {current.action_accuracy:.1%}"
        )
    return reasons
