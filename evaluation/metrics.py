"""Quality figures of a set of verdicts against labelled rows. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from moderation.types import ALL_GROUNDS, Action, Ground


@dataclass(frozen=True, slots=True)
class Labelled:
    """A row of an evaluation file: what a person decided."""

    id: str
    text: str
    post_text: str | None
    action: Action
    grounds: frozenset[Ground]
    labelled: frozenset[Ground] | None = None  # grounds the row's source speaks about; None: all of them

    @property
    def clean(self) -> bool:
        """A comment a person would keep: no ground, and (for partial labels) at least one ground known."""
        return self.action is Action.KEEP and not self.grounds and self.labelled != frozenset()


@dataclass(frozen=True, slots=True)
class Predicted:
    action: Action
    grounds: frozenset[Ground]


@dataclass
class GroundFigures:
    support: int = 0
    predicted: int = 0
    true_positive: int = 0

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Per-ground precision/recall/F1, what happens to clean comments, and an action confusion table."""

    total: int = 0
    clean: int = 0
    clean_deleted: int = 0
    clean_flagged: int = 0
    # Only decisions that name a ground the row's source labels: a "clean" row of a spam corpus says nothing
    # about insults, so an insult flag there is unverified rather than known wrong. Same as above for rows
    # labelled on every ground (the project's own sets).
    clean_deleted_labelled: int = 0
    clean_flagged_labelled: int = 0
    grounds: dict[Ground, GroundFigures] = field(
        default_factory=lambda: {g: GroundFigures() for g in ALL_GROUNDS}
    )
    confusion: dict[Action, dict[Action, int]] = field(
        default_factory=lambda: {a: {b: 0 for b in Action} for a in Action}
    )
    action_accuracy: float = 0.0

    @property
    def clean_deleted_share(self) -> float:
        return self.clean_deleted / self.clean if self.clean else 0.0

    @property
    def clean_flagged_share(self) -> float:
        return self.clean_flagged / self.clean if self.clean else 0.0

    @property
    def clean_deleted_labelled_share(self) -> float:
        return self.clean_deleted_labelled / self.clean if self.clean else 0.0

    @property
    def clean_flagged_labelled_share(self) -> float:
        return self.clean_flagged_labelled / self.clean if self.clean else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "clean": self.clean,
            "clean_deleted_share": round(self.clean_deleted_share, 4),
            "clean_flagged_share": round(self.clean_flagged_share, 4),
            "clean_deleted_labelled_share": round(self.clean_deleted_labelled_share, 4),
            "clean_flagged_labelled_share": round(self.clean_flagged_labelled_share, 4),
            "action_accuracy": round(self.action_accuracy, 4),
            "grounds": {
                g.value: {**asdict(f), "precision": round(f.precision, 4), "recall": round(f.recall, 4),
                          "f1": round(f.f1, 4)}
                for g, f in self.grounds.items()
            },
            "confusion": {a.value: {b.value: n for b, n in row.items()} for a, row in self.confusion.items()},
        }  # fmt: skip


def evaluate(rows: Sequence[Labelled], predictions: Iterable[Predicted]) -> Report:
    """Compare predictions with labels. A ground counts as predicted when the verdict names it (review or
    delete)."""
    report = Report()
    correct = 0
    for row, pred in zip(rows, predictions, strict=True):
        report.total += 1
        report.confusion[row.action][pred.action] += 1
        correct += row.action == pred.action
        if row.clean:
            report.clean += 1
            report.clean_deleted += pred.action is Action.DELETE
            report.clean_flagged += pred.action is not Action.KEEP
            on_labelled = row.labelled is None or not row.labelled.isdisjoint(pred.grounds)
            report.clean_deleted_labelled += pred.action is Action.DELETE and on_labelled
            report.clean_flagged_labelled += pred.action is not Action.KEEP and on_labelled
        for ground in row.labelled if row.labelled is not None else ALL_GROUNDS:
            figures = report.grounds[ground]
            expected, got = ground in row.grounds, ground in pred.grounds
            figures.support += expected
            figures.predicted += got
            figures.true_positive += expected and got
    report.action_accuracy = correct / report.total if report.total else 0.0
    return report
