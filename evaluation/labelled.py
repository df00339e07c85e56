"""Reading labelled JSON Lines (the development set and moderator decisions)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from evaluation.metrics import Labelled
from moderation.types import Action, Ground


class LabelledFileError(ValueError):
    """A labelled file with bad rows; the message lists each bad line and why."""


def read_labelled(lines: Iterable[str], source: str = "<input>") -> list[Labelled]:
    """Parse every row; refuse the whole file when any row is bad, naming the lines."""
    rows: list[Labelled] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(_row(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{source}:{number}: {exc}")
    if problems:
        raise LabelledFileError("\n".join(problems[:50]))
    return rows


def _row(obj: dict[str, object]) -> Labelled:
    text = obj["text"]
    if not isinstance(text, str):
        raise TypeError("'text' must be a string")
    post = obj.get("post_text")
    grounds_raw = obj.get("grounds", [])
    if not isinstance(grounds_raw, list):
        raise TypeError("'grounds' must be a list")
    return Labelled(
        id=str(obj.get("id", "")),
        text=text,
        post_text=post if isinstance(post, str) else None,
        action=Action(str(obj["action"])),
        grounds=frozenset(Ground(str(g)) for g in grounds_raw),
    )
