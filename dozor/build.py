"""Building the moderation core from files: the only place that opens rule lists and the model."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from moderation.config import ModerationConfig
from moderation.lexicon.rules import Lexicon, load_rules
from moderation.offtopic.judge import TopicJudge
from moderation.verdict.engine import Moderator, Scorer, TextDetector

log = logging.getLogger(__name__)


def rule_sources() -> list[tuple[str, str]]:
    """The rule lists shipped in the rules package, as (name, text)."""
    root = resources.files("rules")
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in root.iterdir()
        if entry.name.endswith(".toml")
    )


def build_lexicon() -> Lexicon:
    return Lexicon(load_rules(rule_sources()))


def build_pii(config: ModerationConfig) -> TextDetector:
    from moderation.pii.detector import PersonalDataDetector

    figures = resources.files("moderation.pii").joinpath("public_figures.txt").read_text(encoding="utf-8")
    return PersonalDataDetector(
        config.public_officials, config.organisation_phones, public_figures=figures.splitlines()
    )


def build_scorer(config: ModerationConfig) -> Scorer | None:
    """The shipped classifier, or the one config names; None (rules only) when there is none."""
    from moderation.classifier.arrays import load
    from moderation.classifier.model import default_model_path

    path = Path(config.model_path) if config.model_path else default_model_path()
    if not path.exists():
        log.warning("no classifier model at %s: deciding by rules only", path)
        return None
    with path.open("rb") as fh:
        return load(fh)


def build_topic_judge() -> TopicJudge:
    """Off-topic judgement with the navec word vectors that natasha ships (no download)."""
    from moderation.offtopic.vectors import NavecVectors

    return TopicJudge(NavecVectors.load_shipped())


def build_moderator(config: ModerationConfig, with_model: bool = True) -> Moderator:
    scorer = build_scorer(config) if with_model else None
    return Moderator(
        config,
        build_lexicon(),
        build_pii(config),
        scorer,
        model_weights=config.model_weights,
        topic=build_topic_judge(),
    )
