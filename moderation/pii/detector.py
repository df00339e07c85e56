"""Personal-data detector for the `personal_data` ground (clause 2.5: citizens' personal data is deleted).

Finds phones, e-mails, passports, SNILS, INN, card numbers, home addresses with a flat and full names of
private persons, each as Evidence with its span in the original text and a masked detail; a child's name
with their age or home (minors.py), documents named as such even when their check digit fails (named.py),
and a private person's full name beside the street and house they live at (homes.py). Ordinary
comments must cost well under 0.1 ms, so every detector sits behind a cheap gate (a digit, an '@', two
adjacent capitalised words) and NER runs only where a full name is plausible.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from moderation.pii.address import find_addresses
from moderation.pii.common import overlaps, pii_evidence
from moderation.pii.contacts import PhoneFinder, find_emails
from moderation.pii.documents import find_cards, find_inns, find_passports, find_snils
from moderation.pii.homes import House, find_houses, masked
from moderation.pii.minors import find_minors
from moderation.pii.named import find_named_numbers
from moderation.pii.names import NameFinder
from moderation.types import Evidence, Span

__all__ = ["PERSON_WITH_IDENTIFIER_SCORE", "PersonalDataDetector"]

_DIGIT = re.compile(r"[0-9]")
#: A passport, INN, SNILS or card has at least 10 digits; the shortest valid phone numbers have 7.
_FEWEST_DOCUMENT_DIGITS = 10
_FEWEST_PHONE_DIGITS = 7
#: The shortest named document (a birth certificate's number) has 6 digits.
_FEWEST_NAMED_DIGITS = 6

#: A name next to a phone or an address is no longer a guess: together they point at one person.
PERSON_WITH_IDENTIFIER_SCORE = 0.85
_IDENTIFYING_RULES = frozenset(
    {
        "pii.phone",
        "pii.email",
        "pii.passport",
        "pii.snils",
        "pii.inn",
        "pii.card",
        "pii.address",
        "pii.home",
        "pii.licence",
        "pii.oms",
        "pii.birth_certificate",
    }
)
#: A private person's full name and the street and house they live at ("Иванова Анна Петровна живёт на
#: Садовой 7"): a home address without a flat, deleted as one with a flat is.
HOME_WITH_NAME_SCORE = 0.85
_HOME_REACH = 120
#: Names below this (foreign or made-up ones) do not make a house someone's home.
_NAME_FOR_HOME = 0.5


class PersonalDataDetector:
    """Detects citizens' personal data in a comment.

    `public_officials` ("Фельдман Дмитрий Зиновьевич") are named in their public role and are not
    personal data, nor are `public_figures` (lines "Фамилия Имя" of a list of widely known people: heads
    of state, writers, artists, athletes, fictional characters); `organisation_phones` are the official
    numbers of the administration and its institutions; `official_email_domains` ("rubtsovsk.org") the
    same for e-mail.
    """

    def __init__(
        self,
        public_officials: Iterable[str] = (),
        organisation_phones: Iterable[str] = (),
        *,
        official_email_domains: Iterable[str] = (),
        public_figures: Iterable[str] = (),
    ) -> None:
        self._phones = PhoneFinder(organisation_phones)
        self._names = NameFinder(public_officials, public_figures)
        self._email_domains = frozenset(
            domain.strip().lower().lstrip("@") for domain in official_email_domains
        )

    def detect(self, text: str) -> list[Evidence]:
        """Every personal-data finding in `text`, ordered by position, at most one per stretch of text."""
        found: list[Evidence] = []
        digits = _DIGIT.search(text) is not None
        if digits:
            found += self._numbers(text)
        if "@" in text:
            found += find_emails(text, self._email_domains)
        minors = find_minors(text)
        people, minors = _absorb_names(self._names.find(text), minors)
        if digits and any(person.score >= _NAME_FOR_HOME for person in people):
            found += _homes_of(text, people, find_houses(text))
        found = _without_overlaps(found + people) + minors
        return sorted(_with_name_boost(found), key=lambda evidence: evidence.spans[0].start)

    def _numbers(self, text: str) -> list[Evidence]:
        digits = len(_DIGIT.findall(text))
        found = find_addresses(text)
        if digits >= _FEWEST_DOCUMENT_DIGITS:
            # Documents first: on a tie in score, the finding listed earlier keeps the span.
            found = [*find_passports(text), *find_snils(text), *find_inns(text), *find_cards(text), *found]
        if digits >= _FEWEST_NAMED_DIGITS:
            found += find_named_numbers(text)
        if digits >= _FEWEST_PHONE_DIGITS:
            found += self._phones.find(text)
        return found


def _absorb_names(people: list[Evidence], minors: list[Evidence]) -> tuple[list[Evidence], list[Evidence]]:
    """A child's full name ("Смирнов Егор, 2012 г.р.") is reported once, by the minor's finding, whose name
    span grows to the whole of it so that masking hides the surname too."""
    if not minors:
        return people, minors
    kept: list[Evidence] = []
    grown = list(minors)
    for person in people:
        a = person.spans[0]
        hit = next(
            (
                (index, position)
                for index, minor in enumerate(grown)
                for position, b in enumerate(minor.spans)
                if a.start < b.end and b.start < a.end
            ),
            None,
        )
        if hit is None:
            kept.append(person)
            continue
        index, position = hit
        minor = grown[index]
        spans = list(minor.spans)
        spans[position] = Span(min(a.start, spans[position].start), max(a.end, spans[position].end))
        grown[index] = Evidence(minor.rule, minor.ground, minor.score, tuple(spans), minor.detail)
    return kept, grown


def _beside(name: Span, house: House) -> bool:
    """Near the house but not part of it: "Максима Горького, 78" names a street, not a person."""
    if name.start < house.end and house.start < name.end:
        return False
    return abs(house.start - name.end) <= _HOME_REACH or abs(name.start - house.end) <= _HOME_REACH


def _homes_of(text: str, people: list[Evidence], houses: list[House]) -> list[Evidence]:
    """Streets and houses that the words before them call someone's home, beside a private person's name."""
    names = [person.spans[0] for person in people if person.score >= _NAME_FOR_HOME]
    found: list[Evidence] = []
    for house in houses:
        if not house.residence or house.place:
            continue
        if not any(_beside(name, house) for name in names):
            continue
        detail = f"домашний адрес рядом с ФИО: {masked(text, house)}"
        found.append(pii_evidence("pii.home", HOME_WITH_NAME_SCORE, house.start, house.end, detail))
    return found


def _without_overlaps(found: list[Evidence]) -> list[Evidence]:
    """Where findings cover the same characters, keep the one with the higher score (then the longer).

    Kept spans are disjoint, so a sorted list of them answers "does this overlap?" by bisection: a long
    text with a thousand findings stays linear-logarithmic.
    """
    ranked = sorted(
        enumerate(found),
        key=lambda item: (-item[1].score, -(item[1].spans[0].end - item[1].spans[0].start), item[0]),
    )
    starts: list[int] = []
    kept: list[Evidence] = []
    for _, evidence in ranked:
        span = evidence.spans[0]
        index = bisect.bisect_left(starts, span.start)
        if index < len(kept) and overlaps(evidence, kept[index]):
            continue
        if index > 0 and overlaps(evidence, kept[index - 1]):
            continue
        starts.insert(index, span.start)
        kept.insert(index, evidence)
    return kept


def _with_name_boost(found: list[Evidence]) -> list[Evidence]:
    if not any(evidence.rule in _IDENTIFYING_RULES for evidence in found):
        return _names_as_one(found)
    return [
        _rescored(evidence, PERSON_WITH_IDENTIFIER_SCORE) if evidence.rule == "pii.person_name" else evidence
        for evidence in found
    ]


def _names_as_one(found: list[Evidence]) -> list[Evidence]:
    """Names without a phone, address or document count as one signal, however many there are: scores add up,
    and "Джонни Депп и Вигго Мортенсен" or two writers named in one comment are no citizen. A name alone is a
    guess (NER cannot tell a neighbour from a celebrity it does not know), so it goes to a moderator and never
    deletes by itself; every name stays marked on the card."""
    names = [evidence for evidence in found if evidence.rule == "pii.person_name"]
    if len(names) < 2:
        return found
    strongest = max(names, key=lambda evidence: evidence.score)
    spans = tuple(sorted((span for evidence in names for span in evidence.spans), key=lambda sp: sp.start))
    merged = Evidence(strongest.rule, strongest.ground, strongest.score, spans, strongest.detail)
    return [evidence for evidence in found if evidence.rule != "pii.person_name"] + [merged]


def _rescored(evidence: Evidence, score: float) -> Evidence:
    if evidence.score >= score:
        return evidence
    detail = f"{evidence.detail} (вместе с другими персональными данными)"
    return Evidence(evidence.rule, evidence.ground, score, evidence.spans, detail)
