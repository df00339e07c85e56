"""The model learns from the moderators: decisions become masked training rows; a candidate is promoted only
when it is no worse than the model in use on the check set and on the latest decisions; every version is
recorded, verdicts name theirs, and a rollback goes back and is recorded. SQLite and PostgreSQL.
"""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dozor.build import build_moderator, build_pii
from dozor.config import parse_settings
from dozor.learning.live import ModelWatcher, load_version
from dozor.learning.retrain import RoundInputs, RoundPlan, RoundResult, run_round
from dozor.learning.rows import as_examples, load_decisions
from models import model_versions
from models.store import Store
from models.tables import AuditEntry, VerdictRow
from moderation.classifier.model import Classifier
from moderation.classifier.train import train
from moderation.config import ModerationConfig
from moderation.daemon.pipeline import Pipeline
from moderation.text.analysis import analyze
from moderation.types import Ground, Platform
from moderation.verdict.engine import Moderator
from tests.db_fixtures import (  # noqa: F401  (fixtures)
    engine,
    incoming,
    migrated_url,
    postgres_migrated_url,
    postgres_schema_url,
    sqlite_template,
    sqlite_url,
)
from tests.learning_support import TINY, base_rows, check_rows, decide, decisions
from tests.pipeline_fakes import FakePlatform, FakeReview

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
PLAN = RoundPlan(holdout=10, min_decisions=10, tolerance=0.01, settings=TINY, grounds=(Ground.SPAM,))


@pytest.fixture(scope="module")
def judge() -> Moderator:
    """The rules and detectors without a classifier of their own, as the loop judges with."""
    return build_moderator(ModerationConfig(), with_model=False)


@pytest.fixture(scope="module")
def in_use() -> Classifier:
    """The model in use: trained on the usual rows alone."""
    rows = base_rows()
    classifier, _ = train([analyze(r.text) for r in rows], rows, TINY, (Ground.SPAM,))
    classifier.version = "linear-shipped"
    return classifier


def _round(
    engine: Engine, judge: Moderator, in_use: Classifier | None, folder: Path, now: datetime = NOW
) -> RoundResult:
    rows, _ = load_decisions(engine, build_pii(ModerationConfig()))
    return run_round(engine, RoundInputs(base_rows(), rows, check_rows()), judge, in_use, folder, now, PLAN)


def test_decisions_become_training_rows_without_personal_data(engine: Engine) -> None:
    said = "Звоните мне 8 913 555-12-34 или пишите ivan.petrov@mail.ru, Иван Петров, заработок каждый день"
    from moderation.daemon.ports import ModeratorChoice

    asyncio.run(
        decide(
            Store(engine), [(said, ModeratorChoice.DELETE), ("Когда почистят двор?", ModeratorChoice.KEEP)]
        )
    )
    rows, purged = load_decisions(engine, build_pii(ModerationConfig()))
    assert purged == 0 and [r["action"] for r in rows] == ["delete", "keep"]
    examples = as_examples(rows)
    for secret in ("555-12-34", "ivan.petrov@mail.ru", "Иван Петров"):
        assert all(secret not in e.text for e in examples), secret
    assert "[телефон]" in examples[0].text and examples[0].grounds == frozenset({Ground.SPAM})
    assert examples[1].grounds == frozenset() and Ground.SPAM in examples[1].labelled


def test_a_poisoned_candidate_is_not_promoted(
    engine: Engine, judge: Moderator, in_use: Classifier, tmp_path: Path
) -> None:
    asyncio.run(decide(Store(engine), decisions(poisoned=True)))
    result = _round(engine, judge, in_use, tmp_path)
    assert result.version == "v1" and not result.promoted, result.message
    assert result.reasons
    assert model_versions.current(engine) is None  # the model in use stays (v0)
    [recorded] = model_versions.versions(engine)
    assert recorded.state == model_versions.REJECTED and Path(recorded.path).is_file()
    assert set(recorded.scores) == {"check", "decisions"}
    assert recorded.decision_rows == len(decisions(poisoned=True)) - PLAN.holdout


def test_an_equal_or_better_candidate_is_promoted_and_verdicts_name_it(
    engine: Engine, judge: Moderator, in_use: Classifier, tmp_path: Path
) -> None:
    asyncio.run(decide(Store(engine), decisions(poisoned=False)))
    result = _round(engine, judge, in_use, tmp_path)
    assert result.promoted, result.message
    check, recent = result.scores["check"], result.scores["decisions"]
    assert check["candidate"].clean_deleted <= check["current"].clean_deleted
    assert recent["candidate"].macro_recall >= recent["current"].macro_recall - PLAN.tolerance
    promoted = model_versions.current(engine)
    assert promoted is not None and promoted.version == "v1"

    pipeline = Pipeline(
        judge.verdict,
        Store(engine),
        {Platform.VK: FakePlatform()},
        FakeReview(),
        judge.config.mode,
        model_version=in_use.version,
    )

    def swap(scorer: object, _version: str) -> None:
        pipeline.model_version = getattr(scorer, "version", None)

    watcher = ModelWatcher(engine, parse_settings(""), swap, model_versions.BASELINE)
    assert asyncio.run(watcher.check()) and not asyncio.run(watcher.check())
    asyncio.run(pipeline.handle(incoming("900", text="Когда откроют каток в парке?")))
    with Session(engine) as session:
        stored = session.exec(select(VerdictRow).order_by(col(VerdictRow.id).desc())).first()
    assert stored is not None and stored.model_version == "v1"


def test_rollback_restores_the_previous_version_and_is_recorded(
    engine: Engine, judge: Moderator, in_use: Classifier, tmp_path: Path
) -> None:
    asyncio.run(decide(Store(engine), decisions(poisoned=False)))
    first = _round(engine, judge, in_use, tmp_path)
    second = _round(
        engine, judge, load_version(model_versions.versions(engine)[0]), tmp_path, NOW + timedelta(1)
    )
    assert first.promoted and second.promoted, (first.message, second.message)
    states = {v.version: v.state for v in model_versions.versions(engine)}
    assert states == {"v1": model_versions.SUPERSEDED, "v2": model_versions.PROMOTED}

    assert model_versions.rollback(engine, NOW + timedelta(2), "cli") == ("v2", "v1")
    states = {v.version: v.state for v in model_versions.versions(engine)}
    assert states == {"v1": model_versions.PROMOTED, "v2": model_versions.ROLLED_BACK}
    assert model_versions.rollback(engine, NOW + timedelta(3), "cli") == ("v1", "v0")
    assert model_versions.current(engine) is None
    with pytest.raises(model_versions.RollbackError, match="исходная модель"):
        model_versions.rollback(engine, NOW + timedelta(4), "cli")
    assert model_versions.rollback(engine, NOW + timedelta(5), "cli", to="v2") == ("v0", "v2")
    with Session(engine) as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.event == "model_rollback")).all()
    assert [(e.details["from"], e.details["to"]) for e in logged] == [
        ("v2", "v1"),
        ("v1", "v0"),
        ("v0", "v2"),
    ]


def test_too_few_decisions_build_no_candidate(
    engine: Engine, judge: Moderator, in_use: Classifier, tmp_path: Path
) -> None:
    asyncio.run(decide(Store(engine), decisions(poisoned=False)[:11]))
    result = _round(engine, judge, in_use, tmp_path)
    assert result.version is None and "нужно не меньше 10" in result.message
    assert model_versions.versions(engine) == []


def _dozor(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOZOR_")}
    env["DOZOR_DATASETS"] = str(cwd / "no-datasets")
    command = [str(Path(sys.executable).with_name("dozor")), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_model_commands_speak_russian_and_refuse_with_exit_2(tmp_path: Path, sqlite_url: str) -> None:
    (tmp_path / "config.toml").write_text(f'[storage]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    listed = _dozor(["model", "list"], tmp_path)
    assert listed.returncode == 0 and "Версии модели" in listed.stdout and "используется" in listed.stdout
    for args, said in (
        (["model", "rollback"], "откатывать некуда"),
        (["model", "rollback", "--to", "v9"], "версии v9 нет"),
    ):
        refused = _dozor(args, tmp_path)
        assert refused.returncode == 2 and said in refused.stderr and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    missing = _dozor(["train", "--from-decisions"], tmp_path)
    assert missing.returncode == 2 and "нет каталога открытых наборов данных" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    (tmp_path / "config.toml").write_text('[learning]\nretrain = "daily"\n', encoding="utf-8")
    bad = _dozor(["model", "list"], tmp_path)
    assert bad.returncode == 2 and "learning.retrain" in bad.stderr


def test_the_weekly_retrain_is_scheduled_as_configured(tmp_path: Path) -> None:
    from dozor.monitoring import retrain_schedule
    from monitor import scheduler as sched
    from monitor.checks.deps import CheckDeps

    settings = parse_settings('[learning]\nday = "sat"\ntime = "03:30"\n')
    retrain, when = retrain_schedule(settings)
    assert when == sched.WeeklyAt("sat", time(3, 30)) and retrain is not None
    assert retrain_schedule(parse_settings('[learning]\nretrain = "off"\n')) == (None, None)
    checks = CheckDeps(settings.monitor, None, None, None, None, None)  # type: ignore[arg-type]
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"

    async def planned(deps: sched.JobDeps) -> dict[str, str]:
        scheduler = sched.build_scheduler(settings.monitor, url, deps)
        scheduler.start()
        try:
            return {job.id: str(job.trigger) for job in scheduler.scheduler.get_jobs()}
        finally:
            scheduler.shutdown()

    jobs = asyncio.run(planned(sched.JobDeps(checks, retrain=retrain, retrain_at=when)))
    assert "day_of_week='sat', hour='3', minute='30'" in jobs[sched.RETRAIN_JOB_ID]
    assert sched.RETRAIN_JOB_ID not in asyncio.run(planned(sched.JobDeps(checks)))  # "off" removes it


def test_the_daemon_loads_the_promoted_version_or_else_the_shipped_one(
    engine: Engine, judge: Moderator, in_use: Classifier, tmp_path: Path
) -> None:
    from dozor.learning.live import model_in_use

    settings = parse_settings("")
    scorer, version = model_in_use(engine, settings)
    assert version == model_versions.BASELINE and scorer is not None and scorer.version.startswith("linear-")
    asyncio.run(decide(Store(engine), decisions(poisoned=False)))
    assert _round(engine, judge, in_use, tmp_path).promoted
    scorer, version = model_in_use(engine, settings)
    assert version == "v1" and scorer is not None and scorer.version == "v1"
    (tmp_path / "v1.npz").unlink()  # a lost file must not stop the daemon: the shipped model is used
    scorer, version = model_in_use(engine, settings)
    assert version == model_versions.BASELINE and scorer is not None


def test_a_restoration_on_appeal_teaches_keep_over_the_earlier_deletion(engine: Engine) -> None:
    from models.tables import CommentRow
    from moderation.daemon.ports import ModeratorChoice
    from web.appeals import restore_on_appeal

    said = "Лёгкий заработок, пишите в личку, но это шутка про наш двор"
    asyncio.run(
        decide(
            Store(engine), [(said, ModeratorChoice.DELETE), ("Когда почистят двор?", ModeratorChoice.KEEP)]
        )
    )
    rows, _ = load_decisions(engine, build_pii(ModerationConfig()))
    assert [r["action"] for r in rows] == ["delete", "keep"]
    with Session(engine) as session:
        comment = session.exec(select(CommentRow).where(CommentRow.text == said)).one()
        assert comment.id is not None
        restore_on_appeal(session, comment.id, "житель объяснил, что это шутка", "operator", NOW)
        session.commit()
    rows, _ = load_decisions(engine, build_pii(ModerationConfig()))
    assert [(r["text"], r["action"]) for r in rows] == [("Когда почистят двор?", "keep"), (said, "keep")]


def test_the_scheduled_round_runs_once_across_daemons() -> None:
    """Several daemons: the retrain job goes through the scheduler's once-across-daemons guard like the
    checks and the digest; a daemon the guard turns away runs nothing (no round, no child process)."""
    from monitor import scheduler as sched
    from monitor.checks.deps import CheckDeps

    asked: list[tuple[str, str]] = []
    rounds: list[object] = []

    async def declined(job_id: str, period: str, _body: Callable[[], Awaitable[None]]) -> bool:
        asked.append((job_id, period))
        return False  # another daemon holds this run

    async def retrain(now: object) -> object:
        rounds.append(now)
        return None

    deps = sched.JobDeps(cast(CheckDeps, None), retrain=retrain, once=declined, clock=lambda: NOW)
    sched._context = deps
    try:
        asyncio.run(sched.retrain_job())
    finally:
        sched._context = None
    assert [job for job, _ in asked] == [sched.RETRAIN_JOB_ID] and rounds == []
