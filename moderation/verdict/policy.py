"""From per-ground scores to an action, by the thresholds of config.toml."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from moderation.config import REVIEW_ONLY, Thresholds
from moderation.types import Action, Evidence, Ground


def combine(evidence: Iterable[Evidence]) -> dict[Ground, float]:
    """Per ground, independent reasons add up (noisy-or): two weak signals weigh more than one."""
    remaining: dict[Ground, float] = {}
    for ev in evidence:
        remaining[ev.ground] = remaining.get(ev.ground, 1.0) * (1.0 - min(max(ev.score, 0.0), 1.0))
    return {ground: round(1.0 - rest, 4) for ground, rest in remaining.items()}


def decide(
    scores: Mapping[Ground, float],
    thresholds: Mapping[Ground, Thresholds],
    review_only: frozenset[Ground] = frozenset(),
) -> tuple[Action, tuple[Ground, ...]]:
    """Delete when a ground passes its delete threshold; review when one passes its review threshold.

    `review_only` adds grounds that may not delete in this decision (e.g. supported by the model alone).
    The grounds returned are those at or above their review threshold, strongest first.
    """
    never = REVIEW_ONLY | review_only
    grounds = sorted(
        (g for g, s in scores.items() if s >= thresholds[g].review), key=lambda g: scores[g], reverse=True
    )
    if any(scores[g] >= thresholds[g].delete and g not in never for g in grounds):
        return Action.DELETE, tuple(grounds)
    if grounds:
        return Action.REVIEW, tuple(grounds)
    return Action.KEEP, ()
