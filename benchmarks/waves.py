"""Spam waves: `python -m benchmarks.waves [--capacity N] [--lookups N] [--skip-quality]`.

Speed and memory: the index filled to capacity (the training split's spam of `telegram_spam_ru`, topped up
with made-up texts of random words), then each lookup timed over the split's ham and spam: the signature
(normaliser, lemmas, MinHash) and the index's answer apart; the memory the full index holds (tracemalloc:
Python objects and numpy arrays); how long a restart takes to read a full memory back from SQLite.

Quality on the training split of `telegram_spam_ru` (needs DOZOR_DATASETS or ../shared/datasets): the
messages in file order as if they arrived so and moderators deleted every spam message as spam, how many spam
messages a wave would have caught (a near-duplicate of an earlier spam message: the same text once
normalised, or only similar) and in how many waves, and how the shipped core alone decides those; then, with
every spam message remembered, how many ham messages would be deleted (false matches), at several thresholds
and minimum lengths; at the shipped settings also the training split's clean texts of the other public
sources (negative for spam). Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from datasketch import LeanMinHash

from evaluation.datasets import PUBLIC_SOURCES, datasets_root, load_telegram_spam, split_key
from models.db import make_engine
from models.migrate import upgrade
from models.store import Store
from models.waves import WaveRows
from moderation.config import DEFAULT_THRESHOLDS, ModerationConfig
from moderation.daemon.waves import WaveMemory
from moderation.types import Action, Comment, Ground, Platform
from moderation.waves.config import WavesPolicy
from moderation.waves.index import Wave, WaveIndex, WaveKind
from moderation.waves.signature import minhash, shingles

NOW = datetime(2026, 12, 7, tzinfo=UTC)
VOCABULARY = [f"слово{n}" for n in range(5000)]


def _split() -> tuple[list[str], list[str]]:
    rows = [e for e in load_telegram_spam(datasets_root()) if not e.holdout]
    return [e.text for e in rows if e.grounds], [e.text for e in rows if not e.grounds]


def _wave(n: int, signature: LeanMinHash, at: datetime = NOW) -> Wave:
    return Wave(n, WaveKind.DELETE, (Ground.SPAM,), Platform.VK, "1", f"vk:1:{n}", at, at, signature)


def _filler(rng: random.Random) -> LeanMinHash:
    return minhash(frozenset(rng.sample(VOCABULARY, rng.randint(10, 60))))


def _ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "median_ms": round(statistics.median(values) * 1000, 3),
        "p95_ms": round(values[int(len(values) * 0.95)] * 1000, 3),
        "max_ms": round(values[-1] * 1000, 3),
    }


def speed(spam: list[str], ham: list[str], capacity: int, lookups: int) -> dict[str, Any]:
    """Fill the index to capacity, time lookups, measure its memory."""
    policy = WavesPolicy(max_signatures=capacity)
    rng = random.Random(7)
    signatures = [minhash(items) for items in map(shingles, spam) if len(items) >= policy.min_words]
    while len(signatures) < capacity:
        signatures.append(_filler(rng))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = WaveIndex(policy.threshold, capacity, timedelta(days=policy.max_age_days))
    started = time.perf_counter()
    for n, signature in enumerate(signatures[:capacity], start=1):
        index.add(_wave(n, signature))
    filled = time.perf_counter() - started
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    texts = (ham + spam)[:]
    rng.shuffle(texts)
    sign, look, matched = [], [], 0
    for text in texts[:lookups]:
        t0 = time.perf_counter()
        items = shingles(text)
        signature = minhash(items) if len(items) >= policy.min_words else None
        t1 = time.perf_counter()
        if signature is not None:
            matched += index.match(signature, Platform.VK, "1", NOW) is not None
        t2 = time.perf_counter()
        sign.append(t1 - t0)
        look.append(t2 - t1)
    return {
        "capacity": capacity,
        "fill_seconds": round(filled, 2),
        "index_memory_mb": round(held / 2**20, 1),
        "bytes_per_signature": round(held / capacity),
        "lookups": len(sign),
        "matched": matched,
        "signature": _ms(sign),
        "index_lookup": _ms(look),
        "restart_load_seconds": round(asyncio.run(_reload(signatures[:capacity], policy)), 2),
    }


async def _reload(signatures: list[LeanMinHash], policy: WavesPolicy) -> float:
    """Write a full memory to a fresh SQLite database and time a new memory reading it back."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'waves.sqlite3'}")
        upgrade(engine=engine)
        rows = WaveRows(Store(engine))
        await rows.store.run(_insert_all, signatures)
        memory = WaveMemory(policy, rows, DEFAULT_THRESHOLDS)
        started = time.perf_counter()
        loaded = await memory.load(NOW)
        elapsed = time.perf_counter() - started
        engine.dispose()
        assert loaded == len(signatures)
        return elapsed


def _insert_all(session: Any, signatures: list[LeanMinHash]) -> None:
    from models.waves import add

    for n, signature in enumerate(signatures, start=1):
        add(session, _wave(n, signature, NOW - timedelta(seconds=n)))


def quality(
    spam: list[str], ham: list[str], threshold: float, min_words: int
) -> tuple[dict[str, Any], WaveIndex]:
    """Waves among spam in file order, and ham matched once every spam message is remembered."""
    index = WaveIndex(threshold, 10**6, timedelta(days=30))
    seen: set[str] = set()
    eligible = exact = near = 0
    waves: dict[int, int] = {}
    caught: list[str] = []
    for n, text in enumerate(spam, start=1):
        items = shingles(text)
        if len(items) < min_words:
            continue
        eligible += 1
        signature = minhash(items)
        key = split_key(text)
        match = index.match(signature, Platform.VK, "1", NOW)
        if match is not None:
            exact += key in seen
            near += key not in seen
            waves[match.wave.id] = waves.get(match.wave.id, 1) + 1
            caught.append(text)
        seen.add(key)
        index.add(_wave(n, signature))
    ham_eligible = ham_matched = 0
    for text in ham:
        items = shingles(text)
        if len(items) < min_words:
            continue
        ham_eligible += 1
        ham_matched += index.match(minhash(items), Platform.VK, "1", NOW) is not None
    return {
        "threshold": threshold,
        "min_words": min_words,
        "spam": len(spam),
        "spam_long_enough": eligible,
        "caught_by_a_wave": exact + near,
        "caught_same_normalised_text": exact,
        "caught_similar_only": near,
        "caught_share_of_long_enough": round((exact + near) / max(eligible, 1), 4),
        "waves_of_two_or_more": len(waves),
        "largest_wave": max(waves.values(), default=0),
        "ham": len(ham),
        "ham_long_enough": ham_eligible,
        "ham_matched": ham_matched,
        "ham_matched_share": round(ham_matched / max(ham_eligible, 1), 5),
        "caught_texts": caught,
    }, index


def beyond_the_core(texts: list[str]) -> dict[str, int]:
    """What the shipped moderation core alone decides on the messages a wave caught (trained on this split,
    so its figures here are optimistic and the wave's addition a lower bound)."""
    from dozor.build import build_moderator

    moderator = build_moderator(ModerationConfig())
    verdicts = moderator.verdicts([Comment(str(n), text) for n, text in enumerate(texts)])
    return {action.value: sum(v.action is action for v in verdicts) for action in Action}


def other_clean(index: WaveIndex, min_words: int) -> dict[str, Any]:
    """Clean texts (negative for spam) of the other public sources' training split matched by the spam."""
    root = datasets_root()
    texts = [
        e.text
        for name, loader in PUBLIC_SOURCES.items()
        if name != "telegram_spam_ru"
        for e in loader(root)
        if not e.holdout and Ground.SPAM in e.labelled and Ground.SPAM not in e.grounds
    ]
    eligible = matched = 0
    for text in texts:
        items = shingles(text)
        if len(items) < min_words:
            continue
        eligible += 1
        matched += index.match(minhash(items), Platform.VK, "1", NOW) is not None
    return {"clean": len(texts), "clean_long_enough": eligible, "clean_matched": matched}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity", type=int, default=WavesPolicy().max_signatures)
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    spam, ham = _split()
    out: dict[str, Any] = {"speed": speed(spam, ham, args.capacity, args.lookups)}
    if not args.skip_quality:
        shipped = WavesPolicy()
        out["quality"] = []
        for threshold, words in [(0.7, 8), (0.8, 5), (0.8, 8), (0.9, 8)]:
            figures, index = quality(spam, ham, threshold, words)
            caught = figures.pop("caught_texts")
            if (threshold, words) == (shipped.threshold, shipped.min_words):
                figures["other_sources"] = other_clean(index, words)
                figures["caught_as_the_core_alone_decides"] = beyond_the_core(caught)
            out["quality"].append(figures)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
