"""The deletion grounds as the regulation words them (resolution No. 63, clause 2.5), and scores in words.

Moderators and citizens read the clause, not a code: «п. 2.5, пп. 2 — ненормативная лексика». The sub-clause
numbers and words follow the text of the regulation: 1) violations of law; 2) spam, unverified claims about
officials, obscene language, off-topic content, advertising, citizens' personal data, requests to befriend,
vote or take part in a poll; 3) damage to honour, dignity or business reputation; 4) provoking conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation.types import Ground

CLAUSE = "2.5"


@dataclass(frozen=True, slots=True)
class Clause:
    """Where a ground stands in clause 2.5: its sub-clause and the regulation's own words for it."""

    sub: int
    words: str

    @property
    def ref(self) -> str:
        """«п. 2.5, пп. 2»"""
        return f"п. {CLAUSE}, пп. {self.sub}"

    @property
    def line(self) -> str:
        """«п. 2.5, пп. 2 — ненормативная лексика»"""
        return f"{self.ref} — {self.words}"


CLAUSES: dict[Ground, Clause] = {
    Ground.LAW_VIOLATION: Clause(
        1,
        "нарушение нормативных правовых актов Российской Федерации, Алтайского края "
        "и муниципальных нормативных правовых актов города Рубцовска",
    ),
    Ground.SPAM: Clause(2, "спам-рассылка"),
    Ground.UNVERIFIED_CLAIM: Clause(
        2,
        "неподтверждённые сведения о деятельности должностных лиц, органов государственной власти "
        "и органов местного самоуправления",
    ),
    Ground.OBSCENITY: Clause(2, "ненормативная лексика"),
    Ground.OFF_TOPIC: Clause(2, "контент, не относящийся к теме"),
    Ground.ADVERTISING: Clause(2, "реклама"),
    Ground.PERSONAL_DATA: Clause(2, "персональные данные граждан"),
    Ground.ENGAGEMENT_REQUEST: Clause(
        2,
        "просьба добавить в друзья (контакты), проголосовать за публикацию или фотографию, "
        "принять участие в опросе",
    ),
    Ground.DEFAMATION: Clause(3, "сведения, порочащие честь, достоинство или деловую репутацию"),
    Ground.PROVOCATION: Clause(
        4,
        "провокация граждан на конфликт, в том числе в сфере межнациональных и межконфессиональных отношений",
    ),
}

#: Short names for tight places (a line of a report, a button), still the regulation's words.
SHORT: dict[Ground, str] = {
    Ground.LAW_VIOLATION: "нарушение закона",
    Ground.SPAM: "спам",
    Ground.UNVERIFIED_CLAIM: "неподтверждённые сведения",
    Ground.OBSCENITY: "ненормативная лексика",
    Ground.OFF_TOPIC: "не по теме",
    Ground.ADVERTISING: "реклама",
    Ground.PERSONAL_DATA: "персональные данные",
    Ground.ENGAGEMENT_REQUEST: "просьба о друзьях или голосах",
    Ground.DEFAMATION: "порочит честь и достоинство",
    Ground.PROVOCATION: "провокация конфликта",
}

# Scores are the rules' and the model's confidence; a moderator reads them as words, not decimals.
_CONFIDENCE: tuple[tuple[float, str], ...] = (
    (0.95, "несомненно"),
    (0.85, "уверенно"),
    (0.7, "вероятно"),
    (0.5, "возможно"),
    (0.0, "слабый признак"),
)


def clause_of(ground: Ground) -> Clause:
    return CLAUSES[ground]


def confidence(score: float) -> str:
    """A score in plain words: «несомненно», «уверенно», «вероятно», «возможно», «слабый признак»."""
    for bound, words in _CONFIDENCE:
        if score >= bound:
            return words
    return _CONFIDENCE[-1][1]
