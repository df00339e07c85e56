"""Shared fixtures: the moderation core is built once per test session (rules load in milliseconds,
the classifier and natasha take longer)."""

from __future__ import annotations

import pytest

from dozor.build import build_lexicon, build_moderator
from moderation.config import ModerationConfig
from moderation.lexicon.rules import Lexicon
from moderation.verdict.engine import Moderator

pytest_plugins = ["tests.db_fixtures"]

OFFICIALS = ("Фельдман Дмитрий Зиновьевич", "Черданцева Ирина Геннадьевна")
ORG_PHONES = ("+7 (38557) 2-23-21",)


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return build_lexicon()


@pytest.fixture(scope="session")
def moderation_config() -> ModerationConfig:
    return ModerationConfig(public_officials=OFFICIALS, organisation_phones=ORG_PHONES)


@pytest.fixture(scope="session")
def rules_moderator(moderation_config: ModerationConfig) -> Moderator:
    """Rules, personal data and post similarity, without the classifier: what the rule tables test."""
    return build_moderator(moderation_config, with_model=False)


@pytest.fixture(scope="session")
def moderator(moderation_config: ModerationConfig) -> Moderator:
    """The product as shipped, classifier included."""
    return build_moderator(moderation_config)
