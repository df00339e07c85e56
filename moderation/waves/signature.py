"""A comment's text as a MinHash signature of its word shingles, after the project's normaliser.

Words are taken by their lemma (a changed ending is the same word), every number becomes one placeholder (a
spam wave rotates phone numbers and prices), every link and e-mail one placeholder each, and emoji are
dropped. The signature is 128 32-bit values (datasketch's default `affine32` scheme with a fixed seed), stored
as 512 bytes.
"""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash

from moderation.text.analysis import analyze

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
#: How many consecutive tokens make a shingle (1: the text's set of words, order ignored).
SHINGLE_TOKENS = 1
_PLACEHOLDERS = {"number": "<число>", "url": "<ссылка>", "email": "<почта>", "mention": "<упоминание>"}
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)


def tokens(text: str) -> list[str]:
    """The comment's tokens as shingles see them: lemmas and placeholders, emoji dropped."""
    out: list[str] = []
    for token in analyze(text).tokens:
        if token.kind == "word":
            out.append(token.lemma)
        elif token.kind in _PLACEHOLDERS:
            out.append(_PLACEHOLDERS[token.kind])
    return out


def shingles(text: str, size: int = SHINGLE_TOKENS) -> frozenset[str]:
    """The set of `size` consecutive tokens (a shorter text is one shingle of what it has)."""
    words = tokens(text)
    if len(words) <= size:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def minhash(items: frozenset[str]) -> LeanMinHash:
    """The MinHash signature of a set of shingles."""
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_TEMPLATE.permutations, scheme=SCHEME)
    sketch.update_batch([item.encode("utf-8") for item in sorted(items)])
    return LeanMinHash(sketch)


def to_bytes(signature: LeanMinHash) -> bytes:
    """The signature's values as little-endian 32-bit integers (512 bytes)."""
    return np.asarray(signature.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    """A signature read back from `to_bytes`; ValueError when the bytes are not one."""
    if len(data) != NUM_PERM * 4:
        raise ValueError(f"a signature is {NUM_PERM * 4} bytes, not {len(data)}")
    values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)
