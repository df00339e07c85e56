"""The moderation core: a comment and its post in, a verdict with named reasons out. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Protocol

from moderation.config import ModerationConfig
from moderation.lexicon.rules import Lexicon
from moderation.offtopic.judge import TopicJudge
from moderation.text.analysis import Doc, analyze
from moderation.types import Comment, Evidence, Ground, Verdict
from moderation.verdict.policy import combine, decide


class Scorer(Protocol):
    """The statistical classifier: one probability-like score per ground it has learned."""

    version: str

    def scores_batch(self, docs: Sequence[Doc]) -> list[dict[Ground, float]]: ...


class TextDetector(Protocol):
    """A detector over the original text (personal data)."""

    def detect(self, text: str) -> list[Evidence]: ...


MODEL_FLOOR = 0.35  # classifier scores below this are noise, not evidence
# Below this many words the classifier sees one or two words' character n-grams and no context: «употреблять»
# alone scored as obscene for its «бля», «скипидар» as an insult. Word by word the rule lists are the better
# judge (roots with their exclusions, masks, look-alikes), so a shorter comment is theirs alone.
MODEL_MIN_WORDS = 3


class Moderator:
    """Rules, personal-data detection, post similarity and the classifier, combined by the policy."""

    def __init__(
        self,
        config: ModerationConfig,
        lexicon: Lexicon,
        pii: TextDetector | None = None,
        scorer: Scorer | None = None,
        model_weights: Mapping[Ground, float] | None = None,
        topic: TopicJudge | None = None,
    ) -> None:
        self.config = config
        self.lexicon = lexicon
        self.pii = pii
        self.scorer = scorer
        self.model_weights = dict(model_weights or {})
        self.topic = topic or TopicJudge()
        self._post_doc = lru_cache(maxsize=4096)(analyze)  # a post is answered by many comments

    def verdict(self, comment: Comment) -> Verdict:
        return self.verdicts([comment])[0]

    def verdicts(self, comments: Sequence[Comment]) -> list[Verdict]:
        """Decide a batch: the classifier scores the whole batch at once, which is what makes batches fast."""
        docs = [analyze(c.text) for c in comments]
        model_scores: list[dict[Ground, float]] = [{} for _ in docs]
        judged = [i for i, d in enumerate(docs) if len(d.words) >= MODEL_MIN_WORDS]
        if self.scorer is not None and judged:
            scored = self.scorer.scores_batch([docs[i] for i in judged])
            for i, scores in zip(judged, scored, strict=True):
                model_scores[i] = scores
        return [self._decide(c, d, m) for c, d, m in zip(comments, docs, model_scores, strict=True)]

    def evidence(self, comment: Comment, doc: Doc, model: Mapping[Ground, float]) -> list[Evidence]:
        found = self.lexicon.match(doc)
        if self.pii is not None:
            found.extend(self.pii.detect(comment.text))
        post = self._post_doc(comment.post_text) if comment.post_text else None
        topic = self.topic.evidence(doc, post)
        if topic is not None:
            found.append(topic)
        for ground, score in model.items():
            weighted = score * self.model_weights.get(ground, 1.0)
            if weighted >= MODEL_FLOOR:
                found.append(
                    Evidence(f"model.{ground.value}", ground, round(weighted, 4), (), "классификатор")
                )
        return found

    def _model_only(self, found: list[Evidence]) -> frozenset[Ground]:
        """Grounds supported by the classifier alone, where config does not let the model delete by itself."""
        by_rules = {ev.ground for ev in found if not ev.rule.startswith("model.")}
        by_model = {ev.ground for ev in found if ev.rule.startswith("model.")}
        return frozenset(by_model - by_rules - self.config.model_may_delete)

    def _decide(self, comment: Comment, doc: Doc, model: Mapping[Ground, float]) -> Verdict:
        found = self.evidence(comment, doc, model)
        scores = combine(found)
        action, grounds = decide(scores, self.config.thresholds, self._model_only(found))
        return Verdict(comment.id, action, grounds, scores, tuple(found))
