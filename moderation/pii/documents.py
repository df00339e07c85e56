"""Identity documents and payment cards: passport, SNILS, INN, bank card numbers.

Each number must pass its official check digit (SNILS, INN, Luhn) or, for the passport which has
none, stand next to a word that says what it is; a bare number of the right length is at most sent to a
moderator, because prices, order numbers and dates have the same shapes.
"""

from __future__ import annotations

import re

from moderation.pii.checksums import inn_valid, luhn_valid, only_digits, snils_valid
from moderation.pii.common import mask_digits, pii_evidence
from moderation.types import Evidence

_PASSPORT = re.compile(
    r"(?<![0-9])(?P<series>[0-9]{2}[ \u00a0]?[0-9]{2})[ \u00a0,]*(?P<mark>(?:№|N|номер|н\.)[ \u00a0]*)?"
    r"(?P<number>[0-9]{6})(?![0-9])",
    re.IGNORECASE,
)
_PASSPORT_CONTEXT = re.compile(r"паспорт|\bсери[яиюей]\b", re.IGNORECASE)
#: The shape a passport is printed in ("45 12 345678"); rare for anything else, so it counts without context.
_PASSPORT_PRINTED = re.compile(r"[0-9]{2} [0-9]{2} [0-9]{6}")

_SNILS = re.compile(
    r"(?<![0-9])(?<![0-9][ -])[0-9]{3}(?P<sep>[ -]?)[0-9]{3}(?P=sep)[0-9]{3}(?P<last>[ -]?)[0-9]{2}"
    r"(?![0-9])(?![ -][0-9])"
)
_SNILS_CONTEXT = re.compile(r"\bснилс\w*[ \u00a0:№-]*\Z", re.IGNORECASE)

_INN = re.compile(r"(?<![0-9])(?:[0-9]{12}|[0-9]{10})(?![0-9])")
_INN_CONTEXT = re.compile(r"\bинн[ \u00a0:№-]*\Z", re.IGNORECASE)

_CARD = re.compile(
    r"(?<![0-9])(?<![0-9][ -])(?:[0-9]{13,19}"
    r"|[0-9]{4}(?P<sep>[ -])[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{1,4}(?:(?P=sep)[0-9]{1,3})?"
    r"|[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5})(?![0-9])(?![ -][0-9])"
)
_CARD_CONTEXT = re.compile(r"\bкарт[аыуеоч]\w*|\bcard\b|\bvisa\b|\bмир\b|\bсбер\w*", re.IGNORECASE)
#: Major networks start with 2 (Mir, Mastercard), 3 (Amex, JCB), 4 (Visa), 5 (Mastercard, Maestro), 6.
_CARD_NETWORK_FIRST_DIGITS = "23456"

PASSPORT_SCORE = 0.95
PASSPORT_SHAPE_ONLY_SCORE = 0.7
SNILS_SCORE = 0.95
INN_PERSON_CONTEXT_SCORE = 0.95
INN_PERSON_BARE_SCORE = 0.7
#: A 10-digit INN belongs to an organisation, which is public: a moderator decides.
INN_ORGANISATION_SCORE = 0.6
CARD_SCORE = 0.95
CARD_CONTEXT_SCORE = 0.85
CARD_UNKNOWN_NETWORK_SCORE = 0.6


def _context_before(text: str, start: int, pattern: re.Pattern[str], width: int = 40) -> bool:
    return pattern.search(text, max(0, start - width), start) is not None


def find_passports(text: str) -> list[Evidence]:
    """Passport series and number: certain with context words, a review case for the printed shape alone."""
    found: list[Evidence] = []
    for match in _PASSPORT.finditer(text):
        if _context_before(text, match.start(), _PASSPORT_CONTEXT) or match.group("mark"):
            score = PASSPORT_SCORE
        elif _PASSPORT_PRINTED.fullmatch(match.group(0)):
            score = PASSPORT_SHAPE_ONLY_SCORE
        else:
            continue
        series = mask_digits(match.group("series"), 0, 2)
        detail = f"паспорт: серия {series} номер ****{match.group('number')[-2:]}"
        found.append(pii_evidence("pii.passport", score, match.start(), match.end(), detail))
    return found


def find_snils(text: str) -> list[Evidence]:
    """SNILS written as 123-456-789 01 (or after the word СНИЛС) with a valid control number."""
    found: list[Evidence] = []
    for match in _SNILS.finditer(text):
        formatted = bool(match.group("sep")) and bool(match.group("last"))
        if not formatted and not _context_before(text, match.start(), _SNILS_CONTEXT):
            continue
        if not snils_valid(only_digits(match.group(0))):
            continue
        detail = f"СНИЛС ***-***-*** {match.group(0)[-2:]}"
        found.append(pii_evidence("pii.snils", SNILS_SCORE, match.start(), match.end(), detail))
    return found


def find_inns(text: str) -> list[Evidence]:
    """INN with valid check digits; a person's 12-digit INN scores high, an organisation's 10-digit low."""
    found: list[Evidence] = []
    for match in _INN.finditer(text):
        digits = match.group(0)
        if not inn_valid(digits):
            continue
        context = _context_before(text, match.start(), _INN_CONTEXT, width=16)
        if len(digits) == 12:
            score = INN_PERSON_CONTEXT_SCORE if context else INN_PERSON_BARE_SCORE
        elif context:
            score = INN_ORGANISATION_SCORE
        else:
            continue
        detail = f"ИНН {mask_digits(digits, 2, 2)}"
        found.append(pii_evidence("pii.inn", score, match.start(), match.end(), detail))
    return found


def find_cards(text: str) -> list[Evidence]:
    """Payment card numbers (13-19 digits, grouped or not) that pass the Luhn check."""
    found: list[Evidence] = []
    for match in _CARD.finditer(text):
        digits = only_digits(match.group(0))
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
            continue
        if digits[0] in _CARD_NETWORK_FIRST_DIGITS:
            score = CARD_SCORE
        elif _context_before(text, match.start(), _CARD_CONTEXT):
            score = CARD_CONTEXT_SCORE
        else:
            score = CARD_UNKNOWN_NETWORK_SCORE
        detail = f"номер карты {mask_digits(match.group(0), 4, 4)}"
        found.append(pii_evidence("pii.card", score, match.start(), match.end(), detail))
    return found
