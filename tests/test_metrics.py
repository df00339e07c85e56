"""The evaluation's figures: per-ground precision and recall, and what happens to clean comments."""

from __future__ import annotations

import pytest

from evaluation.metrics import Labelled, Predicted, evaluate
from moderation.types import Action, Ground

G = Ground
SPAM_ONLY = frozenset({G.SPAM})


def row(i: int, action: Action, grounds: set[Ground], labelled: frozenset[Ground] | None = None) -> Labelled:
    return Labelled(str(i), "текст", None, action, frozenset(grounds), labelled)


def pred(action: Action, grounds: set[Ground]) -> Predicted:
    return Predicted(action, frozenset(grounds))


def test_per_ground_precision_and_recall() -> None:
    rows = [
        row(1, Action.DELETE, {G.SPAM}),
        row(2, Action.DELETE, {G.SPAM}),
        row(3, Action.KEEP, set()),
        row(4, Action.DELETE, {G.OBSCENITY}),
    ]
    preds = [
        pred(Action.DELETE, {G.SPAM}),
        pred(Action.KEEP, set()),
        pred(Action.REVIEW, {G.SPAM}),  # a review names the ground: it counts as predicted
        pred(Action.DELETE, {G.OBSCENITY}),
    ]
    report = evaluate(rows, preds)
    spam = report.grounds[G.SPAM]
    assert (spam.support, spam.predicted, spam.true_positive) == (2, 2, 1)
    assert spam.precision == pytest.approx(0.5) and spam.recall == pytest.approx(0.5)
    assert report.grounds[G.OBSCENITY].f1 == pytest.approx(1.0)
    assert report.confusion[Action.DELETE][Action.KEEP] == 1
    assert report.action_accuracy == pytest.approx(0.5)


def test_clean_shares_count_every_decision_on_fully_labelled_rows() -> None:
    rows = [row(i, Action.KEEP, set()) for i in range(4)]
    preds = [
        pred(Action.DELETE, {G.OBSCENITY}),
        pred(Action.REVIEW, {G.DEFAMATION}),
        pred(Action.KEEP, set()),
        pred(Action.KEEP, set()),
    ]
    report = evaluate(rows, preds)
    assert report.clean == 4
    assert report.clean_deleted_share == pytest.approx(0.25)
    assert report.clean_flagged_share == pytest.approx(0.5)
    assert report.clean_flagged_labelled_share == report.clean_flagged_share
    assert report.clean_deleted_labelled_share == report.clean_deleted_share


def test_partly_labelled_sources_separate_unverified_flags() -> None:
    """A spam corpus's "not spam" row says nothing about insults: a flag for an insult there is counted in
    the conservative share only; a flag for spam is a known error in both."""
    rows = [row(i, Action.KEEP, set(), SPAM_ONLY) for i in range(4)]
    preds = [
        pred(Action.REVIEW, {G.DEFAMATION}),
        pred(Action.DELETE, {G.SPAM, G.DEFAMATION}),
        pred(Action.KEEP, set()),
        pred(Action.KEEP, set()),
    ]
    report = evaluate(rows, preds)
    assert report.clean_flagged_share == pytest.approx(0.5)
    assert report.clean_flagged_labelled_share == pytest.approx(0.25)
    assert report.clean_deleted_labelled_share == pytest.approx(0.25)
    assert report.grounds[G.DEFAMATION].predicted == 0  # the source does not speak for it
    assert report.as_dict()["clean_flagged_labelled_share"] == 0.25


def test_rows_labelled_on_no_ground_are_not_clean() -> None:
    report = evaluate([row(1, Action.KEEP, set(), frozenset())], [pred(Action.REVIEW, {G.SPAM})])
    assert report.clean == 0 and report.clean_flagged_share == 0.0


def test_recall_at_flagged_share_of_clean_rows() -> None:
    """The threshold is the score that flags the given share of clean rows; positives above it count."""
    import numpy as np

    from evaluation.ceiling import recall_at_flagged

    scores = np.array([0.9, 0.8, 0.3, 0.95, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.0, 0.0])
    positive = np.array([True, True, True] + [False] * 9)
    clean = ~positive
    # 9 clean rows, highest first 0.95, 0.5, 0.4, 0.3, 0.2: a share of 0.12 flags one (0.95): 0.9 and 0.8 pass
    assert recall_at_flagged(scores, positive, clean, flagged=0.0) == 0.0
    assert recall_at_flagged(scores, positive, clean, flagged=0.12) == 2 / 3
    # a share of 0.5 flags four (down to 0.3): the third positive, at 0.3, passes too
    assert recall_at_flagged(scores, positive, clean, flagged=0.5) == 1.0
