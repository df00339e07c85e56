"""Synthetic but checksum-valid personal-data values for the labelled comment sets.

The personal_data rows of dev.jsonl and train_own.jsonl need numbers that a real detector would accept
(SNILS and INN checksums, Luhn card numbers, plausible Russian mobile numbers), otherwise a checksum-aware
rule would rightly ignore them and the evaluation would lie. Every function takes a ``random.Random`` so
that a fixed seed reproduces the same values; nothing here touches files or the network.
"""

from __future__ import annotations

import random

__all__ = [
    "PHONE_FORMATS",
    "address_with_flat",
    "card_number",
    "email",
    "inn10",
    "inn12",
    "luhn_check_digit",
    "passport",
    "phone",
    "snils",
    "snils_check",
]

PHONE_FORMATS: tuple[str, ...] = (
    "+7 {a} {b}-{c}-{d}",
    "8 ({a}) {b}-{c}-{d}",
    "8{a}{b}{c}{d}",
    "+7{a}{b}{c}{d}",
    "8-{a}-{b}-{c}-{d}",
    "{a} {b} {c} {d}",
    "+7({a}){b}{c}{d}",
    "8 {a} {b} {c} {d}",
)

_MOBILE_CODES: tuple[str, ...] = (
    "903",
    "905",
    "909",
    "913",
    "923",
    "929",
    "952",
    "953",
    "960",
    "961",
    "962",
    "983",
    "999",
    "996",
)

_STREETS: tuple[str, ...] = (
    "ул. Комсомольская",
    "ул. Алтайская",
    "пр-т Ленина",
    "ул. Красная",
    "ул. Тракторная",
    "ул. Громова",
    "ул. Пролетарская",
    "Змеиногорский тракт",
    "ул. Светлова",
    "ул. Федоренко",
    "ул. Путевая",
    "ул. Октябрьская",
    "пер. Бульварный",
    "ул. Калинина",
    "ул. Северная",
)

_LATIN: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

_MAIL_DOMAINS: tuple[str, ...] = (
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "rambler.ru",
)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def snils_check(first9: str) -> str:
    """Two check digits of a SNILS from its first nine digits (Pension Fund rule)."""
    total = sum(int(d) * w for d, w in zip(first9, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    if total in (100, 101):
        total = 0
    return f"{total:02d}"


def snils(rng: random.Random, *, compact: bool = False) -> str:
    """A checksum-valid SNILS, as ``123-456-789 01`` or, when compact, eleven bare digits.

    Numbers up to 001-001-998 have no checksum at all, so the generator stays above them.
    """
    first9 = f"{rng.randrange(2_000_000, 999_999_999):09d}"
    check = snils_check(first9)
    if compact:
        return first9 + check
    return f"{first9[:3]}-{first9[3:6]}-{first9[6:]} {check}"


def _inn_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn10(rng: random.Random, region: str = "22") -> str:
    """A checksum-valid 10-digit INN (an organisation's) starting with the region code."""
    body = region + _digits(rng, 7)
    return body + _inn_digit(body, _W10)


def inn12(rng: random.Random, region: str = "22") -> str:
    """A checksum-valid 12-digit INN (a citizen's) starting with the region code."""
    body = region + _digits(rng, 8)
    body += _inn_digit(body, _W11)
    return body + _inn_digit(body, _W12)


def luhn_check_digit(partial: str) -> str:
    """The Luhn digit that makes ``partial + digit`` valid."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card_number(rng: random.Random, *, grouped: bool = True) -> str:
    """A Luhn-valid 16-digit bank card number with a Mir, Visa or Mastercard prefix."""
    prefix = rng.choice(("2200", "2202", "2204", "4276", "4279", "5469", "5536"))
    partial = prefix + _digits(rng, 11)
    number = partial + luhn_check_digit(partial)
    if not grouped:
        return number
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def phone(rng: random.Random, fmt: int | None = None) -> str:
    """A Russian mobile number in one of ``PHONE_FORMATS`` (random one unless ``fmt`` is given)."""
    template = PHONE_FORMATS[rng.randrange(len(PHONE_FORMATS)) if fmt is None else fmt]
    return template.format(
        a=rng.choice(_MOBILE_CODES), b=_digits(rng, 3), c=_digits(rng, 2), d=_digits(rng, 2)
    )


def passport(rng: random.Random, *, region: str = "01") -> str:
    """A passport series and number, ``01 15 123456`` (region code, two-digit year of the blank)."""
    year = rng.randrange(3, 24)
    return f"{region} {year:02d} {_digits(rng, 6)}"


def _translit(word: str) -> str:
    return "".join(_LATIN.get(ch, ch) for ch in word.lower())


def email(rng: random.Random, surname: str, first: str = "") -> str:
    """A private-looking e-mail built from a Cyrillic surname (and first name)."""
    local = _translit(surname)
    style = rng.randrange(4)
    if style == 0 and first:
        local = f"{_translit(first)}.{local}"
    elif style == 1:
        local = f"{local}{rng.randrange(70, 100)}"
    elif style == 2 and first:
        local = f"{_translit(first)[0]}{local}{rng.randrange(1, 30)}"
    else:
        local = f"{local}_{rng.randrange(1960, 2012)}"
    return f"{local}@{rng.choice(_MAIL_DOMAINS)}"


def address_with_flat(rng: random.Random) -> str:
    """A home address down to the flat, in one of the ways people write it."""
    street = rng.choice(_STREETS)
    house = rng.randrange(1, 160)
    flat = rng.randrange(1, 240)
    style = rng.randrange(3)
    if style == 0:
        return f"{street}, д. {house}, кв. {flat}"
    if style == 1:
        return f"{street} {house}-{flat}"
    bare = street.removeprefix("ул. ").removeprefix("пр-т ").removeprefix("пер. ")
    return f"{bare} {house} кв {flat}"
