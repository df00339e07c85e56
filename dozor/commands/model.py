"""`dozor model list`, `dozor model rollback` and `dozor train --from-decisions`: the model versions learned
from the moderators' decisions, which one is in use, and going back to an earlier one.

A running daemon notices a promotion or a rollback within a minute and swaps the model without a restart.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dozor.commands.common import ConfigOption, settings_or_exit

if TYPE_CHECKING:
    from sqlalchemy import Engine

model_app = typer.Typer(help="Версии модели, обученные на решениях модераторов.", no_args_is_help=True)

STATES = {
    "promoted": "используется",
    "rejected": "отклонена",
    "superseded": "заменена",
    "rolled_back": "откачена",
}


def register(app: typer.Typer) -> None:
    app.add_typer(model_app, name="model")


def _engine(config: Path | None) -> Engine:
    from dozor.runner import open_store

    return open_store(settings_or_exit(config)).engine


@model_app.command("list")
def list_versions(config: ConfigOption = None) -> None:
    """Все версии модели: когда обучена, на скольких строках, оценки и что с ней стало."""
    from rich.console import Console
    from rich.table import Table

    from models import model_versions

    engine = _engine(config)
    rows = model_versions.versions(engine)
    in_use = model_versions.current(engine)
    table = Table(title="Версии модели")
    columns = ("версия", "обучена", "строк (решений)", "проверочный набор", "последние решения")
    for column in (*columns, "состояние", "почему"):
        table.add_column(column)
    table.add_row("v0", "-", "-", "-", "-", "используется" if in_use is None else "исходная",
                  "модель, поставляемая с Дозором")  # fmt: skip
    for row in rows:
        table.add_row(
            row.version,
            row.created_at.strftime("%d.%m.%Y %H:%M"),
            f"{row.rows} ({row.decision_rows})",
            _pair(row.scores.get("check", {})),
            _pair(row.scores.get("decisions", {})),
            STATES.get(row.state, row.state),
            row.reason,
        )
    Console(width=200).print(table)


def _pair(scores: dict[str, dict[str, float]]) -> str:
    """«полнота 81.0% → 82.0%, удалено чистых 0 → 0» (текущая → кандидат)."""
    current, candidate = scores.get("current"), scores.get("candidate")
    if not current or not candidate:
        return "-"
    return (
        f"полнота {current['macro_recall']:.1%} → {candidate['macro_recall']:.1%}, "
        f"удалено чистых {current['clean_deleted']} → {candidate['clean_deleted']}"
    )


@model_app.command("rollback")
def rollback(
    to: Annotated[
        str | None,
        typer.Option("--to", help="К какой версии (v0 — исходная модель); по умолчанию к предыдущей."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Вернуться к предыдущей использованной версии модели (или к указанной); записывается в журнал."""
    from datetime import UTC, datetime

    from models import model_versions

    engine = _engine(config)
    if to is not None and to != model_versions.BASELINE:
        known = {v.version: v for v in model_versions.versions(engine)}
        if to in known and not Path(known[to].path).is_file():
            _refuse(f"файла версии {to} нет: {known[to].path}")
    try:
        was, now_in_use = model_versions.rollback(engine, datetime.now(UTC), "cli", to)
    except model_versions.RollbackError as exc:
        _refuse(str(exc))
    typer.echo(
        f"Используется версия {now_in_use} (была {was}). Работающая служба переключится в течение минуты."
    )


def _refuse(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def train_from_decisions(config: Path | None, datasets: Path | None) -> None:
    """`dozor train --from-decisions`: one round now, both models' figures printed in Russian."""
    from dozor.learning.live import retrain_now
    from dozor.learning.retrain import describe
    from evaluation.datasets import DatasetsMissing, datasets_root

    settings = settings_or_exit(config)
    started = time.perf_counter()
    try:
        result = retrain_now(settings, datasets, progress=lambda step: typer.echo(f"… {step}"))
    except DatasetsMissing:
        where = datasets or datasets_root()
        _refuse(f"нет каталога открытых наборов данных {where}: укажите его в DOZOR_DATASETS или --datasets")
    for line in describe(result):
        typer.echo(line)
    typer.echo(f"Всего {time.perf_counter() - started:.0f} с.")
