"""`make bench`: speed and memory of the moderation core, on one core, with the shipped model loaded.

Figures: batch throughput (comments/s), one-at-a-time latency (p50/p99), resident memory, start-up to the
first verdict of `dozor classify`. Texts: the project's own labelled sets plus public datasets read in place.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _texts(limit: int = 6000) -> list[tuple[str, str | None]]:
    rows: list[tuple[str, str | None]] = []
    for name in ("dev.jsonl", "train_own.jsonl"):
        for line in (ROOT / "evaluation" / name).read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            rows.append((obj["text"], obj.get("post_text")))
    shared = Path(os.environ.get("DOZOR_DATASETS", ROOT.parent / "shared" / "datasets"))
    ham = shared / "tg_spam_samples" / "ham-samples.txt"
    toxic = shared / "ru_toxic_2ch_pikabu" / "labeled.csv"
    if ham.exists():
        rows += [(t, None) for t in ham.read_text(encoding="utf-8").splitlines() if t.strip()]
    if toxic.exists():
        import csv

        with toxic.open(encoding="utf-8") as fh:
            rows += [(r["comment"], None) for r, _ in zip(csv.DictReader(fh), range(3000), strict=False)]
    return (rows * (limit // len(rows) + 1))[:limit]


def _cpu_reference_s() -> float:
    """Seconds for ten million additions in a plain Python loop (best of three): a rough yardstick of the
    core, printed beside the figures because machines of the same kind differ from day to day."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _pin_one_core() -> str:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return "pinned to one core"
    except (AttributeError, OSError):
        return "not pinned"


def _startup(runs: int = 3) -> float:
    line = json.dumps({"id": "1", "text": "Когда уберут снег?"}) + "\n"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "dozor", "classify", "--batch-size", "1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(line)
        proc.stdin.flush()
        proc.stdout.readline()
        times.append(time.perf_counter() - t0)
        proc.stdin.close()
        proc.wait(timeout=60)
    return statistics.median(times)


def main() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    pinned = _pin_one_core()
    from dozor.build import build_moderator
    from moderation.config import ModerationConfig
    from moderation.types import Comment

    t0 = time.perf_counter()
    moderator = build_moderator(ModerationConfig())
    load_s = time.perf_counter() - t0
    comments = [Comment(str(i), t, p) for i, (t, p) in enumerate(_texts())]
    moderator.verdicts(comments[:200])  # warm-up: lazy imports, natasha
    t0 = time.perf_counter()
    for i in range(0, len(comments), 256):
        moderator.verdicts(comments[i : i + 256])
    batch_s = time.perf_counter() - t0
    t0 = time.perf_counter()  # again: every word is now in the caches, as in a stream that repeats its words
    for i in range(0, len(comments), 256):
        moderator.verdicts(comments[i : i + 256])
    warm_s = time.perf_counter() - t0
    single = []
    for c in comments[:3000]:
        t1 = time.perf_counter()
        moderator.verdict(c)
        single.append((time.perf_counter() - t1) * 1000)
    single.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results = {
        "machine": (f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"),
        "cpu": pinned,
        "cpu_reference_s": round(_cpu_reference_s(), 2),
        "model": "loaded" if moderator.scorer is not None else "none (rules only)",
        "comments": len(comments),
        "batch_comments_per_s_cold": round(len(comments) / batch_s),
        "batch_comments_per_s_warm": round(len(comments) / warm_s),
        "single_p50_ms": round(single[len(single) // 2], 3),
        "single_p99_ms": round(single[int(len(single) * 0.99)], 3),
        "single_max_ms": round(single[-1], 3),
        "load_s": round(load_s, 2),
        "peak_rss_mb": round(rss_mb),
        "startup_to_first_verdict_s": round(_startup(), 2),
    }
    for key, value in results.items():
        print(f"{key:28} {value}")
    out = ROOT / "var" / "bench-moderation.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
