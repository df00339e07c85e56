"""What the classifier may decide alone: it deletes on obscenity only; its other scores send to moderators
unless a rule agrees (a wrong deletion of a lawful comment is the worst error)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from dozor.build import build_lexicon
from moderation.config import ModerationConfig
from moderation.text.analysis import Doc
from moderation.types import Action, Comment, Ground
from moderation.verdict.engine import Moderator


class FixedScorer:
    """Gives every comment the same classifier scores."""

    version = "fixed"

    def __init__(self, scores: dict[Ground, float]) -> None:
        self.scores = scores

    def scores_batch(self, docs: Sequence[Doc]) -> list[dict[Ground, float]]:
        return [dict(self.scores) for _ in docs]


def decide(text: str, scores: dict[Ground, float], config: ModerationConfig | None = None) -> Action:
    moderator = Moderator(config or ModerationConfig(), build_lexicon(), scorer=FixedScorer(scores))
    return moderator.verdict(Comment("c", text)).action


@pytest.mark.parametrize(
    ("text", "scores", "action"),
    [
        ("Кто знает, когда откроют каток?", {Ground.SPAM: 0.99}, Action.REVIEW),
        ("Заработок от 5000 рублей в день без вложений, пиши в лс", {Ground.SPAM: 0.99}, Action.DELETE),
        ("Кто знает, когда откроют каток?", {Ground.OBSCENITY: 0.99}, Action.DELETE),
        ("Кто знает, когда откроют каток?", {Ground.DEFAMATION: 0.99}, Action.REVIEW),
        ("Кто знает, когда откроют каток?", {Ground.SPAM: 0.2}, Action.KEEP),
    ],
    ids=["spam-model-alone", "spam-model-and-rule", "obscenity-model-alone", "insult-model-alone", "weak"],
)
def test_what_the_model_decides_alone(text: str, scores: dict[Ground, float], action: Action) -> None:
    assert decide(text, scores) is action


def test_a_page_under_a_spam_wave_can_let_the_model_delete_spam() -> None:
    config = ModerationConfig(model_may_delete=frozenset({Ground.SPAM, Ground.OBSCENITY}))
    assert decide("Кто знает, когда откроют каток?", {Ground.SPAM: 0.99}, config) is Action.DELETE


@pytest.mark.parametrize("text", ["употреблять", "Купил скипидар"])
def test_a_comment_of_one_or_two_words_is_left_to_the_rules(text: str) -> None:
    """A word or two give the classifier character n-grams without context («бля» in «употреблять»)."""
    assert decide(text, {Ground.OBSCENITY: 0.99, Ground.DEFAMATION: 0.99}) is Action.KEEP
    assert decide(f"{text}, вот так вот", {Ground.OBSCENITY: 0.99}) is Action.DELETE
