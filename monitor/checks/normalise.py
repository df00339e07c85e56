"""Tolerant comparison of names, postal addresses, e-mails and phones as people actually type them.

A page is not wrong because it writes "пр-кт Ленина, 130" where the registry has "проспект Ленина, д. 130",
or "8 (38557) 9-64-01" where the registry has "+73855796401".
"""

from __future__ import annotations

import re

import phonenumbers

WORD = re.compile(r"[0-9a-zа-я]+")
HOUSE = re.compile(r"(\d+)\s*([а-я])\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
POSTCODE = re.compile(r"^\d{6}$")

#: Legal forms written out or abbreviated; both sides are expanded before comparing names.
LEGAL_FORMS: dict[str, str] = {
    "мбдоу": "муниципальное бюджетное дошкольное образовательное учреждение",
    "мбоу": "муниципальное бюджетное общеобразовательное учреждение",
    "мбудо": "муниципальное бюджетное учреждение дополнительного образования",
    "мбук": "муниципальное бюджетное учреждение культуры",
    "мбу": "муниципальное бюджетное учреждение",
    "мку": "муниципальное казенное учреждение",
    "мау": "муниципальное автономное учреждение",
    "мп": "муниципальное предприятие",
    "муп": "муниципальное унитарное предприятие",
}

#: Words that only say what kind of street, house or region follows; they carry no address of their own.
ADDRESS_NOISE: frozenset[str] = frozenset(
    [
        "г",
        "гор",
        "город",
        "ул",
        "улица",
        "пр",
        "пр-кт",
        "пркт",
        "кт",
        "просп",
        "проспект",
        "пер",
        "переулок",
        "б-р",
        "бульвар",
        "пл",
        "площадь",
        "ш",
        "шоссе",
        "д",
        "дом",
        "корп",
        "корпус",
        "к",
        "стр",
        "строение",
        "оф",
        "офис",
        "каб",
        "кабинет",
        "пом",
        "помещение",
        "мкр",
        "микрорайон",
        "р-н",
        "район",
        "край",
        "обл",
        "область",
        "респ",
        "республика",
        "россия",
        "рф",
        "российская",
        "федерация",
        "алтайский",
        "кр",
        "почтовый",
        "адрес",
        "индекс",
    ]
)

NAME_NOISE: frozenset[str] = frozenset(["и", "в", "на", "по", "г", "города", "город"])


def words(text: str) -> list[str]:
    """Lower-case words with ё folded and house letters glued to numbers ("130 а" -> "130а")."""
    folded = text.lower().replace("ё", "е")
    for short, full in (("пр-кт", "проспект"), ("пр-т", "проспект"), ("б-р", "бульвар")):
        folded = folded.replace(short, full)
    folded = HOUSE.sub(r"\1\2", folded)
    return WORD.findall(folded)


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        out.extend(LEGAL_FORMS[token].split() if token in LEGAL_FORMS else [token])
    return out


def name_present(official: str, text: str, coverage: float = 0.85) -> bool:
    """The official name (or nearly all its words, legal form expanded) appears in the page text."""
    wanted = [w for w in _expand(words(official)) if w not in NAME_NOISE]
    if not wanted:
        return True
    have = set(_expand(words(text)))
    found = sum(1 for w in wanted if w in have)
    return found / len(wanted) >= coverage


def address_tokens(address: str) -> set[str]:
    """The words that identify an address: street, house, city; without postcode, region and type words."""
    return {w for w in words(address) if w not in ADDRESS_NOISE and not POSTCODE.match(w)}


def address_present(address: str, text: str) -> bool:
    """Every identifying word of the registry address is on the page (order and abbreviations ignored)."""
    wanted = address_tokens(address)
    return bool(wanted) and wanted <= set(words(text))


def address_hint(text: str) -> str | None:
    """A fragment that looks like some postal address, to show what the page says instead."""
    match = re.search(r"(\b\d{6}\b|\bул\.|\bулица\b|\bпр-кт\b|\bпроспект\b|\bпер\.|\bадрес\b)", text, re.I)
    if not match:
        return None
    return text[match.start() : match.start() + 80].split("\n")[0].strip()


def emails(text: str) -> set[str]:
    return {m.lower().rstrip(".") for m in EMAIL.findall(text)}


def phone_key(raw: str, region: str = "RU") -> str | None:
    """E.164 form of a phone number written any usual way; None when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pretty_phone(e164: str) -> str:
    """'+73855796401' -> '+7 385 579-64-01': how a reader expects to see a number in a report."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phones(text: str, region: str = "RU") -> set[str]:
    """Every phone number written in the text, in E.164."""
    found = set()
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        found.add(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return found


def screen_name(address: str) -> str:
    """'@Rubtsovsk_Adm', 'https://vk.com/rubtsovsk_adm/' -> 'rubtsovsk_adm'."""
    value = address.strip().lower()
    value = re.sub(r"^(https?://)?(www\.|m\.)?(vk\.com|vk\.ru|t\.me|telegram\.me)/", "", value)
    return value.lstrip("@").strip("/").split("?")[0]
