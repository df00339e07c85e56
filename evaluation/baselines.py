"""Comparison systems, trained and run in the same evaluation: a plain TF-IDF + logistic regression, and the
stop-word-list filter many communities use. They show what the product's normalisation, morphology, rules and
policy add."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from evaluation.datasets import Example, datasets_root, load_training
from evaluation.metrics import Labelled, Predicted
from moderation.config import REVIEW_ONLY
from moderation.types import ALL_GROUNDS, Action, Ground

_WORD = re.compile(r"\w+")


def _action(grounds: frozenset[Ground]) -> Action:
    if grounds - REVIEW_ONLY:
        return Action.DELETE
    return Action.REVIEW if grounds else Action.KEEP


@dataclass
class TfidfBaseline:
    """Word uni/bigram TF-IDF over the raw lower-cased text, one logistic regression per ground, threshold
    0.5."""

    vectorizer: TfidfVectorizer
    models: dict[Ground, LogisticRegression]

    def predict(self, rows: Sequence[Labelled]) -> list[Predicted]:
        x = self.vectorizer.transform([r.text for r in rows])
        hits = {g: m.predict_proba(x)[:, 1] >= 0.5 for g, m in self.models.items()}
        out = []
        for i in range(len(rows)):
            grounds = frozenset(g for g, flags in hits.items() if flags[i])
            out.append(Predicted(_action(grounds), grounds))
        return out


def tfidf_baseline(training: Sequence[Example] | None = None, min_positives: int = 30) -> TfidfBaseline:
    """Trained on exactly the rows the product's classifier is trained on (never the development set)."""
    rows = list(training) if training is not None else load_training()
    vectorizer = TfidfVectorizer(
        lowercase=True, ngram_range=(1, 2), min_df=2, max_features=200_000, sublinear_tf=True
    )
    x_all = vectorizer.fit_transform([r.text for r in rows])
    models: dict[Ground, LogisticRegression] = {}
    for ground in ALL_GROUNDS:
        idx = np.array([i for i, r in enumerate(rows) if ground in r.labelled], dtype=int)
        if idx.size == 0:
            continue
        y = np.array([ground in rows[i].grounds for i in idx])
        if y.sum() < min_positives or y.all():
            continue
        model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
        model.fit(x_all[idx], y, sample_weight=np.array([rows[i].weight for i in idx]))
        models[ground] = model
    return TfidfBaseline(vectorizer, models)


@dataclass
class StopwordFilter:
    """Delete a comment when one of its words is on a public bad-word list (obscenity) or it contains a stop
    phrase (spam): no normalisation, no morphology, no context."""

    bad_words: frozenset[str]
    stop_phrases: tuple[str, ...]

    def predict(self, rows: Sequence[Labelled]) -> list[Predicted]:
        out = []
        for row in rows:
            text = row.text.lower()
            grounds: set[Ground] = set()
            if any(w in self.bad_words for w in _WORD.findall(text)):
                grounds.add(Ground.OBSCENITY)
            if any(p in text for p in self.stop_phrases):
                grounds.add(Ground.SPAM)
            out.append(Predicted(_action(frozenset(grounds)), frozenset(grounds)))
        return out


def stopword_filter(root: Path | None = None) -> StopwordFilter:
    """The lists are read in place from the public datasets (LDNOOBW v2 Russian, tg-spam stop words)."""
    root = root or datasets_root()
    words = (root / "lexicons_obscene" / "ldnoobw_v2_ru.txt").read_text(encoding="utf-8").splitlines()
    phrases = (root / "tg_spam_samples" / "stop-words.txt").read_text(encoding="utf-8").splitlines()
    return StopwordFilter(
        frozenset(w.strip().lower() for w in words if w.strip()),
        tuple(p.strip().lower() for p in phrases if p.strip()),
    )
