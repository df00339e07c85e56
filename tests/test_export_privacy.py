"""Training rows from `dozor export-decisions` carry no citizen's personal data: the project's detectors mask
it; officials in their public role and the organisations' own phones stay. Logs carry no SQL parameters.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import subprocess
import sys
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from dozor.build import build_pii
from dozor.logs import StructuredFormatter
from models.db import make_engine
from models.retention import purge_expired
from models.store import Store
from moderation.config import ModerationConfig
from moderation.daemon.ports import DecisionRequest, ModeratorChoice
from moderation.daemon.records import DecidedBy, DecisionPlan, Plan
from moderation.pii.masking import mask
from moderation.types import Evidence, Ground, Span
from tests.db_fixtures import T0, incoming, verdict

OFFICIAL = "Фельдман Дмитрий Зиновьевич"
ORG_PHONE = "+7 (38557) 9-64-01"
CONFIG = f'[moderation]\npublic_officials = ["{OFFICIAL}"]\norganisation_phones = ["{ORG_PHONE}"]\n'
CITIZEN_TEXTS = [
    "Звоните мне 8 913 555-12-34 или пишите ivan.petrov@mail.ru, Иван Петров",
    "Мой номер +79135551234, паспорт 0104 123456",
    f"{OFFICIAL}, ответьте! Приёмная {ORG_PHONE}, а яма на Ленина так и стоит",
]
SECRETS = ["555-12-34", "ivan.petrov@mail.ru", "Иван Петров", "+79135551234", "123456"]


def ev(rule: str, start: int, end: int, *more: tuple[int, int]) -> Evidence:
    spans = (Span(start, end), *(Span(a, b) for a, b in more))
    return Evidence(rule, Ground.PERSONAL_DATA, 0.9, spans)


@pytest.mark.parametrize(
    ("said", "found", "masked"),
    [
        ("тел 89135551234 звоните", [ev("pii.phone", 4, 15)], "тел [телефон] звоните"),
        ("a@b.ru и c@d.ru", [ev("pii.email", 0, 6, (9, 15))], "[e-mail] и [e-mail]"),
        ("Иван Петров, ул. Ленина 5-7", [ev("pii.person_name", 0, 11), ev("pii.address", 13, 27)],
         "[ФИО], [адрес]"),
        ("перекрытие 0123456789", [ev("pii.inn", 11, 21), ev("pii.card", 15, 21)], "перекрытие [ИНН]"),
        ("без данных", [], "без данных"),
        ("x", [ev("pii.unknown", 0, 1)], "[персональные данные]"),
    ],
    ids=["phone", "two-emails-one-finding", "name-and-address", "overlap", "nothing", "unknown-rule"],
)  # fmt: skip
def test_mask(said: str, found: list[Evidence], masked: str) -> None:
    assert mask(said, found) == masked


def test_the_detectors_mask_citizens_and_leave_officials() -> None:
    detector = build_pii(ModerationConfig(public_officials=(OFFICIAL,), organisation_phones=(ORG_PHONE,)))
    masked = [mask(said, detector.detect(said)) for said in CITIZEN_TEXTS]
    for secret in SECRETS:
        assert all(secret not in m for m in masked), secret
    assert masked[0] == "Звоните мне [телефон] или пишите [e-mail], [ФИО]"
    assert OFFICIAL in masked[2] and ORG_PHONE in masked[2]


async def _decided_cards(store: Store, texts: list[str]) -> None:
    for n, said in enumerate(texts, start=1):
        c = incoming(str(n), text=said)
        assert await store.record_comment(c, T0) == 1
        assert await store.commit_verdict(
            c.key, 1, verdict(c.key), DecidedBy.RULES, None, Plan(card=True), T0
        )
    for item in await store.claim_due(T0, 100, timedelta(minutes=2)):
        assert item.card is not None
        await store.complete(item.id, T0, message_ref="-100:1", attempt=item.attempts)
        request = DecisionRequest(item.card.card_id, ModeratorChoice.DELETE, "77", T0)
        assert (await store.record_decision(request, DecisionPlan(ModeratorChoice.DELETE), T0))[0]


def test_export_decisions_writes_no_personal_data(tmp_path: Path, sqlite_url: str) -> None:
    eng = make_engine(sqlite_url)
    try:
        asyncio.run(_decided_cards(Store(eng), [*CITIZEN_TEXTS, "Старый комментарий 8 913 000-00-00"]))
        with eng.begin() as conn:  # the last one is older than the rest: retention purges it
            conn.execute(
                text("UPDATE comments SET received_at = :at WHERE comment_id = '4'"),
                {"at": T0 - timedelta(days=400)},
            )
        purge_expired(eng, T0 - timedelta(days=90), T0)
    finally:
        eng.dispose()
    (tmp_path / "config.toml").write_text(CONFIG + f'[storage]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOZOR_")}
    out = tmp_path / "rows.jsonl"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dozor")), "export-decisions", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Записано решений: 3" in proc.stdout and "1 без текста" in proc.stdout
    written = out.read_text(encoding="utf-8")
    for secret in [*SECRETS, "000-00-00"]:
        assert secret not in written, secret
    rows = [json.loads(line) for line in written.splitlines()]
    assert [row["action"] for row in rows] == ["delete"] * 3
    assert rows[0]["text"] == "Звоните мне [телефон] или пишите [e-mail], [ФИО]"
    assert OFFICIAL in rows[2]["text"] and ORG_PHONE in rows[2]["text"]


def test_database_errors_carry_no_sql_parameters(engine: Engine) -> None:
    """A failing statement's error (what a worker logs) names the SQL but not the values bound to it."""
    name, said = "Иван Петров", "Комментарий с телефоном 8 913 555-12-34"
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(
            text("INSERT INTO no_such_table (a, b) VALUES (:name, :said)"), {"name": name, "said": said}
        )
    assert name not in str(caught.value) and said not in str(caught.value)
    error = caught.value
    record = logging.LogRecord("dozor.test", logging.ERROR, __file__, 1, "handler failed on VK comment %s",
                               ("vk:1:2:3",), (type(error), error, error.__traceback__))  # fmt: skip
    line = StructuredFormatter().format(record)
    assert "no_such_table" in line and name not in line and "555-12-34" not in line


async def test_a_failing_comment_write_logs_neither_text_nor_name(store: Store) -> None:
    """The issue's case: the store fails while recording a comment; the error has no text or author."""
    name = "Мария Сергеевна Кузнецова"
    said = "Очень личный текст жительницы, \x00"  # PostgreSQL refuses a NUL; on SQLite a broken trigger fails
    c = dataclasses.replace(incoming("1", text=said), author_name=name)
    if store._sqlite:  # type: ignore[attr-defined]
        refuse = "CREATE TRIGGER refuse BEFORE INSERT ON comments BEGIN INSERT INTO gone VALUES (1); END"
        with store._engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(text(refuse))
    with pytest.raises(DBAPIError) as caught:
        await store.record_comment(c, T0)
    rendered = "".join(traceback.format_exception(caught.value))
    assert name not in rendered and "личный текст" not in rendered
