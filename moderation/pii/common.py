"""Helpers shared by the personal-data detectors: building evidence and masking values.

Evidence is shown to moderators and written to the audit log, so the value found is never repeated in
full: the detail names what was found with all but a few characters masked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from moderation.types import Evidence, Ground, Span

_DIGIT = re.compile(r"[0-9]")
_LETTER_RUN = re.compile(r"(\w)(\w*)")


def pii_evidence(rule: str, score: float, start: int, end: int, detail: str) -> Evidence:
    """One personal-data finding with its span in the original text."""
    return Evidence(
        rule=rule,
        ground=Ground.PERSONAL_DATA,
        score=round(score, 3),
        spans=(Span(start, end),),
        detail=detail,
    )


def mask_digits(value: str, keep_start: int = 0, keep_end: int = 2) -> str:
    """Replace digits with '*' keeping the first `keep_start` and last `keep_end` digits; separators stay."""
    total = len(_DIGIT.findall(value))
    out: list[str] = []
    seen = 0
    for char in value:
        if "0" <= char <= "9":
            seen += 1
            visible = seen <= keep_start or seen > total - keep_end
            out.append(char if visible else "*")
        else:
            out.append(char)
    return "".join(out)


def mask_words(value: str) -> str:
    """Keep the first letter of each word: 'Иванов Иван' -> 'И*** И***'."""
    return _LETTER_RUN.sub(lambda match: match.group(1) + ("***" if match.group(2) else ""), value)


def overlaps(first: Evidence, second: Evidence) -> bool:
    """Whether the first spans of two findings share at least one character."""
    a, b = first.spans[0], second.spans[0]
    return a.start < b.end and b.start < a.end


@lru_cache(maxsize=1)
def morph() -> Any:
    """One pymorphy3 analyser for the personal-data detectors, made on first use."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()
