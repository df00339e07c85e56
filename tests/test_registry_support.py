"""Shared fixtures for the registry tests: the same tests on SQLite always and on PostgreSQL when reachable.

PostgreSQL runs in a fresh schema per test (dropped afterwards), so parallel runs and other engineers' tables
in the `test` database are never touched. Set DOZOR_REQUIRE_POSTGRES=1 to turn "not reachable" into a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from models.db import make_engine
from models.registry import RegistryOrganisation, RegistryPage, registry_tables
from monitor.registry.service import OrgData, add_organisation, add_page, add_staff

PG_URL = os.environ.get("DOZOR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
D = dt.date

# Distinctive personal data: the public-export test asserts no fragment of these appears anywhere.
SECRET_NAMES = ("Зюзикова Евлампия Феоктистовна", "Пржевальский-Оглы Дормидонт Ксаверьевич")
SECRET_POSITIONS = ("Главный хранитель паролей отдела Щ", "Смотритель закрытых ключей категории Ъ")


@contextmanager
def _postgres_engine() -> Iterator[Engine]:
    probe = make_engine(PG_URL)
    try:
        with probe.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        probe.dispose()
        reason = f"PostgreSQL not reachable at {PG_URL}: {exc.orig}"
        if os.environ.get("DOZOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"dozor_registry_test_{uuid.uuid4().hex[:12]}"
    with probe.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = probe.execution_options(schema_translate_map={None: schema})
    try:
        yield engine
    finally:
        with probe.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        probe.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine with the registry tables created, on SQLite or on PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
        SQLModel.metadata.create_all(engine, tables=registry_tables())
        yield engine
        engine.dispose()
        return
    with _postgres_engine() as engine:
        SQLModel.metadata.create_all(engine, tables=registry_tables())
        yield engine


@pytest.fixture
def session(registry_engine: Engine) -> Iterator[Session]:
    """A session whose tests commit or not as they like; the database is thrown away afterwards."""
    with Session(registry_engine) as s:
        yield s


def make_org(
    session: Session, name: str = "Администрация города Рубцовска", **kw: str
) -> RegistryOrganisation:
    """An organisation with the contacts clause 2.4 asks for."""
    data = OrgData(
        name=name,
        kind=kw.get("kind", "administration"),
        short_name=kw.get("short_name", name.split()[0]),
        postal_address=kw.get("postal_address", "658200, Алтайский край, г. Рубцовск, пр. Ленина, 130"),
        email=kw.get("email", "office@rubtsovsk.org"),
        phone=kw.get("phone", "+7 (38557) 9-64-08"),
        website=kw.get("website", "https://rubtsovsk.org"),
    )
    return add_organisation(session, data)


def populated(session: Session) -> list[RegistryPage]:
    """A small registry: two organisations, three pages, a history, staff with distinctive names."""
    from monitor.registry.service import change_address, close_page

    adm = make_org(session)
    edu = make_org(
        session,
        "Управление образования Администрации города Рубцовска",
        kind="department",
        short_name="УО",
        email="",
    )
    vk = add_page(
        session, adm, network="vk", address="https://vk.com/rubtsovsk_adm", created_on=D(2025, 12, 30),
        platform_id="123", screen_name="rubtsovsk_adm", reported_on=D(2026, 1, 12), entered_on=D(2026, 1, 13),
    )  # fmt: skip
    tg = add_page(
        session, adm, network="telegram", address="https://t.me/rubtsovsk_adm", created_on=D(2026, 1, 9)
    )
    old = add_page(
        session,
        edu,
        network="vk",
        address="https://vk.com/uo_rub_old",
        created_on=D(2024, 3, 1),
        record_fact=False,
    )
    change_address(session, vk, "https://vk.com/rubtsovsk", D(2026, 2, 2), reported_on=D(2026, 2, 3))
    close_page(session, old, D(2025, 9, 1))
    for page, name, position in zip((vk, tg), SECRET_NAMES, SECRET_POSITIONS, strict=True):
        add_staff(session, page, full_name=name, position=position, from_on=page.created_on)
    session.commit()
    return [vk, tg, old]
