"""Street and house without a flat: a place, unless the words around it say someone lives there.

"Яма у дома Ленина 12" is a lawful complaint about a road, so a house alone is never personal data by
itself (address.py needs the flat). Beside a private person's full name or a child's name and age it is
another matter: "живёт на Ленина 15" or "ул. Садовая, д. 7" after a missing child's details is where that
person sleeps. This module only finds the houses and says how they are introduced; the detector decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STREET_WORD = (
    r"(?:ул(?:\.|иц[аеуы]\b|\b)|пр(?:-к?т|осп\.|оспект\w*)|пер(?:\.|еул\w*)|б(?:-р|ульвар\w*)"
    r"|ш(?:\.|оссе)|проезд\w*|мкр(?:\.|н\.?)?|микрорайон\w*|тракт\w*)"
)
_STREET_NAME = r"[А-ЯЁ0-9][а-яё0-9-]+(?:[ \u00a0][А-ЯЁа-яё][а-яё]+)?"
_HOUSE = r"(?:д(?:ом|\.)?[ \u00a0]*(?:№[ \u00a0]*)?)?(?P<house>[0-9]{1,4})(?:[ \u00a0]?[а-д](?![а-яё]))?"

#: "ул. Садовая, д. 7", "улица Мира 15а", "пр-т Ленина дом 3".
_WITH_STREET_WORD = re.compile(
    rf"(?<![а-яёА-ЯЁ])(?i:{_STREET_WORD})[ \u00a0]*{_STREET_NAME},?[ \u00a0]*{_HOUSE}(?![0-9])"
    r"(?![ \u00a0]*(?:лет|год|г\.|кв))",
)
#: "живёт на Ленина 15", "проживает: Мира, 7": a house after a word that says someone lives there.
_AFTER_RESIDENCE = re.compile(
    r"(?P<cue>(?<![а-яёА-ЯЁ])(?i:жив[уёе]\w*|прожива\w+|прописан\w*|адрес\w*(?:[ \u00a0]+проживания)?"
    r"|места?[ \u00a0]+жительства))[ \u00a0:,-]*(?:на|по)?[ \u00a0]*"
    rf"(?P<street>(?i:{_STREET_WORD})[ \u00a0]*)?"
    rf"[А-ЯЁ][а-яё-]+(?:[ \u00a0][А-ЯЁ][а-яё]+)?,?[ \u00a0]*{_HOUSE}(?![0-9])",
)
#: Words saying the house is where someone lives.
_RESIDENCE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:жив[уёе]т?\w*|прожива\w+|прописан\w*|адрес\w*|места?[ \u00a0]+жительства|домой)",
    re.IGNORECASE,
)
#: Words saying the house is a place something happened or a public building: not a home.
_PLACE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:видел\w*|замечен\w*|заметил\w*|последний[ \u00a0]+раз|в[ \u00a0]+районе"
    r"|возле|около|напротив"
    r"|у[ \u00a0]+(?:дома|магазин\w*|школ\w*|остановк\w*)|магазин\w*|школ\w*|сад\w*|остановк\w*|поликлиник\w*"
    r"|больниц\w*|рын\w*|тц\b|парк\w*|площадк\w*|офис\w*|администраци\w*|кафе|аптек\w*)",
    re.IGNORECASE,
)
_CUE_REACH = 50


@dataclass(frozen=True, slots=True)
class House:
    """A street with a house number, and whether the words before it say someone lives there."""

    start: int
    end: int
    residence: bool
    place: bool


def find_houses(text: str) -> list[House]:
    """Every street-and-house in `text` (flat or not), with how it is introduced."""
    found: dict[int, House] = {}
    for match in _AFTER_RESIDENCE.finditer(text):
        start = match.start("street") if match.group("street") else match.end("cue")
        start = _skip_preposition(text, start, match.end())
        found[start] = House(start, match.end(), True, False)
    for match in _WITH_STREET_WORD.finditer(text):
        if any(house.start <= match.start() < house.end for house in found.values()):
            continue
        before = text[max(0, match.start() - _CUE_REACH) : match.start()]
        sentence = re.split(r"[.!?\n]\s", before)[-1]
        residence = _RESIDENCE.search(sentence) is not None
        place = _PLACE.search(sentence) is not None
        found[match.start()] = House(match.start(), match.end(), residence, place)
    return sorted(found.values(), key=lambda house: house.start)


def _skip_preposition(text: str, start: int, end: int) -> int:
    """The span starts at the street, not at "на " or ": " before it."""
    piece = text[start:end]
    stripped = re.match(r"[ \u00a0:,-]*(?:(?:на|по)[ \u00a0]+)?", piece)
    return start + (stripped.end() if stripped else 0)


def masked(text: str, house: House) -> str:
    """The street's first letter and the digits hidden: 'ул. С*** д. *'."""
    value = text[house.start : house.end]
    value = re.sub(r"[0-9]", "*", value)
    return re.sub(r"([А-ЯЁ])[а-яё]+", r"\1***", value)
