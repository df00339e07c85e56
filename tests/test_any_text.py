"""Any text gets a verdict without error: random Unicode, empty text, and a very long text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.text.analysis import analyze
from moderation.types import Action, Comment
from moderation.verdict.engine import Moderator


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400), post=st.none() | st.text(max_size=100))
def test_any_unicode_text_gets_a_verdict(rules_moderator: Moderator, text: str, post: str | None) -> None:
    verdict = rules_moderator.verdict(Comment("p", text, post))
    assert verdict.action in set(Action)
    for ev in verdict.evidence:
        for span in ev.spans:
            assert 0 <= span.start <= span.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("хуйпиздабля*@.- 06xyзХУЙ\u200b\u0301ё"), max_size=60))
def test_disguise_alphabet_never_breaks_offsets(text: str) -> None:
    doc = analyze(text)
    for tok in (*doc.tokens, *doc.joined):
        assert 0 <= tok.start <= tok.end <= len(text)


def test_empty_text(rules_moderator: Moderator) -> None:
    verdict = rules_moderator.verdict(Comment("e", ""))
    assert verdict.action is Action.KEEP


def test_hundred_thousand_characters(rules_moderator: Moderator) -> None:
    chunk = "Когда починят дорогу на Ленина? п*здец х.у.й 8 913 555 12 34 ***** "
    text = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    verdict = rules_moderator.verdict(Comment("long", text))
    assert verdict.action is Action.DELETE
