"""Rule lists as data: loading the TOML files of rules/ and matching them against an analysed comment.

Rule kinds (see rules/README.md for the file format):
- ``root``: regexes anchored at the start of a word's skeleton (обсценные корни with their prefixes), with an
  exclusion list of legitimate words; masked letters (п*здец) are tried as each letter of the alphabet;
- ``lemma``: a set of lemmas (insults, slurs);
- ``phrase``: sequences of lemmas with small gaps (добавить в друг, поставить лайк), optionally only as a
  request;
- ``near``: a lemma of one set within a few words of a lemma of another (выгнать ... мигрант);
- ``regex``: a pattern over the normalised text (заработок от 5000 в день);
- ``all``: every one of its patterns found somewhere in the normalised text, in any order (a pay rate, a
  "write me privately" and a link together).
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import cast

import ahocorasick

from moderation.lexicon.prefilter import necessary_literals
from moderation.text.analysis import Doc, Token
from moderation.types import Evidence, Ground, Span

KINDS = ("root", "lemma", "phrase", "near", "regex", "all")
_MASK_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_MASKED_PER_COMMENT = 32  # bounds the work an adversarial text full of asterisks can cause
_REQUEST_LEMMAS = frozenset({"просить", "пожалуйста", "плиз", "умолять", "помочь"})


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class Rule:
    name: str
    ground: Ground
    score: float
    kind: str
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    masked_forms: tuple[str, ...] = ()
    lemmas: frozenset[str] = frozenset()
    phrases: tuple[tuple[frozenset[str], ...], ...] = ()
    near: tuple[frozenset[str], frozenset[str]] | None = None
    window: int = 4
    gap: int = 1
    request: bool = False
    description: str = ""
    compiled: tuple[re.Pattern[str], ...] = field(default=(), compare=False)
    excluded: re.Pattern[str] | None = field(default=None, compare=False)
    unless: re.Pattern[str] | None = field(default=None, compare=False)


def _phrase(text: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(part.split("|")) for part in text.split())


def _build(raw: dict[str, object], where: str, contexts: dict[str, list[str]] | None = None) -> Rule:
    try:
        name = str(raw["name"])
        ground = Ground(str(raw["ground"]))
        score = float(raw["score"])  # type: ignore[arg-type]
        kind = str(raw["kind"])
    except KeyError as exc:
        raise RuleFileError(f"{where}: missing key {exc.args[0]!r}") from exc
    except ValueError as exc:
        raise RuleFileError(f"{where}: {exc}") from exc
    if kind not in KINDS:
        raise RuleFileError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not 0.0 < score <= 1.0:
        raise RuleFileError(f"{where} ({name}): score must be in (0, 1], not {score}")
    patterns = tuple(str(p) for p in raw.get("patterns", ()))  # type: ignore[attr-defined]
    exclude = tuple(str(p) for p in raw.get("exclude", ()))  # type: ignore[attr-defined]
    unless_patterns = tuple(str(p) for p in raw.get("unless", ()))  # type: ignore[attr-defined]
    contexts = contexts or {}
    for context in raw.get("unless_context", ()):  # type: ignore[attr-defined]
        if context not in contexts:
            raise RuleFileError(
                f"{where} ({name}): unless_context {context!r} is not in this file's [contexts]"
            )
        unless_patterns += tuple(str(p) for p in contexts[context])
    try:
        compiled = tuple(re.compile(p) for p in patterns)
        excluded = re.compile("|".join(f"(?:{p})" for p in exclude)) if exclude else None
        unless = re.compile("|".join(f"(?:{p})" for p in unless_patterns)) if unless_patterns else None
    except re.error as exc:
        raise RuleFileError(f"{where} ({name}): bad regex: {exc}") from exc
    near = None
    if kind == "near":
        near = (
            frozenset(cast("Iterable[str]", raw.get("a", ()))),
            frozenset(cast("Iterable[str]", raw.get("b", ()))),
        )
    return Rule(
        name=name, ground=ground, score=score, kind=kind, patterns=patterns, exclude=exclude,
        masked_forms=tuple(str(f) for f in raw.get("masked_forms", ())),  # type: ignore[attr-defined]
        lemmas=frozenset(str(x) for x in raw.get("lemmas", ())),  # type: ignore[attr-defined]
        phrases=tuple(_phrase(str(p)) for p in raw.get("phrases", ())),  # type: ignore[attr-defined]
        near=near, window=int(raw.get("window", 4)), gap=int(raw.get("gap", 1)),  # type: ignore[call-overload]
        request=bool(raw.get("request", False)), description=str(raw.get("description", "")),
        compiled=compiled, excluded=excluded, unless=unless,
    )  # fmt: skip


def load_rules(sources: Iterable[tuple[str, str]]) -> list[Rule]:
    """Parse rule files given as (name, text) pairs. Names only serve error messages."""
    rules: list[Rule] = []
    seen: set[str] = set()
    for source_name, text in sources:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RuleFileError(f"{source_name}: {exc}") from exc
        contexts = data.get("contexts", {})
        for i, raw in enumerate(data.get("rule", []), start=1):
            rule = _build(raw, f"{source_name} rule #{i}", contexts)
            if rule.name in seen:
                raise RuleFileError(f"{source_name}: duplicate rule name {rule.name!r}")
            seen.add(rule.name)
            rules.append(rule)
    return rules


class Lexicon:
    """All rule lists, indexed for speed: most tokens are looked up once in a dict or a cache."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        self._roots = [r for r in self.rules if r.kind == "root"]
        self._regexes = [r for r in self.rules if r.kind == "regex"]
        self._by_lemma: dict[str, list[Rule]] = defaultdict(list)
        self._phrase_starts: dict[str, list[tuple[Rule, tuple[frozenset[str], ...]]]] = defaultdict(list)
        self._near = [r for r in self.rules if r.kind == "near"]
        self._all = [r for r in self.rules if r.kind == "all"]
        for rule in self.rules:
            for lemma in rule.lemmas:
                self._by_lemma[lemma].append(rule)
            for phrase in rule.phrases:
                for first in phrase[0]:
                    self._phrase_starts[first].append((rule, phrase))
        any_root = "|".join(f"(?:{p})" for r in self._roots for p in r.patterns) or r"(?!)"
        self._any_root = re.compile(any_root)
        self.root_match = lru_cache(maxsize=65_536)(self._root_match)
        # One search per regex rule says whether any of its patterns can fire; most comments skip the rest.
        self._regex_any = {r.name: _alternation(r.patterns) for r in self._regexes}
        self._literals = _LiteralIndex({r.name: _rule_literals(r) for r in self._regexes})

    def _root_match(self, skeleton: str) -> tuple[Rule, ...]:
        if "*" in skeleton:
            return self._masked_match(skeleton)
        if not self._any_root.match(skeleton):
            return ()
        return tuple(
            r for r in self._roots
            if any(p.match(skeleton) for p in r.compiled)
            and not (r.excluded and r.excluded.fullmatch(skeleton))
        )  # fmt: skip

    def _masked_match(self, skeleton: str) -> tuple[Rule, ...]:
        """п*здец, х**, бл*ть: try the masked places as letters (at most two masks) or as nothing."""
        stripped = skeleton.lstrip("*")
        letters = len(stripped) - stripped.count("*")
        if letters < 1 or len(stripped) > 14:
            return ()
        if stripped.count("*") > 2:
            return self._masked_form(stripped)
        found: dict[str, Rule] = {}
        for candidate in _unmask(stripped):
            for rule in self._root_match(candidate):
                found[rule.name] = rule
        return tuple(found.values())

    def _masked_form(self, skeleton: str) -> tuple[Rule, ...]:
        """Heavily masked words (о***ли, б***ь): each star one letter, compared with the rules' usual
        forms."""
        shape = re.compile("".join("." if c == "*" else re.escape(c) for c in skeleton))
        return tuple(r for r in self._roots if any(shape.fullmatch(form) for form in r.masked_forms))

    def match(self, doc: Doc) -> list[Evidence]:
        """Every rule that fires on the comment, with the spans it matched."""
        hits: dict[str, tuple[Rule, list[Span]]] = {}

        def add(rule: Rule, span: Span) -> None:
            hits.setdefault(rule.name, (rule, []))[1].append(span)

        for rule, span in chain(
            self._root_hits(doc), self._word_hits(doc.tokens), self._near_hits(doc.tokens)
        ):
            add(rule, span)
        strength: dict[str, int] = {}
        possible = self._literals.possible(doc.norm)
        for rule in self._regexes:
            if rule.name not in possible:
                continue  # every match of every pattern would contain one of its strings, and none is there
            any_pattern = self._regex_any[rule.name]
            if any_pattern is not None and not any_pattern.search(doc.norm):
                continue
            for pattern in rule.compiled:
                found = False
                for m in pattern.finditer(doc.norm):
                    add(rule, doc.span(m.start(), m.end()))
                    found = True
                strength[rule.name] = strength.get(rule.name, 0) + found
        for rule in self._all:
            found_all = [m for m in (p.search(doc.norm) for p in rule.compiled) if m is not None]
            if found_all and len(found_all) == len(rule.compiled):
                for m in found_all:
                    add(rule, doc.span(m.start(), m.end()))
        return [
            _evidence(rule, spans, strength.get(rule.name, 1))
            for rule, spans in hits.values()
            if rule.unless is None or not rule.unless.search(doc.norm)
        ]

    def _root_hits(self, doc: Doc) -> Iterator[tuple[Rule, Span]]:
        """Root rules on every token's skeletons, joined tokens included; masked skeletons are budgeted."""
        masked_budget = _MASKED_PER_COMMENT
        for tok in (*doc.tokens, *doc.joined):
            for skeleton in tok.skeletons:
                if "*" in skeleton:
                    masked_budget -= 1
                    if masked_budget < 0:
                        continue
                for rule in self.root_match(skeleton):
                    yield rule, Span(tok.start, tok.end)

    def _word_hits(self, words: tuple[Token, ...]) -> Iterator[tuple[Rule, Span]]:
        """Lemma rules and phrases, word by word."""
        for i, tok in enumerate(words):
            for rule in self._by_lemma.get(tok.lemma, ()):
                if rule.kind == "lemma":
                    yield rule, Span(tok.start, tok.end)
            for rule, phrase in self._phrase_starts.get(tok.lemma, ()):
                end = _match_phrase(words, i, phrase, rule.gap)
                if end is not None and (not rule.request or _is_request(words, i)):
                    yield rule, Span(tok.start, words[end].end)

    def _near_hits(self, words: tuple[Token, ...]) -> Iterator[tuple[Rule, Span]]:
        """Near rules whose two word sets both occur in the comment."""
        present = {t.lemma for t in words}
        for rule in self._near:
            assert rule.near is not None
            if present.isdisjoint(rule.near[0]) or present.isdisjoint(rule.near[1]):
                continue
            for span in _near_spans(words, rule):
                yield rule, span


def _unmask(skeleton: str) -> Iterator[str]:
    parts = skeleton.split("*")
    fills: list[str] = ["", *_MASK_LETTERS]
    if len(parts) == 2:
        for a in fills:
            yield parts[0] + a + parts[1]
    elif len(parts) == 3:
        for a in fills:
            for b in fills:
                yield parts[0] + a + parts[1] + b + parts[2]
    else:
        yield skeleton


def _match_phrase(
    words: tuple[Token, ...], i: int, phrase: tuple[frozenset[str], ...], gap: int
) -> int | None:
    """Index of the last word of the phrase starting at word i, allowing `gap` extra words between
    elements."""
    pos = i
    for element in phrase[1:]:
        for step in range(1, gap + 2):
            j = pos + step
            if j < len(words) and (words[j].lemma in element or "*" in element):
                pos = j
                break
        else:
            return None
    return pos


def _is_request(words: tuple[Token, ...], i: int) -> bool:
    """A request: the phrase opens with an imperative, or the comment asks (прошу, пожалуйста)."""
    return words[i].imperative or any(w.lemma in _REQUEST_LEMMAS for w in words)


def _near_spans(words: tuple[Token, ...], rule: Rule) -> Iterator[Span]:
    assert rule.near is not None
    a_set, b_set = rule.near
    a_pos = [i for i, w in enumerate(words) if w.lemma in a_set]
    if not a_pos:
        return
    b_pos = [i for i, w in enumerate(words) if w.lemma in b_set]
    for i in a_pos:
        for j in b_pos:
            if i != j and abs(i - j) <= rule.window:
                lo, hi = min(i, j), max(i, j)
                yield Span(words[lo].start, words[hi].end)


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """All patterns as one regex, or None when joining them would renumber a group a backreference
    names (the flood rule's «(\\w)\\1{14,}» in second place would point at the first pattern's group)."""
    if len(patterns) > 1 and any(_BACKREFERENCE.search(p) for p in patterns):
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


class _LiteralIndex:
    """Which regex rules can fire on a text: one Aho-Corasick pass over the text finds every rule's necessary
    strings at once (a loop of ``in`` tests per rule cost more than the regexes it saved)."""

    def __init__(self, literals: dict[str, tuple[str, ...] | None]) -> None:
        self._always = frozenset(name for name, lits in literals.items() if lits is None)
        owners: dict[str, set[str]] = defaultdict(set)
        for name, lits in literals.items():
            for lit in lits or ():
                owners[lit].add(name)
        self._automaton: ahocorasick.Automaton | None = None
        if owners:
            self._automaton = ahocorasick.Automaton()
            for lit, names in owners.items():
                self._automaton.add_word(lit, frozenset(names))
            self._automaton.make_automaton()

    def possible(self, text: str) -> frozenset[str]:
        """The names of the rules whose patterns might match somewhere in the text."""
        if self._automaton is None:
            return self._always
        found = set(self._always)
        for _, names in self._automaton.iter(text):
            found |= names
        return frozenset(found)


def _rule_literals(rule: Rule) -> tuple[str, ...] | None:
    """Strings one of which any match of any of the rule's patterns contains; None when a pattern has none."""
    found: set[str] = set()
    for pattern in rule.patterns:
        literals = necessary_literals(pattern)
        if literals is None:
            return None
        found |= literals
    return tuple(sorted(found))


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted spans with overlapping ones merged, so a card marks each matched place once."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start < merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return tuple(merged)


def _evidence(rule: Rule, spans: list[Span], distinct: int = 1) -> Evidence:
    """Several different patterns of one rule are several signals: 1 - (1 - score)^n, n at most 3."""
    score = round(1.0 - (1.0 - rule.score) ** max(1, min(distinct, 3)), 4)
    return Evidence(
        rule=rule.name, ground=rule.ground, score=score, spans=merge_spans(spans), detail=rule.description
    )
