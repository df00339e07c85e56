"""Moderators' decisions as training and judging rows, with every citizen's personal data masked first.

The same masking serves `dozor export-decisions` and the retraining loop: phones, e-mails, documents,
addresses and citizens' names become placeholders ([телефон], [ФИО]...) before a text leaves the database.
Decisions whose text was purged by the retention period teach nothing and are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from evaluation.datasets import Example, read_labelled_jsonl
from evaluation.metrics import Labelled
from models.learning_rows import people_decisions
from moderation.types import Action, Ground
from moderation.verdict.engine import TextDetector

DECISIONS_SOURCE = "decisions"
#: In-domain and fully labelled, like the project's own rows (evaluation.datasets.read_labelled_jsonl).
DECISION_WEIGHT = 3.0


def masked(rows: Iterable[dict[str, Any]], detector: TextDetector) -> list[dict[str, Any]]:
    """Rows with text, personal data replaced by placeholders; rows whose text was purged dropped."""
    from moderation.pii.masking import mask

    return [{**row, "text": mask(row["text"], detector.detect(row["text"]))} for row in rows if row["text"]]


def load_decisions(engine: Engine, detector: TextDetector) -> tuple[list[dict[str, Any]], int]:
    """The deployment's decisions (moderators' on cards, restorations on appeal in the console), oldest
    first, masked; and how many were skipped for a purged text."""
    with Session(engine) as session:
        rows = people_decisions(session)
    kept = masked(rows, detector)
    return kept, len(rows) - len(kept)


Row = dict[str, Any]


def split_recent(rows: Sequence[Row], holdout: int) -> tuple[list[Row], list[Row]]:
    """(training, held out): the most recent `holdout` decisions judge the candidate and are not trained on.

    With fewer than twice `holdout` decisions, a fifth of them (at least one) is held out instead.
    """
    n = len(rows)
    held = holdout if n >= 2 * holdout else max(1, n // 5) if n else 0
    return list(rows[: n - held]), list(rows[n - held :])


def as_examples(rows: Iterable[dict[str, Any]]) -> list[Example]:
    """Decision rows as classifier training rows: positive for the grounds upheld, negative for the rest."""
    lines = (json.dumps({"text": r["text"], "grounds": r["grounds"]}, ensure_ascii=False) for r in rows)
    return list(read_labelled_jsonl(lines, DECISIONS_SOURCE, weight=DECISION_WEIGHT))


def as_labelled(rows: Iterable[dict[str, Any]]) -> list[Labelled]:
    """Decision rows as evaluation rows: what the moderator decided, on every ground."""
    return [
        Labelled(
            id=f"decision-{n}",
            text=r["text"],
            post_text=None,
            action=Action(r["action"]),
            grounds=frozenset(Ground(g) for g in r["grounds"]),
        )
        for n, r in enumerate(rows, start=1)
    ]
