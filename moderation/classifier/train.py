"""Training the classifier: one balanced logistic regression per ground over the shared feature space, with
out-of-fold Platt calibration. scikit-learn is imported here only, and only when a model is trained."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from moderation.classifier.model import Classifier, DocLike, FeatureSpace, FloatArray
from moderation.config import REVIEW_ONLY
from moderation.types import Ground

# Fewer training positives than this: no model. A ground whose score can delete needs more evidence
# than one that only ever sends a comment to a moderator (moderation.config.REVIEW_ONLY): from a few
# dozen examples a linear model learns incidental words ("моей" for "vote for my photo") and deletes.
MIN_POSITIVES = 100
MIN_POSITIVES_REVIEW_ONLY = 30


class LabelledRow(Protocol):
    """A training row: positive for ``grounds``, negative for ``labelled - grounds``, silent otherwise."""

    @property
    def grounds(self) -> frozenset[Ground]: ...

    @property
    def labelled(self) -> frozenset[Ground]: ...

    @property
    def weight(self) -> float: ...


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """Everything that shapes a model besides its data; stored in the model so it can be reproduced."""

    seed: int = 13
    c: float = 4.0  # inverse regularisation of each ground's logistic regression
    folds: int = 3  # out-of-fold margins for the Platt calibration
    min_positives: int = MIN_POSITIVES
    min_positives_review_only: int = MIN_POSITIVES_REVIEW_ONLY
    max_words: int = 60_000
    max_chars: int = 120_000
    min_df: int = 2
    n_jobs: int = 2


#: Off-topic depends on the post (moderation.offtopic). Personal data is what the detectors find (checksums,
#: phone plans, NER and the list of officials): word n-grams cannot tell a citizen's e-mail from the
#: administration's, and a personal-data model only added false flags (and turned names alone into deletions).
LEARNABLE_DEFAULT: tuple[Ground, ...] = tuple(
    g for g in Ground if g not in (Ground.OFF_TOPIC, Ground.PERSONAL_DATA)
)


def train(
    docs: Sequence[DocLike],
    rows: Sequence[LabelledRow],
    settings: TrainSettings | None = None,
    grounds: Sequence[Ground] = LEARNABLE_DEFAULT,
    on_fit: Callable[[str], None] | None = None,
) -> tuple[Classifier, dict[Ground, str]]:
    """Fit the feature space and one balanced logistic regression per ground that has enough examples.

    Each ground sees only the rows that speak for it. Returns the classifier and, per ground, what happened
    ("обучена на P положительных / N отрицательных" or why it was skipped). ``on_fit`` is told of each
    finished fit.
    """
    settings = settings or TrainSettings()
    space = FeatureSpace.fit(docs, settings.max_words, settings.max_chars, settings.min_df)
    features = space.transform(docs)
    plans, status = _plan(rows, settings, grounds)
    results = _run_fits(features, plans, settings, on_fit)
    learned = tuple(g for g in grounds if g in plans)
    coef = np.zeros((space.size, len(learned)), dtype=np.float32)
    intercept = np.zeros(len(learned))
    platt = np.zeros((len(learned), 2))
    for j, ground in enumerate(learned):
        plan = plans[ground]
        weights, bias = results[(ground, -1)]
        coef[:, j] = weights
        intercept[j] = bias
        oof = np.zeros(len(plan.y))
        for fold, held in enumerate(plan.folds):
            fold_w, fold_b = results[(ground, fold)]
            oof[held] = features[plan.rows[held]] @ fold_w.astype(np.float64) + fold_b
        platt[j] = _platt(oof, plan.y, plan.w)
    return Classifier(space, learned, coef, intercept, platt), status


@dataclass(frozen=True)
class _Plan:
    rows: np.ndarray[Any, np.dtype[np.int64]]
    y: np.ndarray[Any, np.dtype[np.bool_]]
    w: FloatArray
    folds: tuple[np.ndarray[Any, np.dtype[np.int64]], ...]


def _plan(
    rows: Sequence[LabelledRow], settings: TrainSettings, grounds: Sequence[Ground]
) -> tuple[dict[Ground, _Plan], dict[Ground, str]]:
    plans: dict[Ground, _Plan] = {}
    status: dict[Ground, str] = {}
    for ground in grounds:
        idx = np.array([i for i, r in enumerate(rows) if ground in r.labelled], dtype=np.int64)
        y = np.array([ground in rows[i].grounds for i in idx], dtype=np.bool_)
        pos, neg = int(y.sum()), int(len(y) - y.sum())
        need = settings.min_positives_review_only if ground in REVIEW_ONLY else settings.min_positives
        if pos < need or neg < need:
            status[ground] = (
                f"без модели: в обучении {pos} положительных / {neg} отрицательных (нужно по {need})"
            )
            continue
        w = np.array([rows[i].weight for i in idx], dtype=np.float64)
        order = np.random.default_rng(settings.seed).permutation(len(idx))
        folds = tuple(np.sort(order[k :: settings.folds]) for k in range(settings.folds))
        plans[ground] = _Plan(idx, y, w, folds)
        status[ground] = f"обучена на {pos} положительных / {neg} отрицательных"
    return plans, status


def _run_fits(
    features: sp.csr_matrix,
    plans: dict[Ground, _Plan],
    settings: TrainSettings,
    on_fit: Callable[[str], None] | None,
) -> dict[tuple[Ground, int], tuple[np.ndarray[Any, np.dtype[np.float32]], float]]:
    """Every (ground, fold) fit plus the full fit (fold -1), two at a time on two cores."""
    from joblib import Parallel, delayed

    jobs = []
    for ground, plan in plans.items():
        for fold in [*range(settings.folds), -1]:
            keep = np.ones(len(plan.y), dtype=np.bool_)
            if fold >= 0:
                keep[plan.folds[fold]] = False
            x = features[plan.rows[keep]]
            jobs.append(delayed(_fit_one)(ground, fold, x, plan.y[keep], plan.w[keep], settings))
    results = {}
    runner = Parallel(n_jobs=settings.n_jobs, return_as="generator_unordered")
    for ground, fold, weights, bias in runner(jobs):
        results[(ground, fold)] = (weights, bias)
        if on_fit is not None:
            on_fit(f"{ground.value} {'full' if fold < 0 else f'fold {fold + 1}'}")
    return results


def _fit_one(
    ground: Ground,
    fold: int,
    x: sp.csr_matrix,
    y: np.ndarray[Any, Any],
    w: FloatArray,
    settings: TrainSettings,
) -> tuple[Ground, int, np.ndarray[Any, np.dtype[np.float32]], float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=settings.c, class_weight="balanced", solver="lbfgs", max_iter=500)
    model.fit(x, y, sample_weight=w)
    return ground, fold, model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def _platt(margins: FloatArray, y: np.ndarray[Any, Any], w: FloatArray) -> tuple[float, float]:
    """Map margins to probabilities of the (weighted) training mixture, undoing the class balancing."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    model.fit(margins.reshape(-1, 1), y, sample_weight=w)
    return float(model.coef_[0, 0]), float(model.intercept_[0])
