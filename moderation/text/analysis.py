"""Text analysis shared by rules and the classifier: normalisation that defeats disguise, tokens, lemmas.

Every token keeps its offsets into the ORIGINAL text, so that evidence can point at what a person wrote.
Three views of each word serve three needs:
- ``text``: conservative normalisation (NFKC, lower case, ё->е, look-alikes from Unicode's confusables
  table mapped only inside Russian words, digits only between letters, runs of three or more letters
  squeezed) — what the lemmatiser and the classifier see; ``norm``, which regex rules read, maps the same;
- ``lemma``: the pymorphy3 normal form of ``text`` (cached: a comment stream repeats its words);
- ``skeletons``: aggressive forms for lexicon matching (every look-alike mapped, doubled letters squeezed,
  stray digits turned into masks, a transliteration for Latin words) — what defeats "6ля", "xyй", "п*здец".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import pymorphy3

from moderation.text.lookalikes import DIGITS, LETTERS, SYMBOLS
from moderation.types import Span

_DROP = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f")
# Characters that need no per-character work: the common case takes the fast path.
_PLAIN = re.compile(r"[\x00-\x7fА-Яа-яЁё«»—–…№ ]*")

# Look-alikes from Unicode's confusables table (lookalikes.py). In ``norm`` (and so ``text``) they are mapped
# only inside words that already hold a Russian letter or a non-Latin look-alike; skeletons map them all.
_MASKS = "*#%!?.1257890_"  # what remains of a masked letter after mapping (п*здец, п1здец, х.у.й)
_SKELETON_MAP = str.maketrans({**LETTERS, **SYMBOLS, **DIGITS, **{c: "*" for c in _MASKS if c not in DIGITS}})
_JOINERS = str.maketrans("", "", "-'’")
_JOINERS_AS_MASK = str.maketrans({"-": "*", "'": "*", "’": "*"})
_SKELETON_MAP_NO_DIGIT_MASKS = str.maketrans({**LETTERS, **SYMBOLS, **DIGITS, **{c: "*" for c in "*#%!?._"}})
_JOINED_PARTS = re.compile(r"([-'’])")
_EXOTIC = frozenset(c for c in LETTERS if not c.isascii())
# Where a word has something to map: a Latin letter, digit or symbol next to a Russian letter, or a non-Latin
# look-alike. Only the words around such places reach the per-character work.
_MIXED = re.compile(r"[a-z0-9@$€][а-яё]|[а-яё][a-z0-9@$€]")
_WORD_SYMBOLS = frozenset("@$€")
_TRANSLIT = (
    ("shch", "щ"), ("sch", "щ"), ("yo", "е"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"), ("a", "а"), ("b", "б"), ("v", "в"),
    ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("l", "л"),
    ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"), ("h", "х"), ("c", "ц"), ("y", "ы"), ("x", "кс"), ("w", "в"), ("q", "к"),
)  # fmt: skip
_TRANSLIT_RE = re.compile("|".join(k for k, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)

_CYR = re.compile(r"[а-яё]")
_ALPHA = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")
_REPEAT3 = re.compile(r"([^\W\d_])\1{2,}")
_REPEAT2 = re.compile(r"([^*])\1+")
_NUMBER_UNIT = re.compile(r"\d+[а-я]{1,3}")  # 10кв, 5й, 100р: a number with a unit, not a disguise
_TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:ru|рф|com|net|org|me|io|su|info|"
    r"online|site|shop|store|pro|link|ly|cc|xyz|club)(?:/\S*)?)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<mention>@[a-z0-9_]{3,})"
    # "!" inside a word before a lower-case letter masks one (п!здец); "Привет!Как" stays two words.
    r"|(?P<word>(?:[^\W_]|[*@#$%])+(?:(?:['’\-]|!(?=[a-zа-яё*@#$%]))(?:[^\W_]|[*@#$%])+)*)"
    r"|(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF])"
)
_SEPARATOR_GAP = re.compile(r"[\s.,\-_*|/\\+~'`\"]{1,3}")
_TIGHT_CHARS = frozenset(".-_*|/\\+~'`")

_morph = pymorphy3.MorphAnalyzer()


@dataclass(frozen=True, slots=True)
class Offsets:
    """Where each character of the normalised text came from: [starts[i], ends[i]) in the original."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> Span:
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return Span(at, at)
        return Span(self.starts[start], self.ends[end - 1])


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a comment: normalised forms, lemma and where it stands in the original text."""

    text: str
    lemma: str
    start: int
    end: int
    kind: str  # word | number | url | email | mention | emoji
    skeletons: tuple[str, ...] = ()
    imperative: bool = False
    synthetic: bool = False  # made by joining separated letters (х.у.й), for lexicon matching only


@dataclass(frozen=True, slots=True)
class Doc:
    """An analysed comment."""

    text: str
    norm: str
    tokens: tuple[Token, ...]
    joined: tuple[Token, ...]
    offsets: Offsets | None  # None when the normalised text has the original's offsets

    @property
    def lemmas(self) -> tuple[str, ...]:
        return tuple(t.lemma for t in self.tokens)

    @property
    def words(self) -> tuple[Token, ...]:
        return tuple(t for t in self.tokens if t.kind == "word")

    def span(self, start: int, end: int) -> Span:
        """Map a [start, end) range of ``norm`` to the original text."""
        if self.offsets is None:
            return Span(start, end)
        return self.offsets.span(start, end)


def normalise(text: str) -> tuple[str, Offsets | None]:
    """NFKC, lower case, ё->е, invisible and combining characters dropped, look-alikes inside Russian words
    mapped to Russian letters, with offsets to the original (the mapping is one character for one)."""
    if _PLAIN.fullmatch(text):
        return map_lookalikes(text.lower().replace("ё", "е"), plain=True), None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = _normalise_cluster(text[i:j])
        out.append(chunk)
        starts.extend([i] * len(chunk))
        ends.extend([j] * len(chunk))
        i = j
    return map_lookalikes("".join(out)), Offsets(tuple(starts), tuple(ends))


def map_lookalikes(norm: str, plain: bool = False) -> str:
    """Look-alikes to Russian letters inside words written in Russian («пoдpaбoткa», «ᴨᴏдᴩᴀбᴏᴛᴋᴀ», «ρабота»):
    in a word that holds a Russian letter or a non-Latin look-alike every look-alike letter is mapped, a
    symbol (@ $ €) or a digit only between two letters («пи3дец», «е6аный», «бл@ть»). Numbers («3-х», «6-я»,
    «10кв») and words in Latin letters alone (links, «ok») stay as they are. Same length in, same out.
    ``plain``: the text holds only ASCII and Russian letters (no look-alike outside Latin to look for)."""
    places = [m.start() for m in _MIXED.finditer(norm)]
    if not plain and not _EXOTIC.isdisjoint(norm):  # a set test: a regex class of the whole table is slow
        places = sorted({*places, *(i for i, c in enumerate(norm) if c in _EXOTIC)})
    pieces: list[str] = []
    done = 0
    for place in places:
        if place < done:
            continue
        start, end = place, place + 1
        while start > done and _wordish(norm[start - 1]):
            start -= 1
        while end < len(norm) and _wordish(norm[end]):
            end += 1
        pieces += [norm[done:start], _map_word(norm[start:end])]
        done = end
    if not pieces:
        return norm
    pieces.append(norm[done:])
    return "".join(pieces)


def _wordish(char: str) -> bool:
    return (char.isalnum() and char != "_") or char in _WORD_SYMBOLS


def _map_word(word: str) -> str:
    if not _CYR.search(word) and _EXOTIC.isdisjoint(word):
        return word
    chars = [LETTERS.get(c, c) for c in word]
    last = len(word) - 1
    for i, c in enumerate(word):
        between = 0 < i < last and chars[i - 1].isalpha() and chars[i + 1].isalpha()
        if between and (c in DIGITS or c in SYMBOLS):
            chars[i] = DIGITS.get(c) or SYMBOLS[c]
    return "".join(chars)


def _normalise_cluster(cluster: str) -> str:
    """A base character with its combining marks: keep a composed letter (й), drop decoration (zalgo,
    stress)."""
    if cluster[0] in _DROP:
        return ""
    composed = unicodedata.normalize("NFKC", cluster)
    if len(composed) > 1 and any(unicodedata.combining(c) for c in composed):
        composed = "".join(c for c in composed if not unicodedata.combining(c))
    return composed.lower().replace("ё", "е")


@lru_cache(maxsize=65_536)
def _lemma(word: str) -> tuple[str, bool]:
    """The lemma of pymorphy3's most probable analysis, and whether that analysis is an imperative."""
    best = _dictionary_best(word) if len(word) > 1 and word.islower() else None
    if best is None:
        try:
            parse = _morph.parse(word)[0]
        except ValueError:  # pymorphy3 names each character: a code point without a name (𗀀) fails
            return word, False
        return parse.normal_form.replace("ё", "е"), "impr" in parse.tag
    return best


def _dictionary_best(word: str) -> tuple[str, bool] | None:
    """What ``_morph.parse(word)[0]`` gives for a lower-case dictionary word longer than one letter, without
    building every analysis: pymorphy3 ranks a dictionary word's analyses by P(tag | word), keeping the
    dictionary's order among equals, so the first most probable one wins and only its normal form is built.
    None for words outside the dictionary (pymorphy3 guesses those by analogy). tests/test_text.py checks
    that the two agree on real comments."""
    estimator = _morph.prob_estimator
    found = _morph.dictionary.words.similar_items(word, _morph.char_substitutes)
    if not found or estimator is None:
        return None
    build_tag = _morph.dictionary.build_tag_info
    prob = estimator.p_t_given_w.prob
    best: tuple[str, int, int, Any] | None = None
    best_p = -1.0
    for fixed, analyses in found:
        for para_id, idx in analyses:
            tag = build_tag(para_id, idx)
            p = prob(word, tag)
            if p > best_p:
                best, best_p = (fixed, para_id, idx, tag), p
    assert best is not None
    fixed, para_id, idx, tag = best
    return _morph.dictionary.build_normal_form(para_id, idx, fixed).replace("ё", "е"), "impr" in tag


@lru_cache(maxsize=65_536)
def _word_forms(raw: str) -> tuple[str, tuple[str, ...]]:
    """The conservative text and the aggressive skeletons of one raw (already lower-cased) word."""
    has_cyr = _CYR.search(raw) is not None
    text = _REPEAT3.sub(r"\1", raw)  # look-alikes are already mapped in the normalised text
    # Stray digits stand for masked letters only inside real words ("п1здец"), not in codes ("е61", "10кв");
    # a number joined by a hyphen or an apostrophe ("6-я", "3-х") is a number, never a letter.
    letters = sum(map(str.isalpha, raw))
    table = _SKELETON_MAP if letters >= 2 else _SKELETON_MAP_NO_DIGIT_MASKS
    parts = _JOINED_PARTS.split(raw)
    if len(parts) > 1 and any(p.isdigit() for p in parts[::2]):
        mapped = "".join(p if p.isdigit() else p.translate(table) for p in parts)
    else:
        mapped = raw.translate(table)
    joined = mapped.translate(_JOINERS)
    skeleton = _REPEAT2.sub(r"\1", joined)
    skeletons = [skeleton]
    if joined != mapped:
        skeletons.append(_REPEAT2.sub(r"\1", mapped.translate(_JOINERS_AS_MASK)))
    if not has_cyr and raw.isascii() and any(map(str.isalpha, raw)):
        translit = _REPEAT2.sub(r"\1", _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group(0)], raw))
        if translit != skeleton:
            skeletons.append(translit)
    return text, tuple(skeletons)


@lru_cache(maxsize=65_536)
def _word_info(raw: str) -> tuple[str, str, str, tuple[str, ...], bool]:
    """Everything about one raw word that does not depend on where it stands: (kind, text, lemma, skeletons,
    imperative). Cached: a comment stream repeats its words."""
    text, skeletons = _word_forms(raw)
    if not _ALPHA.search(text):
        marker = f"<num{min(sum(c.isdigit() for c in text), 12)}>"
        return "number", marker, marker, (), False
    if _CYR.search(text) and not _NUMBER_UNIT.fullmatch(text):
        lemma, imperative = _lemma(text)
    else:
        lemma, imperative = text, False
    return "word", text, lemma, skeletons, imperative


def _make_word(raw: str, start: int, end: int, synthetic: bool = False) -> Token:
    kind, text, lemma, skeletons, imperative = _word_info(raw)
    return Token(text, lemma, start, end, kind, skeletons, imperative, synthetic and kind == "word")


_MARKERS = {"url": "<url>", "email": "<email>", "mention": "<mention>"}


def _tokenise(norm: str) -> list[Token]:
    tokens: list[Token] = []
    for m in _TOKEN.finditer(norm):
        kind = m.lastgroup or "word"
        raw = m.group(0)
        if kind == "word":
            if _ALNUM.search(raw):
                tokens.append(_make_word(raw, m.start(), m.end()))
        else:
            tokens.append(Token(raw, _MARKERS.get(kind, raw), m.start(), m.end(), kind))
    return tokens


def _join_separated(norm: str, tokens: list[Token]) -> list[Token]:
    """Words written with separators inside them: "х.у.й", "х у й", "пи-здец", "бл.ть"."""
    joined: list[Token] = []
    run: list[Token] = []
    gaps: list[str] = []

    def flush() -> None:
        if len(run) >= 3:
            raw = "".join(norm[t.start : t.end] for t in run)
            joined.append(_make_word(raw, run[0].start, run[-1].end, synthetic=True))
        run.clear()
        gaps.clear()

    for tok in tokens:
        single = tok.kind == "word" and tok.end - tok.start == 1
        gap = norm[run[-1].end : tok.start] if run else ""
        separated = single and run and _SEPARATOR_GAP.fullmatch(gap)
        if separated and (not gaps or gaps[0] == gap):
            run.append(tok)
            gaps.append(gap)
            continue
        last = run[-1] if separated else None  # "и х.у.й": the run restarts at "х" with the new separator
        if run:
            flush()
        if last is not None:
            run.append(last)
            gaps.append(gap)
        if single:
            run.append(tok)
    flush()
    for left, right in pairwise(tokens):
        if right.start - left.end != 1 or norm[left.end] not in _TIGHT_CHARS:
            continue
        if left.kind == right.kind == "word":
            for raw in (
                norm[left.start : left.end] + norm[right.start : right.end],
                norm[left.start : right.end],
            ):
                joined.append(_make_word(raw, left.start, right.end, synthetic=True))
    return joined


def analyze(text: str) -> Doc:
    """Analyse one comment. Any Unicode text, empty or huge, gets a Doc without error."""
    norm, offsets = normalise(text)
    tokens = _tokenise(norm)
    joined = _join_separated(norm, tokens)
    if offsets is not None:
        tokens = [_shift(t, offsets) for t in tokens]
        joined = [_shift(t, offsets) for t in joined]
    return Doc(text, norm, tuple(tokens), tuple(joined), offsets)


def _shift(tok: Token, offsets: Offsets) -> Token:
    span = offsets.span(tok.start, tok.end)
    return Token(
        tok.text, tok.lemma, span.start, span.end, tok.kind, tok.skeletons, tok.imperative, tok.synthetic
    )
