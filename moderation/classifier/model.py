"""The learned signal: one calibrated linear score per deletion ground over lemma and character n-grams.

Why this shape: rules catch what can be written down (мат roots, phone numbers); the classifier catches the
rest of an insult or a spam mailing by its wording. Lemma n-grams generalise over Russian inflection;
character n-grams over the normalised text survive misspellings, look-alike letters and words pymorphy3 does
not know. A linear model is fast enough for the whole stream on one core and its weights can be stored as
plain arrays (see ``arrays``), so loading a model never runs code.

Feature extraction is one class used both for training and scoring, so the two cannot drift apart. Scoring
needs numpy and scipy only; training (scikit-learn) is in ``classifier_train``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any, Protocol

import ahocorasick
import numpy as np
import scipy.sparse as sp

from moderation.types import Ground

CHAR_NGRAMS = (2, 5)
CHAR_TEXT_LIMIT = 1000  # characters of a comment that feed character n-grams; lemmas cover the rest
CHAR_CACHE_LIMIT = 200_000  # words whose n-gram columns are remembered (a few tens of MB at most)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int32]]


class DocLike(Protocol):
    """What the classifier needs from ``moderation.text.analyze``: lemmas and the normalised text."""

    @property
    def norm(self) -> str: ...

    @property
    def lemmas(self) -> tuple[str, ...]: ...


def word_terms(lemmas: Sequence[str]) -> list[str]:
    """Lemma unigrams and bigrams: "не справляться" differs from "справляться"."""
    return [*lemmas, *map(" ".join, pairwise(lemmas))]


def char_terms(word: str) -> list[str]:
    """Character 2-5-grams of one space-padded word (like scikit-learn's ``char_wb``)."""
    lo, hi = CHAR_NGRAMS
    padded = f" {word} "
    size = len(padded)
    return [padded[i : i + n] for n in range(lo, min(hi, size) + 1) for i in range(size - n + 1)]


def char_words(norm: str) -> list[str]:
    """The words whose character n-grams describe a text (the first ``CHAR_TEXT_LIMIT`` characters)."""
    return norm[:CHAR_TEXT_LIMIT].split()


@dataclass(frozen=True)
class FeatureSpace:
    """Vocabularies and idf: TF-IDF (sublinear tf) per block, each block L2-normalised, side by side."""

    words: tuple[str, ...]
    chars: tuple[str, ...]
    idf: FloatArray
    _word_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _char_cache: dict[str, IntArray] = field(init=False, repr=False, compare=False)
    _char_automaton: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.idf.shape != (len(self.words) + len(self.chars),):
            raise ValueError("idf length does not match the vocabularies")
        object.__setattr__(self, "_word_index", {t: i for i, t in enumerate(self.words)})
        offset = len(self.words)
        object.__setattr__(self, "_char_cache", {})
        # Every vocabulary n-gram of a new word in one Aho-Corasick pass (instead of cutting the word into all
        # its n-grams in Python and looking each up): the vocabulary holds only n-grams of space-padded words.
        automaton = ahocorasick.Automaton()
        for i, term in enumerate(self.chars):
            automaton.add_word(term, offset + i)
        if self.chars:
            automaton.make_automaton()
        object.__setattr__(self, "_char_automaton", automaton)

    @property
    def size(self) -> int:
        return len(self.words) + len(self.chars)

    def transform(self, docs: Sequence[DocLike]) -> sp.csr_matrix:
        """A sparse row per document; unknown terms are dropped. Per-term work is cached per word."""
        pieces: list[IntArray] = []
        per_doc = np.zeros(len(docs), dtype=np.int64)
        get = self._word_index.get
        char_columns = self._char_columns
        for row, doc in enumerate(docs):
            pieces.append(np.array(list(map(get, word_terms(doc.lemmas), repeat(-1))), dtype=np.int32))
            words = char_words(doc.norm)
            pieces.extend(map(char_columns, words))
            per_doc[row] = len(words) + 1
        sizes = np.array([p.size for p in pieces], dtype=np.int64)
        lengths = np.bincount(np.repeat(np.arange(len(docs)), per_doc), weights=sizes, minlength=len(docs))
        indices = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lengths.astype(np.int64), out=indptr[1:])
        known = indices >= 0
        if not known.all():  # unknown lemma terms were marked -1
            indptr[1:] = np.cumsum(
                np.bincount(
                    np.repeat(np.arange(len(docs)), lengths.astype(np.int64)),
                    weights=known,
                    minlength=len(docs),
                )
            ).astype(np.int64)
            indices = indices[known]
        matrix = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(len(docs), self.size))
        matrix.sum_duplicates()
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf[matrix.indices]
        return _normalise_blocks(matrix, len(self.words))

    def _char_columns(self, word: str) -> IntArray:
        """Columns of a word's character n-grams, cached: a comment stream repeats its words."""
        cols = self._char_cache.get(word)
        if cols is None:
            found = [c for _, c in self._char_automaton.iter(f" {word} ")] if self.chars else []
            cols = np.array(found, dtype=np.int32)
            if len(self._char_cache) >= CHAR_CACHE_LIMIT:
                self._char_cache.clear()
            self._char_cache[word] = cols
        return cols

    @classmethod
    def fit(
        cls, docs: Sequence[DocLike], max_words: int = 60_000, max_chars: int = 120_000, min_df: int = 2
    ) -> FeatureSpace:
        """Keep the terms seen in the most documents (at least ``min_df``); idf as scikit-learn smooths it."""
        cache: dict[str, frozenset[str]] = {}
        word_df = _document_frequency(set(word_terms(d.lemmas)) for d in docs)
        char_df = _document_frequency(_char_term_set(d.norm, cache) for d in docs)
        words = _top_terms(word_df, max_words, min_df)
        chars = _top_terms(char_df, max_chars, min_df)
        n = len(docs)
        df = np.array([word_df[t] for t in words] + [char_df[t] for t in chars], dtype=np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return cls(tuple(words), tuple(chars), idf)


def _normalise_blocks(matrix: sp.csr_matrix, n_words: int) -> sp.csr_matrix:
    """L2-normalise the lemma block and the character block of each row separately, so that neither drowns
    the other (a comment has ten times more character n-grams than lemmas)."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    slot = rows * 2 + (matrix.indices >= n_words)
    norms = np.sqrt(np.bincount(slot, weights=matrix.data**2, minlength=2 * matrix.shape[0]))
    norms[norms == 0.0] = 1.0
    matrix.data /= norms[slot]
    return matrix


def _char_term_set(norm: str, cache: dict[str, frozenset[str]]) -> set[str]:
    terms: set[str] = set()
    for word in char_words(norm):
        grams = cache.get(word)
        if grams is None:
            grams = cache[word] = frozenset(char_terms(word))
        terms |= grams
    return terms


def _document_frequency(term_sets: Iterable[set[str]]) -> Counter[str]:
    df: Counter[str] = Counter()
    for terms in term_sets:
        df.update(terms)
    return df


def _top_terms(df: Counter[str], limit: int, min_df: int) -> list[str]:
    kept = [t for t, c in df.items() if c >= min_df]
    kept.sort(key=lambda t: (-df[t], t))  # ties by the term itself: the same data gives the same vocabulary
    return sorted(kept[:limit])


def default_model_path() -> Path:
    """Where ``dozor train`` writes the shipped model (inside the package, so it installs with it)."""
    return Path(__file__).resolve().parent / "trained" / "model.npz"


class Classifier:
    """Calibrated per-ground scores in [0, 1]. A ground missing from ``grounds`` has no model: treat it as 0.

    Scores are Platt-calibrated on out-of-fold predictions over the training mixture; they rank well but their
    absolute level reflects that mixture, not live traffic. Thresholds belong to the policy.
    """

    def __init__(
        self,
        space: FeatureSpace,
        grounds: tuple[Ground, ...],
        coef: np.ndarray[Any, np.dtype[np.float32]],
        intercept: FloatArray,
        platt: FloatArray,
        meta: dict[str, Any] | None = None,
    ) -> None:
        n = len(grounds)
        if coef.dtype != np.float32 or coef.shape != (space.size, n):
            raise ValueError("coefficients do not match the feature space and grounds")
        if intercept.shape != (n,) or platt.shape != (n, 2):
            raise ValueError("intercepts or calibration do not match the grounds")
        self.space = space
        self.grounds = grounds
        self.coef = coef
        self.intercept = intercept
        self.platt = platt
        self.meta: dict[str, Any] = dict(meta or {})
        stamp = str(self.meta.get("trained_at", "untrained"))
        self.version: str = f"linear-{stamp}-{str(self.meta.get('training_data_sha256', ''))[:8]}"

    def with_meta(self, meta: dict[str, Any]) -> Classifier:
        return Classifier(self.space, self.grounds, self.coef, self.intercept, self.platt, meta)

    def only(self, grounds: Iterable[Ground]) -> Classifier:
        """The same model restricted to some grounds (those that passed the holdout check)."""
        keep = [j for j, g in enumerate(self.grounds) if g in set(grounds)]
        return Classifier(
            self.space,
            tuple(self.grounds[j] for j in keep),
            np.ascontiguousarray(self.coef[:, keep]),
            self.intercept[keep],
            self.platt[keep],
            self.meta,
        )

    def probabilities(self, docs: Sequence[DocLike]) -> FloatArray:
        """Calibrated scores as an array (documents, grounds)."""
        if not docs:
            return np.zeros((0, len(self.grounds)))
        margins = np.asarray(self.space.transform(docs) @ self.coef, dtype=np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-(margins * self.platt[:, 0] + self.platt[:, 1])))

    def scores_batch(self, docs: Sequence[DocLike]) -> list[dict[Ground, float]]:
        """One dict per document, one score per learned ground. Batches are much faster than one by one."""
        probs = self.probabilities(docs).tolist()
        return [dict(zip(self.grounds, row, strict=True)) for row in probs]

    def scores(self, doc: DocLike) -> dict[Ground, float]:
        return self.scores_batch([doc])[0]
