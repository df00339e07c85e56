"""Necessary literals of a regular expression: strings one of which every match must contain.

Most comments are clean, and a regex rule scans the whole text for nothing. When a pattern's every match must
contain one of a few literal strings ("заработ" or "доход"), a substring test (C speed) rules the pattern out
first. The analysis is conservative: where it cannot prove a literal is necessary it gives up (None), and the
pattern is always run.
"""

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

Literals = frozenset[str] | None  # None: no literal is necessary (the pattern must always run)
_MIN_LENGTH = 2  # shorter literals rule out too little to be worth testing


def _best(options: list[frozenset[str]]) -> Literals:
    """Of several necessary sets, the one whose shortest literal is longest (the most selective)."""
    usable = [o for o in options if o and min(map(len, o)) >= _MIN_LENGTH]
    return max(usable, key=lambda o: (min(map(len, o)), -len(o)), default=None)


def _sequence(items: list[tuple[Any, Any]]) -> Literals:
    """A sequence: runs of literal characters, and any necessary set of its parts."""
    options: list[frozenset[str]] = []
    run = ""
    for op, arg in items:
        if op is c.LITERAL:
            run += chr(arg)
            continue
        if run:
            options.append(frozenset({run}))
            run = ""
        inner = _item(op, arg)
        if inner is not None:
            options.append(inner)
    if run:
        options.append(frozenset({run}))
    return _best(options)


def _item(op: Any, arg: Any) -> Literals:
    if op is c.SUBPATTERN:
        if arg[1] & (re.IGNORECASE | re.VERBOSE):  # (?i:...): case-folded literals are not literal
            return None
        return _sequence(list(arg[-1]))
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            found = _sequence(list(branch))
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
        return _sequence(list(arg[2]))
    return None


def necessary_literals(pattern: str) -> Literals:
    """Literal strings, one of which is in every match of `pattern` (no flags), or None."""
    try:
        parsed = parser.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    return _sequence(list(parsed))
