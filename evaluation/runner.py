"""Running the product and its comparison systems over labelled rows."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import Progress

from evaluation.metrics import Labelled, Predicted, Report, evaluate
from moderation.types import Comment
from moderation.verdict.engine import Moderator

PRODUCT = "dozor"


def predict(rows: Sequence[Labelled], moderator: Moderator, batch: int = 512) -> list[Predicted]:
    """Verdicts for every row, in batches, with a progress bar on the terminal (nothing when piped)."""
    out: list[Predicted] = []
    console = Console(stderr=True)
    with Progress(*Progress.get_default_columns(), console=console, transient=True,
                  disable=not console.is_terminal) as progress:  # fmt: skip
        task = progress.add_task("deciding", total=len(rows))
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            verdicts = moderator.verdicts([Comment(r.id, r.text, r.post_text) for r in chunk])
            out.extend(Predicted(v.action, frozenset(v.grounds)) for v in verdicts)
            progress.advance(task, len(chunk))
    return out


def run_systems(rows: Sequence[Labelled], moderator: Moderator, compare: bool = False) -> dict[str, Report]:
    """The product's figures, and with `compare` those of the baselines on the same rows in the same run."""
    reports = {PRODUCT: evaluate(rows, predict(rows, moderator))}
    if compare:
        from evaluation.baselines import stopword_filter, tfidf_baseline

        reports["tfidf_logreg"] = evaluate(rows, tfidf_baseline().predict(rows))
        reports["stopword_filter"] = evaluate(rows, stopword_filter().predict(rows))
    return reports
