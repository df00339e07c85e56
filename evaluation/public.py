"""The public datasets' holdout split (never trained on) as labelled rows, one set per source."""

from __future__ import annotations

from evaluation.datasets import Example, holdout_by_source
from evaluation.metrics import Labelled
from moderation.config import REVIEW_ONLY
from moderation.types import Action


def as_labelled(example: Example, n: int) -> Labelled:
    """Only the grounds the source speaks about are scored; a positive for a deletable ground expects
    delete."""
    if example.grounds - REVIEW_ONLY:
        action = Action.DELETE
    elif example.grounds:
        action = Action.REVIEW
    else:
        action = Action.KEEP
    return Labelled(f"{example.source}-{n}", example.text, example.post_text, action, example.grounds,
                    example.labelled)  # fmt: skip


def public_sets() -> dict[str, list[Labelled]]:
    """Holdout rows per public source (the project's own rows are left to dev.jsonl)."""
    return {
        f"holdout:{source}": [as_labelled(e, i) for i, e in enumerate(rows)]
        for source, rows in sorted(holdout_by_source().items())
        if source != "own"
    }
