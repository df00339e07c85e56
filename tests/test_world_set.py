"""The blind world set (evaluation/check_world.jsonl): well formed, consistent, never trained on.

Written by a writer who saw neither the rules nor the other sets; card and INN numbers there may fail their
checksums on purpose (still personal data to a moderator): the other sets' checksum guard is not applied.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from evaluation.datasets import WORLD_SET, evaluation_keys, split_key
from moderation.types import Action, Ground
from tests.test_devset import (
    CHECK,
    DEV,
    FIELDS,
    NEAR_DUPLICATE_JACCARD,
    OPTIONAL,
    REVIEW_ONLY,
    TRAIN,
    _by_size,
    _shingles,
    _within_reach,
    load,
)

MIN_ROWS = 300


@pytest.fixture(scope="module")
def world() -> list[dict[str, Any]]:
    return load(WORLD_SET)


def test_rows_are_well_formed_and_consistent(world: list[dict[str, Any]]) -> None:
    codes = {g.value for g in Ground}
    assert len(world) >= MIN_ROWS
    assert len({r["id"] for r in world}) == len(world)
    for r in world:
        assert FIELDS <= r.keys() <= FIELDS | OPTIONAL, r
        assert re.fullmatch(r"cw-\d{4}", r["id"]), r
        assert set(r["grounds"]) <= codes and len(set(r["grounds"])) == len(r["grounds"]), r
        assert (r["action"] == Action.KEEP) == (not r["grounds"]), r
        if r["action"] == Action.DELETE:
            assert set(r["grounds"]) - REVIEW_ONLY, r


def test_world_set_is_never_trained_on(world: list[dict[str, Any]]) -> None:
    """No copy or near copy in the project's training rows or its other sets, and excluded from training."""
    others, sizes = _by_size([_shingles(r["text"]) for path in (TRAIN, DEV, CHECK) for r in load(Path(path))])
    for r in world:
        a = _shingles(r["text"])
        assert all(
            len(a & b) / len(a | b) < NEAR_DUPLICATE_JACCARD for b in _within_reach(a, others, sizes)
        ), r["id"]
    keys = evaluation_keys()
    assert all(split_key(r["text"]) in keys for r in world)
