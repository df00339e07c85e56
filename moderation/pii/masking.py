"""Personal data masked out of a text, by the same detectors that decide the personal_data ground.

Used where a citizen's text leaves the daemon for another purpose (training rows): what a moderator needs
to see on a card is exactly what must not travel on. Officials named in their public role and the
organisations' own phones and e-mails are not personal data and stay.
"""

from __future__ import annotations

from collections.abc import Iterable

from moderation.types import Evidence, Span

#: What stands in the place of each kind of finding: the row still says that a phone was there.
PLACEHOLDERS = {
    "pii.phone": "[телефон]",
    "pii.email": "[e-mail]",
    "pii.passport": "[паспорт]",
    "pii.snils": "[СНИЛС]",
    "pii.inn": "[ИНН]",
    "pii.card": "[номер карты]",
    "pii.address": "[адрес]",
    "pii.person_name": "[ФИО]",
    "pii.home": "[адрес]",
    "pii.minor": "[данные ребёнка]",
    "pii.licence": "[водительское удостоверение]",
    "pii.oms": "[полис ОМС]",
    "pii.birth_certificate": "[свидетельство о рождении]",
}
OTHER = "[персональные данные]"


def mask(text: str, findings: Iterable[Evidence]) -> str:
    """`text` with every span of the findings replaced by its placeholder (overlapping spans merged)."""
    spans = sorted(
        ((span, PLACEHOLDERS.get(evidence.rule, OTHER)) for evidence in findings for span in evidence.spans),
        key=lambda item: (item[0].start, -item[0].end),
    )
    out: list[str] = []
    position = 0
    for span, placeholder in _disjoint(spans):
        out.append(text[position : span.start])
        out.append(placeholder)
        position = span.end
    out.append(text[position:])
    return "".join(out)


def _disjoint(spans: list[tuple[Span, str]]) -> list[tuple[Span, str]]:
    """Sorted spans with every overlap folded into the earlier span (which keeps its placeholder)."""
    merged: list[tuple[Span, str]] = []
    for span, placeholder in spans:
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1][0].end:
            last, kept = merged[-1]
            merged[-1] = (Span(last.start, max(last.end, span.end)), kept)
        else:
            merged.append((span, placeholder))
    return merged
