"""Full names of private persons, told apart from the public officials named in their public role.

Named-entity recognition costs about a millisecond, a thousand times the budget of an ordinary comment,
so it runs only where a cheap gate (adjacent capitalised words that pymorphy3 can read as a surname and a
first name, or a surname with initials) says a full name is plausible. Names are compared by lemma, so
"Фельдману Д.З." and "Дмитрию Зиновьевичу Фельдману" both match the official "Фельдман Дмитрий Зиновьевич".

Not a citizen's personal data either: a widely known person from the shipped list (public_figures.txt,
matched the same way), a name within a few words of a public role ("президент", "писатель", "Песков,
пресс-секретарь"). A transliterated foreign or made-up name ("Джонни Депп", "Ассасинс Крид") stays below
review unless a phone or an address stands in the same comment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from moderation.pii.common import mask_words, morph, pii_evidence
from moderation.pii.public import is_role, remembered_forebear, role_near
from moderation.types import Evidence

_GATE = re.compile(r"[А-ЯЁ][а-яё]+[ \u00a0]+[А-ЯЁ][а-яё.]|[А-ЯЁ]\.[ \u00a0]?[А-ЯЁ]")
_TOKEN = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?|[А-ЯЁ]\.")
_JOINER = re.compile(r"[ \u00a0]{0,3}")
_INITIALS_AFTER = re.compile(r"[ \u00a0]*[А-ЯЁ]\.(?:[ \u00a0]?[А-ЯЁ]\.)?")
_INITIALS_BEFORE = re.compile(r"[А-ЯЁ]\.(?:[ \u00a0]?[А-ЯЁ]\.)?[ \u00a0]*\Z")
#: "улица Максима Горького", "школа им. А.С. Пушкина": a name that names a place is not a person's data.
_PLACE_BEFORE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:ул|улиц\w*|пр|просп\w*|пр-т|пер|переул\w*|пл|площад\w*|бульвар\w*|б-р|им|имени"
    r"|шоссе|проезд\w*|мкр|парк\w*|сквер\w*)[ \u00a0.]*\Z",
    re.IGNORECASE,
)

PERSON_SCORE = 0.7
#: A transliterated foreign or made-up name ("Илон Маск", "Ассасинс Крид") is very unlikely to be a
#: Rubtsovsk citizen's: below the review threshold unless a phone or an address stands next to it.
FOREIGN_NAME_SCORE = 0.3
#: Used past the NER budget, where only morphology backs the finding.
PERSON_MORPHOLOGY_SCORE = 0.6
_CONTEXT = 100
_MAX_NER_WINDOWS = 8
#: NER time grows with its input; a window longer than a long comment is split.
_MAX_WINDOW = 1000
#: Surname, two first names and a patronymic; a longer run of capitalised words is cut into pieces.
_MAX_RUN_WORDS = 5
_FOREIGN_FIRST_NAMES_TEXT = """
    илон дональд джо барак билл хиллари джордж джон джонни чарльз ханна дэвид эмили пол вигго
    майкл джеймс уильям томас джек гарри питер стивен стив брэд анджелина бритни мэрилин элвис
    фредди курт ангела эммануэль олаф уинстон франклин авраам адольф бенито фидель джефф
    лионель криштиану диего хабиб майк ричард кейт мэри дженнифер скарлетт леонардо кристофер
    эрнест агата джоан эрих вольфганг людвиг иоганн пабло сальвадор чарли шерлок гомер барт"""
FOREIGN_FIRST_NAMES = frozenset(_FOREIGN_FIRST_NAMES_TEXT.split())


class Kind(Enum):
    """What one word of a full name is."""

    SURNAME = "surname"
    NAME = "name"
    PATRONYMIC = "patronymic"
    INITIAL = "initial"


@dataclass(frozen=True, slots=True)
class Part:
    """One word of a name with every lemma it may have and what it can be."""

    kind: Kind
    lemmas: frozenset[str]
    initial: str
    could_be_surname: bool
    could_be_name: bool


@dataclass(frozen=True, slots=True)
class FullName:
    """A name split into its parts; initials stand in for the first name and patronymic."""

    surnames: frozenset[str]
    names: frozenset[str]
    name_initial: str
    patronymic_initial: str

    @property
    def identifies(self) -> bool:
        """Surname with a first name or an initial: enough to point at one private person."""
        return bool(self.surnames) and bool(self.name_initial)

    def same_person(self, other: FullName) -> bool:
        """Same surname lemma, compatible first name (lemma or initial) and patronymic initial."""
        if not self.surnames & other.surnames or self.name_initial != other.name_initial:
            return False
        if self.names and other.names and not self.names & other.names:
            return False
        both = self.patronymic_initial and other.patronymic_initial
        return not both or self.patronymic_initial == other.patronymic_initial


@lru_cache(maxsize=1)
def _ner() -> Callable[[str], Any]:
    """natasha's NER tagger, loaded once on first use, run with a single BLAS thread.

    Its matrices are tiny: OpenBLAS waking its thread pool for them made one call 10-100 times slower
    (15 ms instead of 1.6 ms, up to 270 ms on a busy machine) than doing the work on the calling thread.
    """
    from natasha import NewsNERTagger
    from threadpoolctl import ThreadpoolController

    from moderation.offtopic.vectors import shared_embedding

    tagger = NewsNERTagger(shared_embedding())
    controller = ThreadpoolController()

    def tag(text: str) -> Any:
        with controller.limit(limits=1, user_api="blas"):
            return tagger(text)

    return tag


@lru_cache(maxsize=65536)
def part_of(word: str) -> Part:
    """How a capitalised word can take part in a full name (cached: names repeat across comments)."""
    if len(word) == 2 and word.endswith("."):
        return Part(Kind.INITIAL, frozenset(), word[0], False, False)
    best = {"Surn": 0.0, "Name": 0.0, "Patr": 0.0}
    lemmas: set[str] = {word.lower().replace("ё", "е")}
    for parse in morph().parse(word):
        for grammeme in best:
            if grammeme in parse.tag:
                best[grammeme] = max(best[grammeme], float(parse.score))
                lemmas.add(str(parse.normal_form).replace("ё", "е"))
    if best["Patr"] > 0 and best["Patr"] >= max(best["Name"], best["Surn"]):
        kind = Kind.PATRONYMIC
    elif best["Name"] > best["Surn"]:
        kind = Kind.NAME
    else:
        kind = Kind.SURNAME
    could_be_surname = best["Surn"] > 0 or not morph().word_is_known(word.lower())
    return Part(kind, frozenset(lemmas), word[0], could_be_surname, best["Name"] > 0)


def full_name(words: Iterable[str]) -> FullName:
    """Assemble the parts of a name, whatever their order and grammatical case."""
    surnames: set[str] = set()
    names: set[str] = set()
    initials: list[str] = []
    patronymic = ""
    for word in words:
        part = part_of(word)
        if part.kind is Kind.SURNAME:
            surnames |= part.lemmas
        elif part.kind is Kind.NAME:
            names |= part.lemmas
            initials.insert(0, part.initial)
        elif part.kind is Kind.PATRONYMIC:
            patronymic = part.initial
        else:
            initials.append(part.initial)
    name_initial = initials[0] if initials else ""
    if not patronymic and len(initials) > 1:
        patronymic = initials[1]
    return FullName(frozenset(surnames), frozenset(names), name_initial, patronymic)


def parse_official(raw: str) -> FullName:
    """An official's name from config, written "Фамилия Имя Отчество" or with initials."""
    words = [word.capitalize() if len(word) > 1 else word.upper() for word in re.findall(r"\w+\.?", raw)]
    words = [word[0] + "." if len(word) <= 2 and word.endswith(".") else word for word in words]
    name = full_name(words)
    if not name.surnames and words:
        name = FullName(part_of(words[0]).lemmas, name.names, name.name_initial, name.patronymic_initial)
    return name


def _is_entry(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def parse_public_figure(raw: str) -> FullName:
    """A line of the public figures list: "Фамилия Имя [Отчество]", the surname always first."""
    words = [word.capitalize() for word in re.findall(r"[\w-]+", raw)]
    if not words:
        return FullName(frozenset(), frozenset(), "", "")
    surnames = part_of(words[0]).lemmas
    names = part_of(words[1]).lemmas if len(words) > 1 else frozenset()
    initial = words[1][0] if len(words) > 1 else ""
    patronymic = words[2][0] if len(words) > 2 else ""
    return FullName(surnames, names, initial, patronymic)


def looks_foreign(words: Iterable[str]) -> bool:
    """A transliterated foreign first name, or a name none of whose words a Russian dictionary knows."""
    parts = [(word, part_of(word)) for word in words]
    named = [(word, part) for word, part in parts if part.kind is not Kind.INITIAL]
    if not named:
        return False
    if any(part.lemmas & FOREIGN_FIRST_NAMES for _, part in named):
        return True
    return not any(morph().word_is_known(word.lower()) for word, _ in named)


@dataclass(frozen=True, slots=True)
class _Run:
    """Adjacent capitalised words and initials: where a full name could be."""

    start: int
    end: int
    words: tuple[str, ...]


def _runs(text: str) -> list[_Run]:
    runs: list[_Run] = []
    words: list[str] = []
    start = end = 0
    for token in _TOKEN.finditer(text):
        if words and len(words) < _MAX_RUN_WORDS and _JOINER.fullmatch(text, end, token.start()):
            words.append(token.group(0))
        else:
            if len(words) > 1:
                runs.append(_Run(start, end, tuple(words)))
            words, start = [token.group(0)], token.start()
        end = token.end()
    if len(words) > 1:
        runs.append(_Run(start, end, tuple(words)))
    return runs


def _plausible(run: _Run) -> bool:
    """Some word may be a surname and another a first name or an initial."""
    parts = [part_of(word) for word in run.words]
    for i, first in enumerate(parts):
        if first.could_be_surname and any(
            j != i and (other.could_be_name or other.kind is Kind.INITIAL) for j, other in enumerate(parts)
        ):
            return True
    return False


def _person_words(words: Iterable[str]) -> list[str]:
    """Drop capitalised words that cannot be part of a name ("Спасибо", "Глава")."""
    kept = []
    for word in words:
        part = part_of(word)
        if part.could_be_surname or part.could_be_name or part.kind in (Kind.INITIAL, Kind.PATRONYMIC):
            kept.append(word)
    return kept


def _windows(text: str, runs: list[_Run]) -> list[tuple[int, int]]:
    """Context windows around the runs for NER, merged where they overlap."""
    merged: list[tuple[int, int]] = []
    for run in runs:
        start, end = max(0, run.start - _CONTEXT), min(len(text), run.end + _CONTEXT)
        if merged and start <= merged[-1][1] and end - merged[-1][0] <= _MAX_WINDOW:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _ner_people(text: str, start: int, end: int) -> list[tuple[int, int]]:
    markup = _ner()(text[start:end])
    return [(start + span.start, start + span.stop) for span in markup.spans if span.type == "PER"]


def _merge_people(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join PER spans split by NER ("Смирнова" + "Анна") and pull in adjacent initials."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or _JOINER.fullmatch(text, merged[-1][1], start)):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    result = []
    for start, end in merged:
        after = _INITIALS_AFTER.match(text, end)
        before = _INITIALS_BEFORE.search(text, max(0, start - 8), start)
        result.append((before.start() if before else start, after.end() if after else end))
    return result


class NameFinder:
    """Finds full names of private persons; public officials in config are not personal data."""

    def __init__(self, public_officials: Iterable[str] = (), public_figures: Iterable[str] = ()) -> None:
        self._officials = tuple(parse_official(raw) for raw in public_officials if raw.strip())
        figures = (parse_public_figure(line) for line in public_figures if _is_entry(line))
        self._figures = tuple(figure for figure in figures if figure.surnames)

    def find(self, text: str) -> list[Evidence]:
        """Full names (surname + first name or initials) of anyone not on the officials list."""
        if _GATE.search(text) is None:
            return []
        runs = [run for run in _runs(text) if _plausible(run) and not self._names_official(text, run)]
        if not runs:
            return []
        windows = _windows(text, runs)
        people: list[tuple[int, int]] = []
        for start, end in windows[:_MAX_NER_WINDOWS]:
            people.extend(_ner_people(text, start, end))
        found = [self._judge(text, start, end, PERSON_SCORE) for start, end in _merge_people(text, people)]
        if len(windows) > _MAX_NER_WINDOWS:
            unchecked_from = windows[_MAX_NER_WINDOWS][0]
            found += [
                self._judge(text, run.start, run.end, PERSON_MORPHOLOGY_SCORE)
                for run in runs
                if run.start >= unchecked_from
            ]
        return [evidence for evidence in found if evidence is not None]

    def is_official(self, name: FullName) -> bool:
        """Whether the name is one of the configured public officials, in any case or with initials."""
        return any(name.same_person(official) for official in self._officials)

    def is_public_figure(self, name: FullName) -> bool:
        """Whether the name is a widely known public figure's from the shipped list."""
        return any(name.same_person(figure) for figure in self._figures)

    def _names_official(self, text: str, run: _Run) -> bool:
        """The commonest full name on an official page is an official's: no NER needed to clear it.

        The same holds for a famous name and for a name beside a public role ("Президент Путин").
        """
        name = full_name(_person_words(run.words))
        if not name.identifies:
            return False
        if self.is_official(name) or self.is_public_figure(name):
            return True
        return any(is_role(word) for word in run.words) or role_near(text, run.start, run.end)

    def _judge(self, text: str, start: int, end: int, score: float) -> Evidence | None:
        if _PLACE_BEFORE.search(text, max(0, start - 20), start) is not None:
            return None
        value = text[start:end]
        words = _TOKEN.findall(value)
        name = full_name(_person_words(words))
        if not name.identifies or self.is_official(name) or self.is_public_figure(name):
            return None
        if any(is_role(word) for word in words) or role_near(text, start, end):
            return None
        if remembered_forebear(text, start):
            return None
        detail = f"ФИО частного лица: {mask_words(value)}"
        if looks_foreign(_person_words(words)):
            score = min(score, FOREIGN_NAME_SCORE)
            detail += " (иностранное или вымышленное имя)"
        return pii_evidence("pii.person_name", score, start, end, detail)
