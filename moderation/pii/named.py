"""Numbers a citizen names as their own documents, whatever their check digits say.

documents.py trusts a number only when its check digit holds, because prices, order numbers and appeal
numbers have the same shapes. When the words right before the number say what it is ("номер карты",
"мой ИНН", "СНИЛС мамы"), a mistyped or made-up check digit does not make it less of a card, INN or SNILS
to a moderator: it goes to review. With its check digit right it is deleted, as documents.py does when the
naming word stands right before it; a number without its naming word stays nobody's data.

Documents without check digits are found the same way, by their naming word and shape: a foreign
passport, a driving licence, an OMS policy, a child's birth certificate.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from moderation.pii.checksums import inn_valid, luhn_valid, only_digits, snils_valid
from moderation.pii.common import mask_digits, pii_evidence
from moderation.types import Evidence

#: Between the naming word and the number: "номер карты: ", "ИНН № ", "карты Сбербанка ", "СНИЛС мамы ".
_BRIDGE = (
    r"(?:[ \u00a0]*(?:[:№#-]|номер\w*|мо[йяеи]\w*|наш\w*|сбер\w*|банк\w*|мир|visa"
    r"|сына|доч\w*|реб[её]нка|мам[ыеу]|матери|пап[ыеу]|отца|мужа|жены|бабушки|дедушки|брата|сестры"
    r"|свекрови|т[её]щи)){0,4}[ \u00a0:№#-]*"
)

_CARD = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:карт[аыуеоч]\w*|card)" + _BRIDGE + r"(?P<number>(?<![0-9])(?:[0-9]{16}"
    r"|[0-9]{4}(?P<sep>[ \u00a0-])[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{4})(?![0-9])(?![ -][0-9]))",
    re.IGNORECASE,
)
_INN = re.compile(
    r"(?<![а-яёА-ЯЁ])инн" + _BRIDGE + r"(?P<number>(?<![0-9])[0-9]{12}(?![0-9])(?![ -][0-9]))",
    re.IGNORECASE,
)
_SNILS = re.compile(
    r"(?<![а-яёА-ЯЁ])снилс\w*" + _BRIDGE + r"(?P<number>(?<![0-9])[0-9]{3}(?P<sep>[ -]?)[0-9]{3}(?P=sep)"
    r"[0-9]{3}[ -]?[0-9]{2}(?![0-9])(?![ -][0-9]))",
    re.IGNORECASE,
)
#: Documents with no check digit: the naming word is the whole evidence, with the document's own shape.
_FOREIGN_PASSPORT = re.compile(
    r"(?<![а-яёА-ЯЁ])загран\w*"
    + _BRIDGE
    + r"(?P<number>(?<![0-9])[0-9]{2}[ \u00a0]?(?:№[ \u00a0]?)?[0-9]{7}(?![0-9]))",
    re.IGNORECASE,
)
#: "паспорт: 4512-345678", "паспортные данные 4512/345678" (documents.py takes spaces and "№" only), and
#: the other order, "номер паспорта 345678, серия 4512".
_PASSPORT = re.compile(
    r"(?<![а-яёА-ЯЁ])паспорт\w*"
    + r"(?:[ \u00a0]*(?:данн\w*|рф|сери\w*|и|номер\w*))*"
    + _BRIDGE
    + r"(?P<number>(?<![0-9])[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]*[-/][ \u00a0]*[0-9]{6}(?![0-9]))"
    r"|(?<![а-яёА-ЯЁ])номер\w*[ \u00a0]+паспорт\w*"
    + _BRIDGE
    + r"(?P<reversed>(?<![0-9])[0-9]{6}(?![0-9])[ \u00a0,;]*(?:сери[яи]\w*)[ \u00a0:№]*"
    r"[0-9]{2}[ \u00a0]?[0-9]{2}(?![0-9]))",
    re.IGNORECASE,
)
_LICENCE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:водительск\w*[ \u00a0]+(?:удостоверени\w*|прав\w*)|в/у)"
    + _BRIDGE
    + r"(?P<number>(?<![0-9])[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?(?:№[ \u00a0]?)?[0-9]{6}(?![0-9]))",
    re.IGNORECASE,
)
_OMS = re.compile(
    r"(?<![а-яёА-ЯЁ])полис\w*(?:[ \u00a0]+омс)?"
    + _BRIDGE
    + r"(?P<number>(?<![0-9])(?:[0-9]{16}|[0-9]{4}(?:[ \u00a0-][0-9]{4}){3})(?![0-9]))",
    re.IGNORECASE,
)
_BIRTH_CERTIFICATE = re.compile(
    r"(?<![а-яёА-ЯЁ])свидетельств\w*[ \u00a0]+о[ \u00a0]+рождении[^0-9\n]{0,30}?"
    r"(?P<number>(?:[IVXLХІ]{1,4}|[1-9])[ \u00a0]?-[ \u00a0]?[А-ЯЁ]{2}[ \u00a0]*(?:№[ \u00a0]*)?[0-9]{6})"
    r"(?![0-9])",
    re.IGNORECASE,
)

NAMED_BAD_CHECKSUM_SCORE = 0.65
NAMED_VALID_SCORE = 0.9
NAMED_DOCUMENT_SCORE = 0.9
_CHECK_FAILS = "контрольная сумма не сходится, но номер назван"


def _card(number: str) -> tuple[bool, str]:
    return luhn_valid(only_digits(number)), f"номер карты {mask_digits(number, 4, 4)}"


def _inn(number: str) -> tuple[bool, str]:
    return inn_valid(number), f"ИНН {mask_digits(number, 2, 2)}"


def _snils(number: str) -> tuple[bool, str]:
    return snils_valid(only_digits(number)), f"СНИЛС ***-***-*** {number[-2:]}"


_CHECKED: tuple[tuple[str, re.Pattern[str], str, Callable[[str], tuple[bool, str]]], ...] = (
    ("карт", _CARD, "pii.card", _card),
    ("card", _CARD, "pii.card", _card),
    ("инн", _INN, "pii.inn", _inn),
    ("снилс", _SNILS, "pii.snils", _snils),
)
#: (a substring every naming word contains, its pattern, rule, what the card calls it)
_DOCUMENTS = (
    ("загран", _FOREIGN_PASSPORT, "pii.passport", "загранпаспорт"),
    ("паспорт", _PASSPORT, "pii.passport", "паспорт"),
    ("водительск", _LICENCE, "pii.licence", "водительское удостоверение"),
    ("в/у", _LICENCE, "pii.licence", "водительское удостоверение"),
    ("полис", _OMS, "pii.oms", "полис ОМС"),
    ("рождени", _BIRTH_CERTIFICATE, "pii.birth_certificate", "свидетельство о рождении"),
)


def find_named_numbers(text: str) -> list[Evidence]:
    """Cards, INN and SNILS named as such (review when the check digit fails); named documents without one.

    Each pattern runs only where its naming word occurs at all (a substring check): most comments with
    digits name no document.
    """
    lowered = text.lower()
    found: dict[tuple[str, int], Evidence] = {}
    for stem, pattern, rule, judge in _CHECKED:
        if stem not in lowered:
            continue
        for match in pattern.finditer(text):
            valid, label = judge(match.group("number"))
            score = NAMED_VALID_SCORE if valid else NAMED_BAD_CHECKSUM_SCORE
            detail = label if valid else f"{label} ({_CHECK_FAILS})"
            found[(rule, match.start("number"))] = _named(match, rule, score, detail)
    for stem, pattern, rule, label in _DOCUMENTS:
        if stem not in lowered:
            continue
        for match in pattern.finditer(text):
            group = "number" if match.group("number") is not None else "reversed"
            detail = f"{label}: {mask_digits(match.group(group), 0, 2)}"
            found[(rule, match.start(group))] = _named(match, rule, NAMED_DOCUMENT_SCORE, detail, group)
    return list(found.values())


def _named(match: re.Match[str], rule: str, score: float, detail: str, group: str = "number") -> Evidence:
    return pii_evidence(rule, score, match.start(group), match.end(group), detail)
