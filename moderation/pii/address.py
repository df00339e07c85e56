"""Home addresses: a street with a house AND a flat number.

A house alone is a place ("яма у дома Ленина 12" is a lawful complaint about a road), a flat number makes
it where a particular family lives, which is personal data. So a finding always needs the flat.
"""

from __future__ import annotations

import re

from moderation.pii.common import overlaps, pii_evidence
from moderation.types import Evidence

_FLAT = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:кв(?:артир[аеуы]|\.|-ра)?)[ \u00a0]*(?:№[ \u00a0]*)?[0-9]{1,4}(?![0-9])"
    r"(?![ \u00a0]*(?:г\.|г\b|год))",
    re.IGNORECASE,
)

#: The house number right before the flat marker: "д. 12, ", "дом №12 корп. 2 ", "Ленина, 12а, ".
_HOUSE_BEFORE_FLAT = re.compile(
    r"(?:(?P<marker>(?<![а-яёА-ЯЁ])д(?:ом[аеу]?|\.)?[ \u00a0]*(?:№[ \u00a0]*)?)"
    r"|(?P<street>[А-ЯЁ][а-яё]{2,}(?:[ \u00a0][А-ЯЁ]?[а-яё]+)?(?:[ \u00a0]*,)?[ \u00a0]*))"
    r"[0-9]{1,4}(?:[ \u00a0]?[а-яА-Я](?![а-яёА-ЯЁ]))?(?:/[0-9]{1,3})?"
    r"(?:[ \u00a0,]*(?:к|корп|корпус|стр)\.?[ \u00a0]*[0-9]{1,3})?[ \u00a0,.;]*\Z"
)

_STREET = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:ул(?:\.|иц\w*|\b)|пр(?:-к?т|осп\.|оспект\w*|\.)|пер(?:\.|еул\w*)|б(?:-р|ульвар\w*)"
    r"|ш(?:\.|оссе)|проезд\w*|пл(?:\.|ощад\w*)|мкр(?:\.|н\.?)?|микрорайон\w*|тракт\w*|набережн\w*)",
    re.IGNORECASE,
)

#: "Ленина 12-45": house-flat with a dash, trusted only after a street word or a locative preposition.
#: A slash is not taken: "Ленина 12/1" is a corner house number.
_DASHED = re.compile(
    r"(?P<name>[А-ЯЁ][а-яё]+(?:[ \u00a0][А-ЯЁ][а-яё]+)?),?[ \u00a0]+(?:д(?:ом|\.)?[ \u00a0]*)?"
    r"(?P<house>[0-9]{1,4})[а-я]?[ \u00a0]?-[ \u00a0]?(?P<flat>[0-9]{1,4})(?![0-9])(?![\-/.:,][0-9])"
)
_DASH_GATE = re.compile(r"[0-9][а-я]?[ \u00a0]?-[ \u00a0]?[0-9]")
_LOCATIVE_BEFORE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:на|по|с|со|из|от|у|около|возле|напротив|адрес\w*|живу|живет|живёт|проживает|прописан\w*)"
    r"[ \u00a0:]+\Z",
    re.IGNORECASE,
)

ADDRESS_SCORE = 0.9
ADDRESS_NO_STREET_SCORE = 0.75
DASHED_STREET_SCORE = 0.8
DASHED_PREPOSITION_SCORE = 0.7
_LOOKBACK = 80
_RANGE_SPAN = 20
#: A street word before a full stop belongs to an earlier sentence ("ул." itself ends in a dot, so the
#: search starts after the street word).
_SENTENCE_END = re.compile(r"[.!?\n]\s+[А-ЯЁA-Z]|[!?\n]")


def find_addresses(text: str) -> list[Evidence]:
    """Addresses that reach down to a flat, with the span from the street word to the flat number."""
    found: list[Evidence] = []
    if "кв" in text or "Кв" in text or "КВ" in text:
        found += [item for item in (_with_flat_marker(text, m) for m in _FLAT.finditer(text)) if item]
    if _DASH_GATE.search(text) is None:
        return found
    for match in _DASHED.finditer(text):
        evidence = _dashed(text, match)
        if evidence is not None and not any(overlaps(evidence, other) for other in found):
            found.append(evidence)
    return found


def _last_street(text: str, start: int, end: int) -> re.Match[str] | None:
    """The last street word in text[start:end], if any."""
    last = None
    for match in _STREET.finditer(text, start, end):
        last = match
    return last


def _with_flat_marker(text: str, flat: re.Match[str]) -> Evidence | None:
    window_start = max(0, flat.start() - _LOOKBACK)
    house = _HOUSE_BEFORE_FLAT.search(text, window_start, flat.start())
    if house is None:
        return None
    street = _last_street(text, window_start, house.start() + 1)
    if street is not None and _SENTENCE_END.search(text, street.end(), house.start()) is None:
        start, score = street.start(), ADDRESS_SCORE
    elif house.group("street"):
        start, score = house.start(), ADDRESS_SCORE
    else:
        start, score = house.start(), ADDRESS_NO_STREET_SCORE
    return _address(text, start, flat.end(), score)


def _looks_like_house_range(match: re.Match[str]) -> bool:
    """'Ленина 12-16' in outage notices is a run of houses on one side of the street, not a flat."""
    house, flat = int(match.group("house")), int(match.group("flat"))
    return house < flat <= house + _RANGE_SPAN and (flat - house) % 2 == 0


def _dashed(text: str, match: re.Match[str]) -> Evidence | None:
    if _looks_like_house_range(match):
        return None
    window_start = max(0, match.start() - _LOOKBACK)
    street = _last_street(text, window_start, match.start())
    if street is not None and _SENTENCE_END.search(text, street.end(), match.start()) is None:
        return _address(text, street.start(), match.end(), DASHED_STREET_SCORE)
    if _LOCATIVE_BEFORE.search(text, max(0, match.start() - 20), match.start()) is not None:
        return _address(text, match.start(), match.end(), DASHED_PREPOSITION_SCORE)
    return None


def _address(text: str, start: int, end: int, score: float) -> Evidence:
    value = text[start:end]
    masked = re.sub(r"[0-9]", "*", value)
    return pii_evidence("pii.address", score, start, end, f"адрес с квартирой: {masked}")
