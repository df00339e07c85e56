"""`dozor train`: fit the per-ground classifier on public datasets and our own examples; ship it with a card.

Its figures come from the hash-split holdout that training never sees, and the same figures go into the
model card, so what a reviewer reads is what the shipped file does. Heavy imports happen inside the command.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dozor.commands.common import ConfigOption, settings_or_exit
from dozor.commands.model_card import GroundFigures

if TYPE_CHECKING:
    from rich.console import Console

    from evaluation.datasets import Corpus, Example
    from moderation.classifier.model import Classifier, DocLike
    from moderation.config import Thresholds
    from moderation.types import Ground

TRAINED_DIR = Path(__file__).resolve().parents[2] / "moderation" / "classifier" / "trained"
MODEL_FILE = "model.npz"
GATE_MIN_POSITIVES = 5  # holdout positives needed to judge a ground's model at all
GATE_PRECISION = 0.5  # holdout precision at the review threshold a shipped ground must reach
CARD_FILE = "MODEL_CARD.md"


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)


def train_command(
    extra: Annotated[
        list[Path] | None,
        typer.Option(help="Ещё размеченные примеры JSON Lines (решения модераторов); можно несколько."),
    ] = None,
    datasets: Annotated[
        Path | None, typer.Option(help="Каталог открытых наборов данных (по умолчанию ../shared/datasets).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Куда записать model.npz и MODEL_CARD.md.")] = TRAINED_DIR,
    seed: Annotated[int, typer.Option(help="Зерно разбиения: те же данные и зерно дают ту же модель.")] = 13,
    jobs: Annotated[int, typer.Option(help="Сколько моделей обучать параллельно.")] = 2,
    without: Annotated[
        list[str] | None, typer.Option(help="Не брать источник (например, из-за лицензии); можно несколько.")
    ] = None,
    from_decisions: Annotated[
        bool,
        typer.Option(
            "--from-decisions",
            help="Обучить кандидата на обычных данных и решениях модераторов этой установки, сравнить с "
            "текущей моделью и принять, только если он не хуже (см. dozor model list).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Обучить классификатор по основаниям, показать качество на отложенной части, записать модель."""
    if from_decisions:
        from dozor.commands.model import train_from_decisions

        train_from_decisions(config, datasets)
        return
    from rich.console import Console

    from dozor.commands.model_card import render_card
    from evaluation.datasets import evaluation_keys, holdout_split, training_split
    from moderation.classifier.train import TrainSettings

    thresholds = settings_or_exit(config).moderation.thresholds  # figures at the deployment's thresholds
    console = Console(width=None if sys.stdout.isatty() else 160)
    corpus = _load(console, datasets, extra or [], without or [])
    train_rows = training_split(corpus, evaluation_keys())
    holdout_rows = holdout_split(corpus)
    settings = TrainSettings(seed=seed, n_jobs=jobs)
    started = time.perf_counter()
    train_docs = _analyse(console, "разбор обучающих текстов", [e.text for e in train_rows])
    hold_docs = _analyse(console, "разбор отложенных текстов", [e.text for e in holdout_rows])
    classifier, status = _fit(console, train_docs, train_rows, settings)
    minutes = (time.perf_counter() - started) / 60
    figures = evaluate(classifier, hold_docs, holdout_rows, thresholds)
    classifier = classifier.only(holdout_gate(classifier, figures, status))
    by_source = evaluate_by_source(classifier, hold_docs, holdout_rows, thresholds)
    meta = _meta(corpus, train_rows, holdout_rows, settings, status, figures, minutes)
    classifier = classifier.with_meta(meta)
    blob, speed = _save_and_measure(classifier, hold_docs, out)
    _print_figures(console, status, figures)
    (out / CARD_FILE).write_text(render_card(classifier, by_source, speed, len(blob)), encoding="utf-8")
    console.print(
        f"записаны {out / MODEL_FILE} ({len(blob) / 1e6:.1f} МБ) и {out / CARD_FILE}; скорость оценки"
    )
    console.print(
        f"(одно ядро): {speed['cold']:.0f} док/с с холодным кэшем, {speed['warm']:.0f} док/с с тёплым"
    )


def _load(console: Console, datasets: Path | None, extra: list[Path], without: list[str]) -> Corpus:
    """Every labelled source, minus those left out; a missing datasets folder stops with its reason."""
    from evaluation.datasets import PUBLIC_SOURCES, DatasetsMissing, load_corpus

    unknown = set(without) - {*PUBLIC_SOURCES, "own"}
    if unknown:
        console.print(
            f"[red]неизвестные источники {sorted(unknown)}; известны: {sorted(PUBLIC_SOURCES)} и own[/red]"
        )
        raise typer.Exit(2)
    try:
        corpus = load_corpus(datasets, extra)
    except DatasetsMissing as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    corpus.examples = [e for e in corpus.examples if e.source.removesuffix("_neutral") not in without]
    corpus.skipped.update({source: "исключён через --without" for source in without})
    for source, reason in corpus.skipped.items():
        console.print(f"[yellow]пропущен {source}: {reason}[/yellow]")
    return corpus


def _analyse(console: Console, label: str, texts: list[str]) -> list[DocLike]:
    from rich.progress import track

    from moderation.text.analysis import analyze

    return [analyze(t) for t in track(texts, description=label, console=console)]


def _fit(
    console: Console, docs: list[DocLike], rows: list[Example], settings: Any
) -> tuple[Classifier, dict[Ground, str]]:
    from rich.progress import Progress

    from evaluation.datasets import LEARNABLE
    from moderation.classifier.train import LEARNABLE_DEFAULT, train

    grounds = [g for g in LEARNABLE_DEFAULT if g in LEARNABLE]
    with Progress(console=console) as progress:
        task = progress.add_task("обучение по основаниям", total=len(grounds) * (settings.folds + 1))
        return train(docs, rows, settings, grounds, on_fit=lambda _: progress.advance(task))


def evaluate(
    classifier: Classifier,
    docs: list[DocLike],
    rows: list[Example],
    thresholds: Mapping[Ground, Thresholds] | None = None,
) -> dict[Ground, GroundFigures]:
    """Per learned ground, on the holdout rows that speak for it, at the given (or default) thresholds."""
    import numpy as np
    from sklearn.metrics import average_precision_score

    from moderation.config import DEFAULT_THRESHOLDS

    probs = classifier.probabilities(docs)
    out: dict[Ground, GroundFigures] = {}
    for j, ground in enumerate(classifier.grounds):
        idx = [i for i, r in enumerate(rows) if ground in r.labelled]
        y = np.array([ground in rows[i].grounds for i in idx], dtype=bool)
        if not len(idx) or y.all() or not y.any():
            continue
        p = probs[idx, j]
        limits = (thresholds or DEFAULT_THRESHOLDS)[ground]
        at = {
            name: (t, *_prf(y, p >= t))
            for name, t in (("0.5", 0.5), ("review", limits.review), ("delete", limits.delete))
        }
        out[ground] = GroundFigures(int(y.sum()), int((~y).sum()), at, float(average_precision_score(y, p)))
    return out


def evaluate_by_source(
    classifier: Classifier,
    docs: list[DocLike],
    rows: list[Example],
    thresholds: Mapping[Ground, Thresholds] | None = None,
) -> dict[str, dict[Ground, GroundFigures]]:
    sources = sorted({r.source for r in rows})
    result = {}
    for source in sources:
        idx = [i for i, r in enumerate(rows) if r.source == source]
        result[source] = evaluate(classifier, [docs[i] for i in idx], [rows[i] for i in idx], thresholds)
    return result


def _prf(y: Any, predicted: Any) -> tuple[float, float, float]:
    tp = float((y & predicted).sum())
    precision = tp / max(float(predicted.sum()), 1.0)
    recall = tp / max(float(y.sum()), 1.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _meta(
    corpus: Corpus,
    train_rows: list[Example],
    holdout_rows: list[Example],
    settings: Any,
    status: dict[Ground, str],
    figures: dict[Ground, GroundFigures],
    minutes: float,
) -> dict[str, Any]:
    from dataclasses import asdict

    from evaluation.datasets import data_hash

    counts: dict[str, list[int]] = {}
    for rows, side in ((train_rows, 0), (holdout_rows, 1)):
        for r in rows:
            counts.setdefault(r.source, [0, 0])[side] += 1
    return {
        "trained_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": "dozor train " + " ".join(sys.argv[2:]) if len(sys.argv) > 2 else "dozor train",
        "settings": asdict(settings),
        "training_data_sha256": data_hash(train_rows),
        "rows_per_source": counts,
        "skipped_sources": corpus.skipped,
        "dev_overlap_dropped": corpus.dev_overlap_dropped,
        "status": {g.value: s for g, s in status.items()},
        "holdout": {g.value: {"positives": f.positives, "negatives": f.negatives, "ap": f.average_precision,
                              "at": f.at, "shipped": status[g].startswith(SHIPPED)}
                    for g, f in figures.items()},
        "training_minutes": round(minutes, 2),
    }  # fmt: skip


def _save_and_measure(
    classifier: Classifier, docs: list[DocLike], out: Path
) -> tuple[bytes, dict[str, float]]:
    """Write the model atomically, then time loading it back and scoring with the loaded copy."""
    from moderation.classifier.arrays import dumps, load

    blob = dumps(classifier)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / (MODEL_FILE + ".tmp")
    tmp.write_bytes(blob)
    os.replace(tmp, out / MODEL_FILE)
    started = time.perf_counter()
    loaded = load(blob)
    speed = {"load_seconds": time.perf_counter() - started}
    for name in ("cold", "warm"):  # CPU time: other processes on the machine must not skew the figure
        started = time.thread_time()
        for i in range(0, len(docs), 256):
            loaded.scores_batch(docs[i : i + 256])
        speed[name] = len(docs) / max(time.thread_time() - started, 1e-9)
    return blob, speed


#: How the holdout gate names its verdict at the head of a ground's status (shown by `dozor train`).
SHIPPED = "в модели"
DROPPED = "исключено"


def holdout_gate(
    classifier: Classifier, figures: dict[Ground, GroundFigures], status: dict[Ground, str]
) -> list[Ground]:
    """Ship a ground's model only if at least half of what it sends to moderators is right on the holdout.

    A model below that adds more wrong reasons to moderators' cards than right ones; the rules stay in charge.
    Updates ``status`` with the reason for each ground dropped.
    """
    kept = []
    for ground in classifier.grounds:
        f = figures.get(ground)
        review = f.at["review"] if f is not None else (0.0, 0.0, 0.0, 0.0)
        if f is None or f.positives < GATE_MIN_POSITIVES:
            verdict = (
                f"{DROPPED}: положительных в отложенной выборке {0 if f is None else f.positives}, "
                f"нужно {GATE_MIN_POSITIVES}"
            )
        elif review[1] < GATE_PRECISION:
            verdict = f"{DROPPED}: точность {review[1]:.2f} < {GATE_PRECISION} на пороге «к модераторам»"
        else:
            verdict = SHIPPED
            kept.append(ground)
        status[ground] = f"{verdict}; {status[ground]}"
    return kept


def _print_figures(console: Console, status: dict[Ground, str], figures: dict[Ground, GroundFigures]) -> None:
    from rich.table import Table

    table = Table(title="отложенная часть, по основаниям (строки источников, размечающих основание)")
    for column in (
        "основание",
        "пол./отр.",
        "P@0.5",
        "R@0.5",
        "F1@0.5",
        "AP",
        "P/R @модераторам",
        "P/R @удалить",
        "итог",
    ):
        table.add_column(column)
    for ground, text in status.items():
        f = figures.get(ground)
        if f is None:
            table.add_row(ground.value, "-", "-", "-", "-", "-", "-", "-", text)
            continue
        half, review, delete = f.at["0.5"], f.at["review"], f.at["delete"]
        table.add_row(
            ground.value, f"{f.positives}/{f.negatives}",
            f"{half[1]:.2f}", f"{half[2]:.2f}", f"{half[3]:.2f}",
            f"{f.average_precision:.2f}", f"{review[1]:.2f}/{review[2]:.2f} @{review[0]:.2f}",
            f"{delete[1]:.2f}/{delete[2]:.2f} @{delete[0]:.2f}", text.split(";")[0],
        )  # fmt: skip
    console.print(table)
