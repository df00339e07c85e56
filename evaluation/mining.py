"""Candidate insult, slur and scam roots mined from the training split of every labelled source.

Words (pymorphy3 lemmas, as the lemma rules see them) and word pieces (character n-grams inside a word, which
find compounds: «ватно-», «-срач») are ranked by the log-odds of occurring in a toxic (or spam) comment rather
than a clean one, with an informative Dirichlet prior from the pooled counts (Monroe, Colaresi and Quinn
2008, "Fightin' words"), as a z-score. Set aside: features the rule lists already cover (a lemma or piece that
a rule matches by itself) and features whose toxic comments the rules already catch. Only the training split
is read (never the holdout, dev or check rows), and nothing prints or keeps a dataset's text: features,
counts, scores.

Run: ``python -m evaluation.mining`` (``--help`` for the options). A person reads the candidates and places
each in ``rules/*.toml`` with its ground and level; nothing is added automatically.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import pymorphy3
import typer
from rich.console import Console
from rich.table import Table

from evaluation.examples import Example
from moderation.lexicon.rules import Lexicon, load_rules
from moderation.text.analysis import Doc, analyze
from moderation.types import Ground

#: What is mined against clean comments: the grounds a positive row names.
TARGETS: dict[str, frozenset[Ground]] = {
    "insult": frozenset({Ground.DEFAMATION, Ground.OBSCENITY, Ground.PROVOCATION, Ground.LAW_VIOLATION}),
    "scam": frozenset({Ground.SPAM, Ground.ADVERTISING}),
}
LEMMA, PIECE = "лемма", "часть слова"
CAUGHT_SCORE = 0.5  # a comment counts as caught by the rules at this combined rule score on a target ground
_WORD = re.compile(r"[а-я]+")
# Pronouns, prepositions, conjunctions, particles, numerals: frequent in any quarrel, never a rule.
_FUNCTION_POS = frozenset({"NPRO", "PREP", "CONJ", "PRCL", "NUMR", "PRED"})
_morph = pymorphy3.MorphAnalyzer()


@dataclass(frozen=True, slots=True)
class Settings:
    piece_sizes: tuple[int, ...] = (4, 5, 6)
    min_positive: int = 8  # violating comments the rules miss that a feature must occur in
    min_sources: int = 2  # sources with at least two such comments (one source's slang or names are noise)
    prior_scale: float = 0.1  # the prior's weight: this share of the pooled counts
    top: int = 150


@dataclass(slots=True)
class Candidate:
    feature: str
    kind: str
    z: float
    missed: int  # violating comments with the feature that the rules miss (the ranking counts these)
    positive: int  # all violating comments with the feature
    negative: int  # clean comments with the feature
    sources: Counter[str] = field(default_factory=Counter)
    words: tuple[str, ...] = ()  # the commonest words it occurs in (single words, never a text)


@dataclass(slots=True)
class Counts:
    """Document counts of each feature: in violating comments the rules miss, in all violating comments and
    in clean ones; per source for the missed ones; word forms of the missed ones, to show and to prune."""

    missed: Counter[tuple[str, str]] = field(default_factory=Counter)
    positive: Counter[tuple[str, str]] = field(default_factory=Counter)
    negative: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_source: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    words: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)


def role(row: Example, target: frozenset[Ground]) -> str | None:
    """ "positive" when the row names a target ground, "negative" when its source calls it clean on them."""
    if row.grounds & target:
        return "positive"
    if not row.grounds and row.labelled & target:
        return "negative"
    return None


@lru_cache(maxsize=200_000)
def _content_word(lemma: str) -> bool:
    tag = _morph.parse(lemma)[0].tag
    return tag.POS not in _FUNCTION_POS and "Apro" not in tag


@lru_cache(maxsize=400_000)
def word_features(word: str, lemma: str, piece_sizes: tuple[int, ...]) -> frozenset[tuple[str, str]]:
    """A content word's lemma and every piece of it shorter than the word."""
    if not _WORD.fullmatch(lemma) or len(lemma) < 2 or not _content_word(lemma):
        return frozenset()
    found = {(LEMMA, lemma)}
    if _WORD.fullmatch(word):
        for n in piece_sizes:
            found.update((PIECE, word[i : i + n]) for i in range(len(word) - n + 1) if len(word) > n)
    return frozenset(found)


def features(doc: Doc, piece_sizes: tuple[int, ...]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for token in doc.words:
        found |= word_features(token.text, token.lemma, piece_sizes)
    return found


def count(
    rows: Iterable[Example], target: frozenset[Ground], lexicon: Lexicon | None, settings: Settings
) -> Counts:
    counts = Counts()
    for row in rows:
        side = role(row, target)
        if side is None:
            continue
        doc = analyze(row.text)
        found = features(doc, settings.piece_sizes)
        counts.rows[side] += 1
        if side == "negative":
            counts.negative.update(found)
            continue
        counts.positive.update(found)
        if lexicon is not None and caught(lexicon, doc, target):
            continue
        counts.rows["missed"] += 1
        counts.missed.update(found)
        counts.words.update({t.text for t in doc.words if _WORD.fullmatch(t.text)})
        for feature in found:
            counts.by_source.setdefault(feature, Counter())[row.source] += 1
    return counts


def caught(lexicon: Lexicon, doc: Doc, target: frozenset[Ground]) -> bool:
    remaining: dict[Ground, float] = {}
    for ev in lexicon.match(doc):
        if ev.ground in target:
            remaining[ev.ground] = remaining.get(ev.ground, 1.0) * (1.0 - ev.score)
    return any(1.0 - rest >= CAUGHT_SCORE for rest in remaining.values())


def log_odds_z(pos: int, neg: int, pos_total: int, neg_total: int, prior_scale: float) -> float:
    """Log-odds ratio of a feature in positive vs clean rows with an informative Dirichlet prior, over its
    standard deviation (Monroe et al. 2008, eq. 16-22). The prior for the feature is its pooled count times
    ``prior_scale``; the prior's total is the pooled total times the same."""
    alpha = prior_scale * (pos + neg)
    alpha0 = prior_scale * (pos_total + neg_total)
    a, b = pos + alpha, neg + alpha
    delta = math.log(a / (pos_total + alpha0 - a)) - math.log(b / (neg_total + alpha0 - b))
    return delta / math.sqrt(1.0 / a + 1.0 / b)


def rank(counts: Counts, settings: Settings, covered: Iterable[str] = ()) -> list[Candidate]:
    """Candidates by z of missed violating vs clean comments, most telling first: often enough, in enough
    sources, not covered; a word piece only when most of its words are not already explained by a piece or
    lemma placed above it (so «долбоёб» gives one piece, not five)."""
    pos_total = sum(counts.missed.values())
    neg_total = sum(counts.negative.values())
    skip = set(covered)
    scored: list[Candidate] = []
    for feature, missed in counts.missed.items():
        kind, text = feature
        sources = counts.by_source.get(feature, Counter())
        enough = sum(1 for n in sources.values() if n >= 2) >= settings.min_sources
        if missed < settings.min_positive or not enough or text in skip:
            continue
        neg = counts.negative[feature]
        z = log_odds_z(missed, neg, pos_total, neg_total, settings.prior_scale)
        if z > 0:
            scored.append(Candidate(text, kind, z, missed, counts.positive[feature], neg, sources))
    scored.sort(key=lambda c: (-c.z, c.feature, c.kind))
    chosen: list[Candidate] = []
    for cand in scored:
        if len(chosen) >= settings.top:
            break
        cand.words = _words_with(counts.words, cand)
        if cand.kind == PIECE and _explained(counts.words, cand, chosen):
            continue
        chosen.append(cand)
    return chosen


def _words_with(words: Counter[str], cand: Candidate, n: int = 3) -> tuple[str, ...]:
    if cand.kind == LEMMA:
        return (cand.feature,)
    return tuple(w for w, _ in Counter({w: k for w, k in words.items() if cand.feature in w}).most_common(n))


def _explained(words: Counter[str], piece: Candidate, chosen: Sequence[Candidate]) -> bool:
    """Do at least 60 % of the piece's occurrences fall in words that contain a piece already chosen, or
    that are a chosen lemma's usual forms (share its first five letters)?"""
    mine = {w: k for w, k in words.items() if piece.feature in w}
    total = sum(mine.values())
    if not total or not chosen:
        return False
    marks = [c.feature if c.kind == PIECE else c.feature[:5] for c in chosen]
    covered = sum(k for w, k in mine.items() if any(m in w for m in marks))
    return covered >= 0.6 * total


def covered_by_rules(lexicon: Lexicon, words: Iterable[str], target: frozenset[Ground]) -> set[str]:
    """The words (lemmas or pieces) a rule of a target ground matches when the word stands alone."""
    return {w for w in words if any(ev.ground in target for ev in lexicon.match(analyze(w)))}


def shipped_lexicon() -> Lexicon:
    """The rule lists of the rules package, as the daemon loads them."""
    root = resources.files("rules")
    sources = sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in root.iterdir()
        if entry.name.endswith(".toml")
    )
    return Lexicon(load_rules(sources))


def mine(
    rows: Iterable[Example], target: frozenset[Ground], settings: Settings, lexicon: Lexicon | None = None
) -> tuple[list[Candidate], Counts]:
    """Count, set aside what the rules cover, rank."""
    counts = count(rows, target, lexicon, settings)
    covered: set[str] = set()
    if lexicon is not None:
        eligible = {t for (_, t), n in counts.missed.items() if n >= settings.min_positive}
        covered = covered_by_rules(lexicon, eligible, target)
    return rank(counts, settings, covered), counts


# --- command line ------------------------------------------------------------------------------------------

_SHORT = {"ru_toxic_2ch_pikabu": "2ch", "russe_detox_2022": "detox", "ok_ru_toxic_sample": "ok.ru",
          "ru_sexism_vk": "vk", "ru_sexism_vk_forum": "форум", "snlp_inappropriate_sensitive": "snlp",
          "ru_abusive_sariellee": "abusive", "telegram_spam_ru": "tg_spam", "tg_spam_samples": "tg_samples",
          "rutoxicon": "rutoxicon", "own": "own"}  # fmt: skip


def _table(candidates: Sequence[Candidate], counts: Counts, kind: str) -> Table:
    table = Table(
        title=f"Кандидаты ({kind}): обучающая часть, {counts.rows['positive']} нарушающих комментариев "
        f"(правила пропускают {counts.rows['missed']}) и {counts.rows['negative']} чистых. "
        "«пропущено»: в скольких пропущенных есть кандидат, «всего»: во скольких нарушающих"
    )
    numbers = ("№", "z", "пропущено", "всего", "в чистых")
    columns = ("№", "кандидат", "вид", "z", "пропущено", "всего", "в чистых", "слова", "по источникам")
    for col in columns:
        table.add_column(col, justify="right" if col in numbers else "left")
    for i, c in enumerate(candidates, start=1):
        top = ", ".join(f"{_SHORT.get(s, s)} {n}" for s, n in c.sources.most_common(4))
        table.add_row(
            str(i),
            c.feature,
            c.kind,
            f"{c.z:.1f}",
            str(c.missed),
            str(c.positive),
            str(c.negative),
            ", ".join(c.words),
            top,
        )
    return table


def main(
    kind: Annotated[
        str, typer.Option(help="что искать: insult (оскорбления, брань, рознь) или scam (спам)")
    ] = "insult",
    top: Annotated[int, typer.Option(min=1, help="сколько кандидатов показать")] = 150,
    min_count: Annotated[
        int, typer.Option(min=1, help="в скольких нарушающих комментариях, пропущенных правилами, не меньше")
    ] = 8,
    min_sources: Annotated[int, typer.Option(min=1, help="в скольких источниках (по 2 и больше)")] = 2,
    pieces: Annotated[str, typer.Option(help="длины частей слова через запятую")] = "4,5,6",
    all_features: Annotated[
        bool, typer.Option("--all", help="не убирать то, что правила уже находят")
    ] = False,
    datasets: Annotated[
        Path | None, typer.Option(help="папка наборов (по умолчанию $DOZOR_DATASETS)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="вывод для программ (JSON)")] = False,
) -> None:
    """Кандидаты в словари правил из обучающей части размеченных наборов (тексты не выводятся)."""
    from evaluation.datasets import DatasetsMissing

    console = Console()
    if kind not in TARGETS:
        console.print(f"[red]--kind: {kind!r} не знаю; можно {', '.join(TARGETS)}[/red]")
        raise typer.Exit(2)
    try:
        sizes = tuple(sorted({int(p) for p in pieces.split(",") if p.strip()}))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 2:
        console.print("[red]--pieces: нужны целые длины от 2 через запятую, например 4,5,6[/red]")
        raise typer.Exit(2)
    try:
        rows, skipped = _training_rows(datasets)
    except DatasetsMissing as exc:
        console.print(f"[red]наборы данных не найдены: {exc}[/red]")
        raise typer.Exit(2) from exc
    settings = Settings(piece_sizes=sizes, min_positive=min_count, min_sources=min_sources, top=top)
    lexicon = None if all_features else shipped_lexicon()
    candidates, counts = mine(rows, TARGETS[kind], settings, lexicon)
    if as_json:
        out = [
            {"feature": c.feature, "kind": c.kind, "z": round(c.z, 2), "positive": c.positive,
             "negative": c.negative, "missed": c.missed, "sources": dict(c.sources), "words": list(c.words)}
            for c in candidates
        ]  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for source, reason in skipped.items():
        console.print(f"[yellow]пропущен {source}: {reason}[/yellow]")
    console.print(_table(candidates, counts, kind))


def _training_rows(datasets: Path | None) -> tuple[list[Example], dict[str, str]]:
    """The training split of every source (holdout, dev and check rows left out), and the skipped sources."""
    from evaluation.datasets import evaluation_keys, load_corpus, training_split

    corpus = load_corpus(datasets)
    return training_split(corpus, evaluation_keys()), corpus.skipped


app = typer.Typer(add_completion=False)
app.command()(main)

if __name__ == "__main__":
    app()
