"""Retention: past the configured period a comment's text and its author's name are gone from the database,
on SQLite and PostgreSQL, while the decision record (grounds, who, when, actions, evidence) stays as it was.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

from models.retention import PURGED_DETAIL, RetentionJob, purge_expired
from models.store import Store
from moderation.daemon.ports import DecisionRequest, IncomingComment, ModeratorChoice
from moderation.daemon.records import ActionKind, DecidedBy, DecisionPlan, Plan
from moderation.daemon.restrictions import restriction_of_days
from moderation.types import Action, Evidence, Ground, Span, Verdict
from monitor import scheduler as sched
from tests.db_fixtures import T0, incoming

LEASE = timedelta(minutes=2)
NOW = T0 + timedelta(days=100)
CUTOFF = NOW - timedelta(days=90)
PHONE = "+7 913 555-12-34"


def comment(number: str, author: str) -> IncomingComment:
    said = f"Комментарий {number}: звоните {PHONE[:-2]}{number}{number}, спросите {author}"
    return dataclasses.replace(incoming(number, text=said), author_name=author)


def pii_verdict(key: str, said: str) -> Verdict:
    start = said.index("+7")
    evidence = (
        Evidence(
            "pii.phone", Ground.PERSONAL_DATA, 0.9, (Span(start, start + len(PHONE)),), "телефон +7 9** **34"
        ),
        Evidence("obscenity.test", Ground.OBSCENITY, 0.97, (Span(0, 5),), "мат"),
    )
    grounds = (Ground.PERSONAL_DATA, Ground.OBSCENITY)
    scores = {Ground.PERSONAL_DATA: 0.9, Ground.OBSCENITY: 0.97}
    return Verdict(comment_id=key, action=Action.DELETE, grounds=grounds, scores=scores, evidence=evidence)


async def decided(store: Store, c: IncomingComment, plan: Plan, at: datetime = T0) -> None:
    assert await store.record_comment(c, at) == 1
    assert await store.commit_verdict(c.key, 1, pii_verdict(c.key, c.text), DecidedBy.RULES, "m1", plan, at)


async def finish_actions(store: Store, at: datetime) -> dict[ActionKind, list[int]]:
    """Perform every due action (complete it), returning the card ids that were posted."""
    cards: dict[ActionKind, list[int]] = {}
    for item in await store.claim_due(at, 100, LEASE):
        assert await store.complete(item.id, at, message_ref=f"-100:{item.id}", attempt=item.attempts)
        if item.card is not None:
            cards.setdefault(item.kind, []).append(item.card.card_id)
    return cards


def dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain values."""
    with engine.connect() as conn:
        return {
            name: [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {name}")).all()]
            for name in sorted(inspect(engine).get_table_names())
        }


async def world(store: Store) -> dict[str, IncomingComment]:
    """Old comments in every state, and one recent one."""
    names = ["Иванов", "Петрова", "Сидоров", "Козлова", "Смирнов", "Орлова"]
    c = {n: comment(n, f"Автор{name}") for n, name in zip("123456", names, strict=True)}
    restriction = restriction_of_days(c["1"], Ground.OBSCENITY, 7, T0)
    await decided(store, c["1"], Plan(delete=True, restriction=restriction, violation=True))
    await decided(store, c["2"], Plan(card=True))
    await decided(store, c["3"], Plan(card=True))
    cards = await finish_actions(store, T0)
    card_2 = min(cards[ActionKind.CARD])
    request = DecisionRequest(card_2, ModeratorChoice.DELETE, "77", T0, moderator_name="Модератор Анна")
    plan = DecisionPlan(ModeratorChoice.DELETE, delete=True, violation=True)
    assert (await store.record_decision(request, plan, T0))[0]
    await finish_actions(store, T0)  # the moderator's deletion is done; card 3 stays open
    await decided(store, c["6"], Plan(delete=True), at=NOW - timedelta(days=1))
    await finish_actions(store, NOW - timedelta(days=1))
    await decided(store, c["4"], Plan(delete=True))  # its deletion is still pending
    assert await store.record_comment(c["5"], T0) == 1  # never decided (the process stopped)
    return c


def flat(tables: dict[str, list[dict[str, Any]]]) -> str:
    return repr(tables)


async def test_purge_removes_texts_and_names_and_keeps_the_decision_record(
    store: Store, engine: Engine
) -> None:
    c = await world(store)
    before = dump(engine)
    report = await asyncio.to_thread(purge_expired, engine, CUTOFF, NOW)
    after = dump(engine)
    assert (report.purged, report.waiting) == (2, 3)  # 3: an open card, a pending deletion, undecided

    everything = flat(after)
    for gone in ("1", "2"):
        assert c[gone].text not in everything and str(c[gone].author_name) not in everything
    for kept in ("3", "4", "5", "6"):
        assert c[kept].text in everything and str(c[kept].author_name) in everything

    rows = {row["comment_id"]: row for row in after["comments"]}
    old = {row["comment_id"]: row for row in before["comments"]}
    for number in "12":
        assert rows[number]["text"] == "" and rows[number]["author_name"] is None
        unchanged = {k: v for k, v in rows[number].items() if k not in ("text", "author_name")}
        assert unchanged == {k: v for k, v in old[number].items() if k not in ("text", "author_name")}
    for number in "3456":
        assert rows[number] == old[number]

    for table in ("decisions", "restrictions", "actions", "review_cards", "posts", "moderators", "cursors"):
        assert after[table] == before[table], table
    assert [r for r in after["audit_log"] if r not in before["audit_log"]] == [
        next(r for r in after["audit_log"] if r["event"] == "purged")
    ]
    assert len(after["comment_purges"]) == 2
    by_id = {r["id"]: r for r in before["verdicts"]}
    purged_ids = {row["id"] for row in after["comments"] if row["comment_id"] in ("1", "2")}
    for verdict_row in after["verdicts"]:
        was = by_id[verdict_row["id"]]
        for key in (
            "comment_id",
            "revision",
            "action",
            "grounds",
            "scores",
            "decided_by",
            "model_version",
            "at",
        ):
            assert verdict_row[key] == was[key]
        if verdict_row["comment_id"] not in purged_ids:
            assert verdict_row["evidence"] == was["evidence"]
            continue
        for now_item, was_item in zip(_json(verdict_row["evidence"]), _json(was["evidence"]), strict=True):
            assert {k: v for k, v in now_item.items() if k != "detail"} == {
                k: v for k, v in was_item.items() if k != "detail"
            }
            pii = was_item["ground"] == "personal_data"
            assert now_item["detail"] == (PURGED_DETAIL if pii else was_item["detail"])


def _json(value: Any) -> list[dict[str, Any]]:
    import json

    return json.loads(value) if isinstance(value, str) else list(value)


async def test_a_purged_comment_redelivered_is_not_decided_again_but_an_edit_is(
    store: Store, engine: Engine
) -> None:
    c = await world(store)
    await asyncio.to_thread(purge_expired, engine, CUTOFF, NOW)
    assert await store.record_comment(c["1"], NOW) is None  # a catch-up reading the old thread again
    assert await store.record_comment(c["2"], NOW) is None
    assert [x.comment_id for x in await store.undecided_comments()] == ["5"]
    edited = dataclasses.replace(c["1"], text="Исправил комментарий", edited=True)
    assert await store.record_comment(edited, NOW) == 2
    later = NOW + timedelta(days=91)
    again = await asyncio.to_thread(purge_expired, engine, later - timedelta(days=90), later)
    assert (again.purged, again.waiting) == (1, 4)  # comment 6 now; the undecided edit waits with 3, 4, 5
    everything = flat(dump(engine))
    assert "Исправил комментарий" in everything and c["6"].text not in everything


async def test_a_second_purge_finds_nothing_and_waiting_ones_go_once_finished(
    store: Store, engine: Engine
) -> None:
    c = await world(store)
    await asyncio.to_thread(purge_expired, engine, CUTOFF, NOW)
    assert (await asyncio.to_thread(purge_expired, engine, CUTOFF, NOW)).purged == 0
    await finish_actions(store, NOW)  # the pending deletion of comment 4 is done
    report = await asyncio.to_thread(purge_expired, engine, CUTOFF, NOW)
    assert (report.purged, report.waiting) == (1, 2)
    assert c["4"].text not in flat(dump(engine))


async def test_the_scheduled_job_purges_as_of_the_schedulers_clock(store: Store, engine: Engine) -> None:
    c = await world(store)
    calls: list[datetime] = []

    def clock() -> datetime:
        calls.append(NOW)
        return NOW

    saved = sched._context
    sched._context = sched.JobDeps(checks=None, clock=clock, purge=RetentionJob(engine, 90))  # type: ignore[arg-type]
    try:
        await sched.purge_job()
    finally:
        sched._context = saved
    assert calls == [NOW]
    assert c["1"].text not in flat(dump(engine)) and c["3"].text in flat(dump(engine))


async def test_the_daemon_schedules_the_purge_daily(tmp_path: Path) -> None:
    from monitor.config import MonitorConfig

    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    config = MonitorConfig()

    async def purge(now: datetime) -> None:
        return None

    scheduler = sched.build_scheduler(config, url, sched.JobDeps(checks=None, purge=purge))  # type: ignore[arg-type]
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job(sched.PURGE_JOB_ID)
        assert job is not None and job.func_ref == sched.PURGE_JOB_REF and job.coalesce
        local = job.next_run_time.astimezone(config.tz)
        assert (local.hour, local.minute) == (sched.PURGE_AT.hour, sched.PURGE_AT.minute)
        assert job.next_run_time - datetime.now(UTC) <= timedelta(days=1)
    finally:
        scheduler.shutdown()
        await asyncio.sleep(0.05)


def test_dozor_purge_as_an_administrator_runs_it(tmp_path: Path, sqlite_url: str) -> None:
    async def fill() -> dict[str, IncomingComment]:
        from models.db import make_engine

        eng = make_engine(sqlite_url)
        try:
            return await world(Store(eng))
        finally:
            eng.dispose()

    c = asyncio.run(fill())
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{sqlite_url}"\nretention_days = 90\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DOZOR_DATABASE_URL"}
    days = (datetime.now(UTC) - CUTOFF).days  # the comments are as old, relative to today, as in the tests
    dozor = str(Path(sys.executable).with_name("dozor"))
    proc = subprocess.run(
        [dozor, "purge", "--days", str(days), "--config", str(config)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Удалены тексты и имена авторов у 2 комментариев" in proc.stdout
    assert "Ещё 3 старых комментариев пока нужны" in proc.stdout
    from models.db import make_engine

    eng = make_engine(sqlite_url)
    try:
        everything = flat(dump(eng))
    finally:
        eng.dispose()
    assert c["1"].text not in everything and c["3"].text in everything
    help_text = subprocess.run([dozor, "purge", "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "срок хранения" in help_text
