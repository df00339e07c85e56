"""Rule files: a broken one is refused with a message naming the file, the rule and the key."""

from __future__ import annotations

import pytest

from moderation.lexicon.rules import Lexicon, RuleFileError, load_rules
from moderation.text.analysis import analyze

GOOD = """
[[rule]]
name = "t.hello"
ground = "spam"
score = 0.5
kind = "phrase"
phrases = ["добавить в друг"]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nname = "a"\nground = "spam"\nkind = "regex"\n', "missing key 'score'"),
        ('[[rule]]\nname = "a"\nground = "spamm"\nscore = 0.5\nkind = "regex"\n', "spamm"),
        ('[[rule]]\nname = "a"\nground = "spam"\nscore = 1.5\nkind = "regex"\n', "score must be in (0, 1]"),
        ('[[rule]]\nname = "a"\nground = "spam"\nscore = 0.5\nkind = "word"\n', "kind must be one of"),
        ('[[rule]]\nname = "a"\nground = "spam"\nscore = 0.5\nkind = "regex"\npatterns = ["(("]', "bad re"),
        ("[[rule]\n", "broken.toml"),
    ],
    ids=["missing-key", "bad-ground", "bad-score", "bad-kind", "bad-regex", "bad-toml"],
)
def test_broken_rule_file_is_named(text: str, message: str) -> None:
    with pytest.raises(RuleFileError) as info:
        load_rules([("broken.toml", text)])
    assert "broken.toml" in str(info.value)
    assert message in str(info.value)


def test_duplicate_rule_names_are_refused() -> None:
    with pytest.raises(RuleFileError, match="duplicate rule name"):
        load_rules([("a.toml", GOOD), ("b.toml", GOOD)])


def test_a_loaded_rule_matches_inflected_forms() -> None:
    lexicon = Lexicon(load_rules([("good.toml", GOOD)]))
    evidence = lexicon.match(analyze("Добавьте меня в друзья"))
    assert [e.rule for e in evidence] == ["t.hello"]


UNLESS = """
[[rule]]
name = "t.offer"
ground = "law_violation"
score = 0.9
kind = "regex"
patterns = ["права без экзаменов"]
unless = ["мошенник", "не ведитесь"]
"""


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Права без экзаменов, пишите в лс", True),
        ("Опять объявления «права без экзаменов» — мошенники", False),
        ("Права без экзаменов? Не ведитесь!", False),
    ],
)
def test_unless_silences_a_rule_in_its_context(text: str, fires: bool) -> None:
    lexicon = Lexicon(load_rules([("unless.toml", UNLESS)]))
    assert bool(lexicon.match(analyze(text))) is fires


def test_a_broken_unless_pattern_is_named() -> None:
    with pytest.raises(RuleFileError, match="bad regex"):
        load_rules([("u.toml", UNLESS.replace('"мошенник"', '"мошенн(ик"'))])


SHARED_CONTEXT = """
[contexts]
warning = ["мошенник"]

[[rule]]
name = "t.a"
ground = "law_violation"
score = 0.9
kind = "regex"
patterns = ["права без экзаменов"]
unless_context = ["warning"]
"""


def test_a_shared_context_silences_every_rule_that_names_it() -> None:
    lexicon = Lexicon(load_rules([("ctx.toml", SHARED_CONTEXT)]))
    assert lexicon.match(analyze("Права без экзаменов, пишите"))
    assert not lexicon.match(analyze("Права без экзаменов — это мошенники"))


def test_an_unknown_context_is_named() -> None:
    with pytest.raises(RuleFileError, match="unless_context 'warnings'"):
        load_rules([("ctx.toml", SHARED_CONTEXT.replace('["warning"]', '["warnings"]'))])


BACKREFERENCE = r"""
[[rule]]
name = "t.repeat"
ground = "spam"
score = 0.7
kind = "regex"
patterns = ["(\\d{3})-\\1", "(\\w)\\1{9,}"]
"""


@pytest.mark.parametrize("text", ["код 123-123", "аааааааааааа"])
def test_a_backreference_in_any_pattern_of_a_rule_keeps_its_meaning(text: str) -> None:
    """Patterns are not joined into one regex where that would renumber the groups of a backreference."""
    lexicon = Lexicon(load_rules([("b.toml", BACKREFERENCE)]))
    assert [e.rule for e in lexicon.match(analyze(text))] == ["t.repeat"]
