"""Phone numbers and e-mail addresses in comments.

A private person's phone or e-mail is personal data (clause 2.5); the official phones of the
administration and its institutions, emergency numbers and 8-800 lines are not, so they are excluded here
rather than left for moderators to wave through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from moderation.pii.common import pii_evidence
from moderation.types import Evidence

_REGION = "RU"

#: At least seven digits with the separators people put into phone numbers: the stretches of text the
#: (much slower) phonenumbers matcher is run on.
_PHONE_GATE = re.compile(r"[0-9](?:[ ()\-\u00a0.]{0,3}[0-9]){6,}")

_LONGEST_PLAIN_STRETCH = 80
_PLAIN_TRIES = 65535
_LONG_STRETCH_TRIES = 32

#: A number right after one of these words is a document, account or request number, not a phone.
_NOT_PHONE_BEFORE = re.compile(
    r"(?:\bинн|\bснилс|паспорт\w*|\bсери[яийю]|\bкарт[аыуео]\w*|\bсч[её]т\w*|\bл/с|\bдоговор\w*"
    r"|\bзаказ\w*|\bзаявк\w*|\bобращени\w*|\bрегистрац\w*)\s*(?:[:№#]|\bномер\w*)?\s*[:№]?\s*\Z",
    re.IGNORECASE,
)

#: Lines of organisations and services (toll-free 8-800, shared cost, premium, universal access).
_SERVICE_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.UAN,
    }
)
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

MOBILE_SCORE = 0.9
#: A landline in a comment is usually an office's number (citizens quote the numbers that do not answer); it
#: is a person's only when the words before it say so ("домашний", "мой", "соседки"): then a moderator
#: decides.
FIXED_LINE_SCORE = 0.75
FIXED_LINE_OFFICE_SCORE = 0.4
_PRIVATE_BEFORE = re.compile(
    r"(?i)(?:домашн\w*|мо[йяеи]\b|мне\b|наш\b|его\b|е[её]\b|их\b|сосед\w*|мам\w*|пап\w*|бабушк\w*|дедушк\w*|"
    r"сын\w*|доч\w*|муж\w*|жен\w*|брат\w*|сестр\w*|звоните мне)"
)
OTHER_PHONE_SCORE = 0.85
EMAIL_SCORE = 0.9

_PUBLIC_MAIL_HOSTS = frozenset(
    {
        "mail.ru",
        "bk.ru",
        "list.ru",
        "inbox.ru",
        "internet.ru",
        "yandex.ru",
        "ya.ru",
        "yandex.com",
        "rambler.ru",
        "gmail.com",
        "icloud.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
    }
)
# Mailboxes of an office, not of a person: on a domain of its own (not a public mail service) such an address
# belongs to an organisation («пишите на obr@adm-gorod.ru»), even one the page's config does not list.
_ROLE_WORDS = (
    "info mail office admin adm priem priemnaya reception obr obrashcheniya obrasheniya obrashenie appeal "
    "pr press smi kanc kancelyariya secretary sekretar post help support hotline feedback contact contacts "
    "school sch mfc uszn zhkh gkh dispatch dispetcher ds edds"
)
_ROLE_MAILBOXES = frozenset(_ROLE_WORDS.split())
_LOCAL_PARTS = re.compile(r"[._\-+]|\d+")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]{0,63}\Z")
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9а-яё](?:[A-Za-z0-9а-яё\-]{0,61}[A-Za-z0-9а-яё])?\.){1,8}(?:[A-Za-z]{2,24}|рф)(?![A-Za-z0-9а-яё])",
    re.IGNORECASE,
)


def organisation_mailbox(local: str, host: str) -> bool:
    """A government address, or an office mailbox (info@, priem@) on a domain that is not a mail service."""
    if host.endswith((".gov.ru", ".gosuslugi.ru")) or host == "gosuslugi.ru":
        return True
    first = next((part for part in _LOCAL_PARTS.split(local.lower()) if part), "")
    return host not in _PUBLIC_MAIL_HOSTS and first in _ROLE_MAILBOXES


def _masked_host(host: str) -> str:
    """A family domain ("ivanov-family.ru") names its owner; a public mail service does not."""
    if host in _PUBLIC_MAIL_HOSTS:
        return host
    return host[0] + "***." + host.rsplit(".", 1)[-1]


def to_e164(raw: str) -> str:
    """Normalise a configured phone to E.164; a value that is not a valid number is a config error."""
    try:
        number = phonenumbers.parse(raw, _REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"organisation phone {raw!r} is not a phone number: {error}") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"organisation phone {raw!r} is not a valid phone number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_e164(e164: str) -> str:
    """'+79131234567' -> '+7 9** ***-**-67': enough for a moderator to tell numbers apart, no more."""
    if e164.startswith("+7") and len(e164) == 12:
        national = e164[2:]
        return f"+7 {national[0]}** ***-**-{national[-2:]}"
    return e164[:3] + "*" * max(0, len(e164) - 5) + e164[-2:]


class PhoneFinder:
    """Finds private phone numbers, skipping the organisation's official ones and service lines."""

    def __init__(self, organisation_phones: Iterable[str] = ()) -> None:
        self._official = frozenset(to_e164(raw) for raw in organisation_phones)

    def find(self, text: str) -> list[Evidence]:
        """Phones in `text`, each scored by its line type.

        The matcher runs only on stretches of digits and separators (with a little context for a '+'
        or a bracket); on a stretch too long to be a couple of phones it gives up after a few tries, as
        "12 12 12 ..." would otherwise cost seconds.
        """
        found: list[Evidence] = []
        for candidate in _PHONE_GATE.finditer(text):
            start, end = max(0, candidate.start() - 3), min(len(text), candidate.end() + 2)
            tries = _PLAIN_TRIES if end - start <= _LONGEST_PLAIN_STRETCH else _LONG_STRETCH_TRIES
            for match in PhoneNumberMatcher(text[start:end], _REGION, Leniency.VALID, tries):
                evidence = self._judge(text, start + match.start, start + match.end, match.number)
                if evidence is not None:
                    found.append(evidence)
        return found

    def _judge(self, text: str, start: int, end: int, number: phonenumbers.PhoneNumber) -> Evidence | None:
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        if e164 in self._official:
            return None
        if _NOT_PHONE_BEFORE.search(text, max(0, start - 40), start) is not None:
            return None
        kind = phonenumbers.number_type(number)
        if kind in _SERVICE_TYPES:
            return None
        if kind in _MOBILE_TYPES:
            score, label = MOBILE_SCORE, "мобильный телефон"
        elif kind == PhoneNumberType.FIXED_LINE:
            private = _PRIVATE_BEFORE.search(text, max(0, start - 40), start) is not None
            score = FIXED_LINE_SCORE if private else FIXED_LINE_OFFICE_SCORE
            label = "городской телефон"
        else:
            score, label = OTHER_PHONE_SCORE, "телефон"
        return pii_evidence("pii.phone", score, start, end, f"{label} {mask_e164(e164)}")


def find_emails(text: str, official_domains: frozenset[str] = frozenset()) -> list[Evidence]:
    """E-mail addresses, except those on the organisation's official domains.

    Scans from each '@' outwards with bounded patterns, so a long text without a real address cannot
    make the regex engine backtrack over the whole of it.
    """
    found: list[Evidence] = []
    at = text.find("@")
    while at != -1:
        evidence = _email_at(text, at, official_domains)
        if evidence is not None:
            found.append(evidence)
        at = text.find("@", at + 1)
    return found


def _email_at(text: str, at: int, official_domains: frozenset[str]) -> Evidence | None:
    local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
    domain = _EMAIL_DOMAIN.match(text, at + 1)
    if local is None or domain is None:
        return None
    start = local.start()
    while start < at and text[start] == ".":
        start += 1
    if start == at:
        return None
    host = domain.group(0).lower()
    if any(host == official or host.endswith("." + official) for official in official_domains):
        return None
    if organisation_mailbox(text[start:at], host):
        return None
    detail = f"e-mail {text[start]}***@{_masked_host(host)}"
    return pii_evidence("pii.email", EMAIL_SCORE, start, domain.end(), detail)
