"""A seeded console for the web tests: accounts of each role, a registry with staff, decided comments."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from models.store import Store
from moderation.daemon.ports import Restriction
from moderation.daemon.records import DecidedBy, Plan
from moderation.types import Action, Ground, Platform
from monitor.registry.service import OrgData, add_organisation, add_page, add_staff, attest_2fa
from tests.db_fixtures import incoming, verdict
from web.accounts import add_user

PASSWORD = "Верный-пароль-2026"
SECRET_STAFF = ("Зюзикова Евлампия Феоктистовна", "Главный хранитель паролей отдела Щ")
T0 = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
USERS = {"press": "moderator", "ito": "it", "guest": "viewer"}
OBSCENE = "Да пошли вы на х.у.й с такими дорогами"
LAWFUL = "Позор! Третий год обещаете отремонтировать дорогу на Ленина"
TRICKY = 'Он сказал "\'; DROP TABLE comments; --" и <script>alert(1)</script> про 100% ремонт'


@dataclass(frozen=True)
class Seeded:
    deleted_id: int
    lawful_id: int
    tricky_id: int
    page_id: int


def seed_registry(engine: Engine, vk_group: str = "12345") -> int:
    with Session(engine) as session:
        org = add_organisation(
            session,
            OrgData("Администрация города Рубцовска Алтайского края", "administration", "Администрация",
                    "658200, г. Рубцовск, пр. Ленина, 130", "office@rubtsovsk.org", "+7 (38557) 9-64-08"),
        )  # fmt: skip
        address = f"https://vk.com/club{vk_group}"
        page = add_page(
            session,
            org,
            network="vk",
            address=address,
            created_on=T0.date(),
            platform_id=vk_group,
            record_fact=False,
        )
        add_staff(session, page, full_name=SECRET_STAFF[0], position=SECRET_STAFF[1], from_on=T0.date())
        attest_2fa(session, page, T0.date())
        session.commit()
        assert page.id is not None
        return page.id


def seed_users(engine: Engine) -> None:
    with Session(engine) as session:
        for name, role in USERS.items():
            add_user(session, name, role, PASSWORD, T0)
        session.commit()


async def _decide(store: Store, comment_id: str, text: str, plan: Plan, action: Action, author: str) -> int:
    comment = incoming(comment_id, text, author_id=author, created_at=T0)
    revision = await store.record_comment(comment, T0)
    assert revision is not None
    await store.commit_verdict(
        comment.key, revision, verdict(comment.key, action), DecidedBy.RULES, None, plan, T0
    )
    done_by = T0 + timedelta(seconds=1)
    for queued in await store.claim_due(done_by, 10, timedelta(minutes=1)):
        await store.complete(queued.id, done_by, attempt=queued.attempts)
    from sqlmodel import select

    from models.tables import CommentRow

    with Session(store._engine) as session:
        row = session.exec(select(CommentRow).where(CommentRow.key == comment.key)).one()
        assert row.id is not None
        return row.id


def seed_comments(engine: Engine) -> Seeded:
    store = Store(engine)
    ban = Restriction(Platform.VK, "12345", "500", T0 + timedelta(days=7), Ground.OBSCENITY)

    async def run() -> tuple[int, int, int]:
        deleted = await _decide(
            store, "1", OBSCENE, Plan(delete=True, restriction=ban, violation=True), Action.DELETE, "500"
        )
        lawful = await _decide(store, "2", LAWFUL, Plan(), Action.KEEP, "501")
        tricky = await _decide(store, "3", TRICKY, Plan(), Action.KEEP, "502")
        return deleted, lawful, tricky

    deleted, lawful, tricky = asyncio.run(run())
    return Seeded(deleted, lawful, tricky, 0)


def seed_all(engine: Engine) -> Seeded:
    page = seed_registry(engine)
    seed_users(engine)
    seeded = seed_comments(engine)
    return Seeded(seeded.deleted_id, seeded.lawful_id, seeded.tricky_id, page)
