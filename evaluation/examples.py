"""A labelled example, the hash split into train and holdout, and how a source's label becomes grounds.

Shared by every dataset loader (``evaluation.datasets`` and the loaders beside it); no file is read here
except by the small CSV and line readers the loaders use.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from moderation.types import Ground

HOLDOUT_PERCENT = 20

_G = Ground
# Comments from discussion sites are not adverts or requests to vote: they widen those grounds'
# negatives beyond our few hundred own rows. They do not speak for unverified claims (2ch is full of
# them) or personal data.
NOT_COMMERCIAL = frozenset({_G.SPAM, _G.ADVERTISING, _G.ENGAGEMENT_REQUEST})
TOXIC_SPEAKS = frozenset({_G.DEFAMATION, _G.OBSCENITY}) | NOT_COMMERCIAL
CLEAN_SPEAKS = frozenset({_G.DEFAMATION, _G.OBSCENITY, _G.PROVOCATION, _G.LAW_VIOLATION}) | NOT_COMMERCIAL
SPAM_SPEAKS = frozenset({_G.SPAM, _G.OBSCENITY})

# The four roots that Russian law treats as мат, with their usual prefixes and suffixes (выёбываться, взъебёт,
# пизжу, пздц); word-anchored so that "страхуй", "себе", "небо", "хулиган", "оскорблять" stay clean.
# Labelling aid only; the rules own obscenity.
_OBSCENE = re.compile(
    r"(?<![а-я])(?:на|по|от|за|до|ни|об|о|а|рас|рос)?ху[йеияю]"
    r"|пи[зс]д|пезд|пизж|(?<![а-я])пздц"
    r"|(?<![а-я])(?:за|вы|до|на|по|про|от|отъ|разъ|въ|съ|взъ|подъ|у|изъ|недо|долбо)?"
    r"еб(?:[аулнияюоы]|е[тшмнж]|(?![а-я]))"
    r"|(?<![а-я])бля(?!х)"
)
_KEY_DROP = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text: positive for ``grounds``, negative for ``labelled - grounds``, silent otherwise."""

    text: str
    grounds: frozenset[Ground]
    labelled: frozenset[Ground]
    source: str
    key: str
    weight: float = 1.0
    post_text: str | None = None

    @property
    def holdout(self) -> bool:
        return is_holdout(self.key)


def split_key(text: str) -> str:
    """A key that survives case, ё/е, punctuation and spacing differences, so duplicates split together."""
    return _KEY_DROP.sub(" ", text.lower().replace("ё", "е")).strip()


def is_holdout(key: str) -> bool:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 100 < HOLDOUT_PERCENT


def is_obscene(text: str) -> bool:
    """Labelling aid: does the text contain one of the four мат roots (undisguised)?"""
    return _OBSCENE.search(text.lower().replace("ё", "е")) is not None


def example(
    text: str,
    grounds: Iterable[Ground],
    labelled: Iterable[Ground],
    source: str,
    *,
    weight: float = 1.0,
    key: str | None = None,
    post_text: str | None = None,
) -> Example:
    key = key or split_key(text)
    return Example(text.strip(), frozenset(grounds), frozenset(labelled), source, key, weight, post_text)


def toxic(text: str, source: str, weight: float = 1.0, key: str | None = None) -> Example:
    """A generic "toxic" label: мат when the roots are there (insult then unknown), otherwise an insult."""
    if is_obscene(text):
        return example(text, {_G.OBSCENITY}, {_G.OBSCENITY} | NOT_COMMERCIAL, source, weight=weight, key=key)
    return example(text, {_G.DEFAMATION}, TOXIC_SPEAKS, source, weight=weight, key=key)


def clean(
    text: str,
    source: str,
    speaks: frozenset[Ground] = CLEAN_SPEAKS,
    weight: float = 1.0,
    key: str | None = None,
) -> Example:
    """A text its source calls harmless; мат in it still counts as obscenity."""
    grounds = {_G.OBSCENITY} if _G.OBSCENITY in speaks and is_obscene(text) else set()
    return example(text, grounds, speaks, source, weight=weight, key=key)


def read_csv(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f, delimiter=delimiter)


def read_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        yield from (line.strip() for line in f if line.strip())
