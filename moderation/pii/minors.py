"""A child's or teenager's name with their age or home: personal data of a minor.

"Мой сын Петя, 9 лет" or "пропала девочка Аня, 12 лет" names a child and says how old they are; a street
and house where the child lives on top of that tells anyone where to find them. A first name alone
("сын Миша поступил") or an age alone ("сыну 9 лет, а площадки нет") is no one's personal data.

A missing-child appeal by relatives is humanely important, and a moderator may want it kept or reposted
by the press service, but the regulation still counts it as citizens' personal data: name and age go to a
moderator (review), name with a home address is deleted, as an adult's address with a flat is.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from moderation.pii.common import pii_evidence
from moderation.pii.homes import House, find_houses, masked
from moderation.pii.names import Kind, part_of
from moderation.types import Evidence, Span

#: Words that say the person spoken of is a child, or a missing person being searched for.
_CHILD = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:сын\w*|доч[ьекуи]\w*|реб[её]н\w*|дет(?:и|ей|ям|ьми|ках?)\b|мальчи\w+|девоч\w+"
    r"|девчон\w+|подрост\w+|школьни\w+|ученик\w*|ученица\w*|внук\w*|внучк\w*|племянни\w+|малыш\w*"
    r"|пасын\w+|падчериц\w*|пропал\w*|пропавш\w+|разыскива\w+|ушл[аи]?[ \u00a0]+из[ \u00a0]+дома|ищем|найти)",
    re.IGNORECASE,
)
#: Substrings every word of _CHILD contains, checked first.
_CHILD_STEMS = (
    "сын",
    "доч",
    "реб",
    "дет",
    "мальчи",
    "девоч",
    "девчон",
    "подрост",
    "школьни",
    "учени",
    "внук",
    "внучк",
    "племянни",
    "малыш",
    "пасын",
    "падчериц",
    "пропал",
    "пропавш",
    "разыскива",
    "из дома",
    "ищем",
    "найти",
)
_DIGIT = re.compile(r"[0-9]")
#: "9 лет", "(12 лет)", "12-ти лет", "3 года", "1 годик", "9-летний", "2016 г.р.", "2015 года рождения".
_AGE = re.compile(
    r"(?<![0-9])(?P<years>[0-9]{1,2})[ \u00a0]*(?:-?(?:ти|ми|х|и))?[ \u00a0]*"
    r"(?:лет\b|год(?:а|ик\w*)?\b|-?летн\w+)"
    r"|(?<![а-яёА-ЯЁ])(?P<word>"
    r"одно|двух|тр[её]х|четыр[её]х|пяти|шести|семи|восьми|девяти|десяти|одиннадцати|двенадцати|тринадцати"
    r"|четырнадцати|пятнадцати|шестнадцати|семнадцати)летн\w+"
    r"|(?<![0-9])(?P<born>(?:19|20)[0-9]{2})[ \u00a0]*(?:г\.?[ \u00a0]*р\.?|года[ \u00a0]+рождения)",
    re.IGNORECASE,
)
_ADULT_FROM = 18
#: "уже 5 лет", "за 3 года", "5 лет назад": how long, not how old.
_DURATION_BEFORE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:уже|за|через|на|более|больше|менее|меньше|около|почти|целых|целые|в[ \u00a0]+течение"
    r"|до|от|с|по|лет[ \u00a0]+через|ждем|ждём|ждут|жд[её]т)[ \u00a0]*\Z"
    r"|[0-9][ \u00a0]?[-–][ \u00a0]?\Z",
    re.IGNORECASE,
)
_DURATION_AFTER = re.compile(r"[ \u00a0]*(?:назад|подряд|спустя|как|уже)", re.IGNORECASE)
#: A child's name, their age and their address stand close together in any appeal or complaint.
_NAME_REACH = 60
_HOME_REACH = 160
_CHILD_REACH = 80
_AGE_AFTER_NAME = 20
_AGE_BEFORE_NAME = 3
_CAPITALISED = re.compile(r"(?<![А-ЯЁа-яё])[А-ЯЁ][а-яё]{1,15}(?![а-яё])")
#: Capitalised words that pymorphy3 may read as first names but that open sentences or name places.
_NOT_NAMES = frozenset(
    {
        "мира",
        "вера",
        "надежда",
        "любовь",
        "слава",
        "роза",
        "лев",
        "луна",
        "майя",
        "лол",
        "кек",
        "питер",
        "питере",
    }
)
#: "в Питере", "в Израиле", "на Мира": a place, even where pymorphy3 knows the word as a first name too.
_PLACE_PREPOSITION = re.compile(r"(?<![а-яёА-ЯЁ])(?:в|во|на|из|под)[ \u00a0]+\Z", re.IGNORECASE)

MINOR_NAME_AGE_SCORE = 0.7
MINOR_HOME_SCORE = 0.9


@dataclass(frozen=True, slots=True)
class _Age:
    start: int
    end: int


def _ages(text: str, today: date) -> tuple[list[_Age], list[_Age]]:
    """Ages under 18, and ages of adults ("сын Петя, 25 лет" is no child, whatever else is said)."""
    young: list[_Age] = []
    adult: list[_Age] = []
    for match in _AGE.finditer(text):
        if match.group("born") is None and _duration(text, match):
            continue
        years = match.group("years")
        born = match.group("born")
        grown = (years is not None and int(years) >= _ADULT_FROM) or (
            born is not None and today.year - int(born) >= _ADULT_FROM
        )
        (adult if grown else young).append(_Age(match.start(), match.end()))
    return young, adult


def _duration(text: str, match: re.Match[str]) -> bool:
    before = _DURATION_BEFORE.search(text, max(0, match.start() - 20), match.start()) is not None
    return before or _DURATION_AFTER.match(text, match.end()) is not None


class _Names:
    """The capitalised words of a text, read once, and which of them can be a child's first name."""

    def __init__(self, text: str) -> None:
        self._words = list(_CAPITALISED.finditer(text))
        self._starts = [word.start() for word in self._words]
        self._text = text
        self._judged: dict[int, bool] = {}

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """First names in text[start:end] (pymorphy3 reads them first as a first name).

        A first name with a patronymic beside it ("Дмитрий Зиновьевич") is how adults are addressed: no child.
        """
        low = bisect.bisect_left(self._starts, start)
        high = bisect.bisect_right(self._starts, end)
        return [
            (self._words[i].start(), self._words[i].end())
            for i in range(low, high)
            if self._words[i].end() <= end and self._is_name(i)
        ]

    def _is_name(self, index: int) -> bool:
        if index not in self._judged:
            self._judged[index] = self._judge(index)
        return self._judged[index]

    def _judge(self, index: int) -> bool:
        match = self._words[index]
        word = match.group(0)
        if word.lower() in _NOT_NAMES or part_of(word).kind is not Kind.NAME:
            return False
        if _PLACE_PREPOSITION.search(self._text, max(0, match.start() - 4), match.start()) is not None:
            return False
        beside = [self._words[i] for i in (index - 1, index + 1) if 0 <= i < len(self._words)]
        return not any(
            abs(other.start() - match.end()) <= 2 or abs(match.start() - other.end()) <= 2
            for other in beside
            if part_of(other.group(0)).kind is Kind.PATRONYMIC
        )


def _nearest(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    if not spans:
        return None
    return min(spans, key=lambda span: min(abs(span[0] - end), abs(start - span[1])))


def _may_name_a_child(text: str) -> bool:
    """Cheap substring checks before the child-word pattern: most comments speak of no child."""
    lowered = text.lower()
    return any(stem in lowered for stem in _CHILD_STEMS) and _CHILD.search(text) is not None


def find_minors(text: str, today: date | None = None) -> list[Evidence]:
    """A child's first name with an age under 18 (review) or with a home's street and house (delete)."""
    if not _may_name_a_child(text):
        return []
    ages, adult_ages = _ages(text, today or date.today())
    houses = find_houses(text) if _DIGIT.search(text) is not None else []
    homes = [house for house in houses if not house.place]
    if not ages and not any(house.residence for house in homes):
        return []
    found: list[Evidence] = []
    used: set[tuple[int, int]] = set()
    adults, sorted_homes = _Sorted.of(adult_ages), _Sorted.of(homes)
    names = _Names(text)
    anchors = [(age.start, age.end, True) for age in ages]
    anchors += [(house.start, house.end, False) for house in homes if house.residence]
    for start, end, is_age in sorted(anchors):
        reach = _NAME_REACH if is_age else _HOME_REACH
        name = _nearest(names.within(start - reach, end + reach), start, end)
        if name is None or name in used or not _child_near(text, name, start, end):
            continue
        if any(_age_of(name, age) for age in adults.near(name, _AGE_AFTER_NAME)):
            continue
        home = _home_near(sorted_homes, name)
        evidence = _evidence(text, name, (start, end) if is_age else None, home)
        if evidence is not None:
            used.add(name)
            found.append(evidence)
    return found


def _age_of(name: tuple[int, int], age: _Age) -> bool:
    """The age right after the name ("Петя, 25 лет") or right before it ("25-летний Петя")."""
    return 0 <= age.start - name[1] <= _AGE_AFTER_NAME or 0 <= name[0] - age.end <= _AGE_BEFORE_NAME


def _child_near(text: str, name: tuple[int, int], start: int, end: int) -> bool:
    left, right = min(name[0], start), max(name[1], end)
    return _CHILD.search(text, max(0, left - _CHILD_REACH), min(len(text), right + _CHILD_REACH)) is not None


@dataclass(frozen=True, slots=True)
class _Sorted:
    """Ages or houses sorted by start, with the starts for bisection: a long text with thousands of them
    stays linear-logarithmic."""

    items: Sequence[Any]
    starts: list[int]

    @classmethod
    def of(cls, items: Sequence[Any]) -> _Sorted:
        ordered = sorted(items, key=lambda item: item.start)
        return cls(ordered, [item.start for item in ordered])

    def near(self, name: tuple[int, int], reach: int) -> Sequence[Any]:
        low = bisect.bisect_left(self.starts, name[0] - reach)
        return self.items[low : bisect.bisect_right(self.starts, name[1] + reach)]


def _home_near(homes: _Sorted, name: tuple[int, int]) -> House | None:
    near = [house for house in homes.near(name, _HOME_REACH) if abs(house.start - name[1]) <= _HOME_REACH]
    return min(near, key=lambda house: abs(house.start - name[1])) if near else None


def _evidence(
    text: str, name: tuple[int, int], age: tuple[int, int] | None, home: House | None
) -> Evidence | None:
    first = text[name[0]] + "***"
    spans = [Span(*name)]
    if home is not None:
        spans += [Span(age[0], age[1])] if age is not None else []
        spans.append(Span(home.start, home.end))
        what = "имя и возраст, домашний адрес" if age is not None else "имя и домашний адрес"
        detail = f"данные несовершеннолетнего: {what} ({first}, {masked(text, home)})"
        score = MINOR_HOME_SCORE
    elif age is not None:
        spans.append(Span(age[0], age[1]))
        detail = (
            f"данные несовершеннолетнего: имя и возраст ({first}); "
            "если это поиск пропавшего ребёнка — решает модератор"
        )
        score = MINOR_NAME_AGE_SCORE
    else:
        return None
    ordered = tuple(sorted(spans, key=lambda span: span.start))
    evidence = pii_evidence("pii.minor", score, ordered[0].start, ordered[0].end, detail)
    return Evidence(evidence.rule, evidence.ground, evidence.score, ordered, evidence.detail)
