"""The regex prefilter never rules out a text a pattern matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dozor.build import rule_sources
from moderation.lexicon.prefilter import necessary_literals
from moderation.lexicon.rules import load_rules

PATTERNS = [p for rule in load_rules(rule_sources()) if rule.kind == "regex" for p in rule.patterns]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("заработ\\w* от \\d+", frozenset({"заработ"})),
        ("(?:доход|прибыль) в день", frozenset({" в день"})),
        ("(?:доход|прибыль)\\w+", frozenset({"доход", "прибыль"})),
        ("(?:доход|\\d+)", None),
        ("a?b?", None),
        ("(?i:слово)", None),
        ("(?:сло)+во", frozenset({"сло"})),
    ],
)
def test_necessary_literals(pattern: str, expected: frozenset[str] | None) -> None:
    assert necessary_literals(pattern) == expected


WORDS = st.sampled_from(
    [
        "заработок",
        "от",
        "5000",
        "в",
        "день",
        "без",
        "вложений",
        "пиши",
        "в",
        "лс",
        "t.me/x",
        "купить",
        "права",
        "диплом",
        "говорят",
        "мэр",
        "купил",
        "квартиру",
        "скидка",
        "20%",
        "звоните",
        "рассрочка",
        "кавказцев",
        "не",
        "пускать",
        "соль",
        "меф",
        "закладки",
        "выпились",
        "бонус",
        "по",
        "ссылке",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=12).map(" ".join))
def test_no_shipped_pattern_is_ruled_out_wrongly(text: str) -> None:
    for pattern in PATTERNS:
        literals = necessary_literals(pattern)
        if literals is not None and re.search(pattern, text):
            assert any(lit in text for lit in literals), (pattern, text)
