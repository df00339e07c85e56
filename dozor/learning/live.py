"""The learning loop wired to the deployment: its settings, its database, its daemon.

- `model_in_use`: the promoted version's classifier (or the shipped one, version 0), as the daemon loads it.
- `retrain_now`: one round from the settings (`dozor train --from-decisions` and the scheduled job).
- `scheduled_retrain`: what the scheduler calls; it runs the round in a separate process, so intake never
  waits for it; several daemons run it once between them through the scheduler's `once` guard
  (monitor.scheduler, dozor.claims), like the checks and the digest.
- `ModelWatcher`: the daemon notices a promotion or a rollback (by any process) and swaps the model in
  without a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from models import model_versions
from models.db import DEFAULT_SQLITE_PATH

if TYPE_CHECKING:
    from dozor.config import Settings
    from dozor.learning.retrain import RoundPlan, RoundResult
    from moderation.verdict.engine import Scorer

log = logging.getLogger(__name__)
WATCH_SECONDS = 60.0


def versions_dir(settings: Settings) -> Path:
    """Where model versions are kept: [learning] versions_dir, or `models` beside the default database."""
    configured = settings.learning.versions_dir
    return Path(configured) if configured else DEFAULT_SQLITE_PATH.parent / "models"


def load_version(version: model_versions.ModelVersion) -> Scorer:
    """A recorded version's classifier, named by its version id (what verdicts record)."""
    from moderation.classifier.arrays import load

    with Path(version.path).open("rb") as fh:
        classifier = load(fh)
    classifier.version = version.version
    return classifier


def model_in_use(engine: Engine, settings: Settings) -> tuple[Scorer | None, str]:
    """The promoted version's classifier and id; the shipped model (v0) when none is promoted, or when the
    promoted version's file cannot be read (said in the log: the daemon must still start)."""
    from dozor.build import build_scorer

    promoted = model_versions.current(engine)
    if promoted is not None:
        try:
            return load_version(promoted), promoted.version
        except (OSError, ValueError) as error:
            log.error("model version %s cannot be loaded (%s): the shipped model is used", promoted.version,
                      type(error).__name__)  # fmt: skip
    return build_scorer(settings.moderation), model_versions.BASELINE


def round_plan(settings: Settings) -> RoundPlan:
    from dozor.learning.retrain import RoundPlan

    learning = settings.learning
    return RoundPlan(learning.holdout, learning.min_decisions, learning.tolerance)


def retrain_now(
    settings: Settings, datasets: Path | None = None, progress: Callable[[str], None] | None = None
) -> RoundResult:
    """One round from the settings: the usual training rows, the deployment's decisions (masked), the check
    set; the model in use as the one to beat. Raises evaluation.datasets.DatasetsMissing without datasets."""
    from dozor.build import build_moderator, build_pii
    from dozor.learning.retrain import RoundInputs, run_round
    from dozor.learning.rows import load_decisions
    from evaluation.datasets import CHECK_SET, load_training
    from evaluation.labelled import read_labelled
    from models.db import database_url, make_engine
    from models.migrate import upgrade

    engine = make_engine(database_url(settings.storage.url))
    try:
        upgrade(engine=engine)
        decisions, _purged = load_decisions(engine, build_pii(settings.moderation))
        with CHECK_SET.open(encoding="utf-8") as fh:
            check = read_labelled(fh, str(CHECK_SET))
        base = load_training(datasets)
        judge = build_moderator(settings.moderation, with_model=False)
        in_use, _ = model_in_use(engine, settings)
        inputs = RoundInputs(base, decisions, check)
        folder, now = versions_dir(settings), datetime.now(UTC)
        return run_round(engine, inputs, judge, in_use, folder, now, round_plan(settings), progress)
    finally:
        engine.dispose()


def _retrain_in_child(settings: Settings) -> str:
    """The scheduled round, in a child process: its summary for the daemon's log."""
    from dozor.learning.retrain import describe

    return "\n".join(describe(retrain_now(settings)))


def scheduled_retrain(settings: Settings) -> Callable[[datetime], Awaitable[object]]:
    """The job the scheduler calls weekly: a round in a separate process (intake goes on meanwhile)."""

    async def job(_now: datetime) -> object:
        async def run() -> str | None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            loop = asyncio.get_running_loop()
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                return await loop.run_in_executor(pool, _retrain_in_child, settings)

        from evaluation.datasets import DatasetsMissing

        try:
            summary = await run()
        except DatasetsMissing as error:
            log.error("scheduled retrain skipped: %s (set DOZOR_DATASETS for the daemon)", error)
            return None
        except Exception as error:  # a failed round keeps the model in use; the next week tries again
            log.error("scheduled retrain failed (%s): the model in use stays", type(error).__name__)
            return None
        if summary:
            log.info("scheduled retrain: %s", summary.replace("\n", " | "))
        return summary

    return job


@dataclass
class ModelWatcher:
    """Swaps the daemon's classifier when another version is promoted (or rolled back to)."""

    engine: Engine
    settings: Settings
    apply: Callable[[Any, str], None]  # (scorer, version id): set on the moderation core and the pipeline
    loaded: str
    interval: float = WATCH_SECONDS

    async def check(self) -> bool:
        """Load and apply the promoted version if it is not the one loaded; True when it swapped."""
        promoted = await asyncio.to_thread(model_versions.current, self.engine)
        wanted = promoted.version if promoted is not None else model_versions.BASELINE
        if wanted == self.loaded:
            return False
        scorer, version = await asyncio.to_thread(model_in_use, self.engine, self.settings)
        self.apply(scorer, version)
        log.info("model version %s in use (was %s)", version, self.loaded)
        self.loaded = wanted
        return True

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
            if stop.is_set():
                return
            try:
                await self.check()
            except Exception as error:  # a database outage: the model in use stays, try again later
                log.warning("model version not checked (%s)", type(error).__name__)
