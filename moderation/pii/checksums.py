"""Checksums of Russian identifiers and of payment cards.

A long run of digits in a comment is usually a price, an order number or a date; the check digit is what
tells a real SNILS, INN or card number from noise, so a number that fails it is never reported.
"""

from __future__ import annotations

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)

#: SNILS numbers up to 001-001-998 were issued before check digits existed and cannot be verified.
_SNILS_UNCHECKED_MAX = 1_001_998


def only_digits(text: str) -> str:
    """The ASCII digits of `text`, in order (separators dropped)."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by every payment card network."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def snils_check_digits(first_nine: str) -> int:
    """The two-digit control number of a SNILS (Pension Fund rules).

    Weighted sum with weights 9..1; below 100 it is the control number, 100 and 101 give 00, above 101
    the sum is taken modulo 101 and the same rules applied again.
    """
    total = sum(int(char) * (9 - index) for index, char in enumerate(first_nine))
    if total > 101:
        total %= 101
    if total in (100, 101):
        return 0
    return total


def snils_valid(digits: str) -> bool:
    """True for an 11-digit SNILS whose control number matches; unverifiable old numbers are False."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    if int(digits[:9]) <= _SNILS_UNCHECKED_MAX:
        return False
    return snils_check_digits(digits[:9]) == int(digits[9:])


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(char) * weight for char, weight in zip(digits, weights, strict=False)) % 11 % 10


def inn_valid(digits: str) -> bool:
    """Federal Tax Service check of a 10-digit (organisation) or 12-digit (person) INN."""
    if not digits.isascii() or not digits.isdigit():
        return False
    if len(digits) == 10:
        return _inn_digit(digits, _INN10_WEIGHTS) == int(digits[9])
    if len(digits) == 12:
        return _inn_digit(digits, _INN11_WEIGHTS) == int(digits[10]) and _inn_digit(
            digits, _INN12_WEIGHTS
        ) == int(digits[11])
    return False
