"""Registry rules on a real database: clause 1.5, address history (3.3), reports and deadlines (3.1-3.4)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.registry import FactKind, RegistryPage
from monitor.registry.adapters import SqlRegistry
from monitor.registry.service import (
    RegistryError,
    add_page,
    add_staff,
    change_address,
    close_page,
    end_staff,
    facts,
    find_page,
    history,
    list_overdue,
    record_detected_address,
    record_report,
    record_site_link,
)
from tests.test_registry_support import D, make_org, populated, registry_engine, session

__all__ = ["registry_engine", "session"]


def test_second_active_page_on_one_network_is_refused(session: Session) -> None:
    org = make_org(session)
    add_page(session, org, network="vk", address="https://vk.com/adm", created_on=D(2026, 1, 12))
    with pytest.raises(RegistryError, match=r"уже есть действующая страница в сети ВКонтакте.*п\. 1\.5"):
        add_page(session, org, network="ВКонтакте", address="https://vk.com/adm2", created_on=D(2026, 2, 2))


def test_other_network_and_replacement_after_closing_are_allowed(session: Session) -> None:
    org = make_org(session)
    first = add_page(session, org, network="vk", address="https://vk.com/adm", created_on=D(2025, 3, 3))
    add_page(session, org, network="telegram", address="https://t.me/adm", created_on=D(2025, 3, 3))
    close_page(session, first, D(2026, 1, 12))
    second = add_page(session, org, network="vk", address="https://vk.com/adm_new", created_on=D(2026, 1, 13))
    session.commit()
    assert second.status == "active" and first.status == "closed" and first.closed_on == D(2026, 1, 12)


def test_database_itself_refuses_a_second_active_page(session: Session) -> None:
    """The partial unique index holds even when someone bypasses the service."""
    org = make_org(session)
    add_page(session, org, network="vk", address="https://vk.com/adm", created_on=D(2026, 1, 12))
    session.commit()
    assert org.id is not None
    session.add(
        RegistryPage(
            organisation_id=org.id, network="vk", address="https://vk.com/x", created_on=D(2026, 1, 1)
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_address_change_keeps_previous_addresses(session: Session) -> None:
    org = make_org(session)
    page = add_page(session, org, network="vk", address="https://vk.com/a1", created_on=D(2025, 1, 9))
    change_address(session, page, "https://vk.com/a2", D(2025, 6, 16))
    change_address(session, page, "https://vk.com/a3", D(2026, 1, 12), detected_by="monitor")
    session.commit()
    chain = [(c.previous_address, c.new_address, c.changed_on, c.detected_by) for c in history(session, page)]
    assert chain == [
        ("https://vk.com/a1", "https://vk.com/a2", D(2025, 6, 16), "manual"),
        ("https://vk.com/a2", "https://vk.com/a3", D(2026, 1, 12), "monitor"),
    ]
    assert page.address == "https://vk.com/a3"
    assert find_page(session, "https://vk.com/a3").id == page.id
    kinds = [(f.kind, f.fact_date) for f in facts(session, page)]
    assert kinds == [
        ("creation", D(2025, 1, 9)),
        ("address_change", D(2025, 6, 16)),
        ("address_change", D(2026, 1, 12)),
    ]


def test_address_change_refusals(session: Session) -> None:
    org = make_org(session)
    other = make_org(session, "МБУ «Центр культуры»", kind="учреждение", short_name="ЦК")
    page = add_page(session, org, network="vk", address="https://vk.com/a1", created_on=D(2025, 1, 9))
    add_page(session, other, network="vk", address="https://vk.com/busy", created_on=D(2025, 1, 9))
    with pytest.raises(RegistryError, match="уже имеет адрес"):
        change_address(session, page, "https://vk.com/a1", D(2025, 2, 3))
    with pytest.raises(RegistryError, match="уже записан в реестре"):
        change_address(session, page, "https://vk.com/busy", D(2025, 2, 3))
    with pytest.raises(RegistryError, match="раньше даты создания"):
        change_address(session, page, "https://vk.com/a2", D(2024, 2, 3))


def test_monitor_detected_address_change(session: Session) -> None:
    org = make_org(session)
    page = add_page(
        session, org, network="vk", address="https://vk.com/old", created_on=D(2025, 1, 9), platform_id="777"
    )
    assert record_detected_address(session, "vk", "777", "https://vk.com/old", D(2026, 1, 12)) is None
    change = record_detected_address(session, "vk", "777", "https://vk.com/new", D(2026, 1, 12))
    assert (
        change is not None
        and change.detected_by == "monitor"
        and change.previous_address == "https://vk.com/old"
    )
    assert page.address == "https://vk.com/new"


def test_report_dates_rules(session: Session) -> None:
    org = make_org(session)
    page = add_page(session, org, network="vk", address="https://vk.com/a", created_on=D(2026, 1, 12))
    with pytest.raises(RegistryError, match="без даты поступления"):
        record_report(session, page, "creation", D(2026, 1, 12), reported_on=None, entered_on=D(2026, 1, 14))
    with pytest.raises(RegistryError, match="раньше даты поступления"):
        record_report(
            session, page, "creation", D(2026, 1, 12), reported_on=D(2026, 1, 14), entered_on=D(2026, 1, 13)
        )
    fact = record_report(session, page, "создание страницы", D(2026, 1, 12), reported_on=D(2026, 1, 14))
    assert [f.id for f in facts(session, page)] == [fact.id]
    assert fact.reported_on == D(2026, 1, 14) and fact.entered_on is None


def test_staff_change_is_a_fact_to_report(session: Session) -> None:
    org = make_org(session)
    page = add_page(session, org, network="vk", address="https://vk.com/a", created_on=D(2026, 1, 12))
    first = add_staff(
        session, page, full_name="Петров Пётр Петрович", position="специалист", from_on=D(2026, 1, 12)
    )
    add_staff(
        session, page, full_name="Сидорова Анна Ильинична", position="специалист", from_on=D(2026, 3, 2)
    )
    end_staff(session, first, D(2026, 3, 1))
    assert [f.kind for f in facts(session, page)] == [FactKind.CREATION, FactKind.STAFF_CHANGE]
    with pytest.raises(RegistryError, match="раньше даты начала"):
        end_staff(session, first, D(2025, 1, 1))


def _flags(session: Session, today: dt.date, *, late: bool = False) -> set[tuple[str, str]]:
    return {(d.page_label.split(": ")[1], d.clause) for d in list_overdue(session, today, include_late=late)}


def test_overdue_items_on_fixed_days(session: Session) -> None:
    populated(session)
    vk, tg = "https://vk.com/rubtsovsk", "https://t.me/rubtsovsk_adm"
    # 15.01.2026: Telegram page created 09.01 (a day off) was due to be reported by 14.01; neither page has
    # its site link yet, but that term (16.01) has not passed; the VK page was reported and entered in time.
    assert _flags(session, D(2026, 1, 14)) == set()
    assert _flags(session, D(2026, 1, 15)) == {(tg, "3.1")}
    assert _flags(session, D(2026, 1, 19)) == {(tg, "3.1"), (vk, "1.4.5"), (tg, "1.4.5")}
    # The address change of 02.02 was reported 03.02, but IT has not entered it: due 10.02 (3.4).
    assert (vk, "3.4") not in _flags(session, D(2026, 2, 10))
    assert (vk, "3.4") in _flags(session, D(2026, 2, 11))
    page = find_page(session, vk)
    record_site_link(session, page, D(2026, 1, 20))
    record_report(
        session, page, "address_change", D(2026, 2, 2), reported_on=D(2026, 2, 3), entered_on=D(2026, 2, 11)
    )
    session.commit()
    assert (vk, "3.4") not in _flags(session, D(2026, 2, 12))
    assert {(vk, "1.4.5"), (vk, "3.4")} <= _flags(session, D(2026, 2, 12), late=True)
    # Asking about a past day ignores what was done later.
    assert (vk, "1.4.5") in _flags(session, D(2026, 1, 19))


def test_deadline_text_counts_working_days(session: Session) -> None:
    populated(session)
    overdue = [d for d in list_overdue(session, D(2026, 1, 20)) if d.clause == "3.1"]
    assert len(overdue) == 1
    assert overdue[0].working_days_late(D(2026, 1, 20)) == 4
    assert "просрочено на 4 раб. дн." in overdue[0].describe(D(2026, 1, 20))


async def test_monitor_adapter(registry_engine: Engine) -> None:
    with Session(registry_engine) as s:
        populated(s)
    registry = SqlRegistry(registry_engine)
    pages = await registry.active_pages()
    assert {(p.platform.value, p.address) for p in pages} == {
        ("vk", "rubtsovsk_adm"),
        ("telegram", "rubtsovsk_adm"),
    }
    vk = next(p for p in pages if p.platform.value == "vk")
    assert vk.organisation.phone and vk.url == "https://vk.com/rubtsovsk_adm"
    seen = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    await registry.address_changed(vk, "rubtsovsk_adm", "rubtsovsk_city", seen)
    await registry.address_changed(vk, "rubtsovsk_adm", "rubtsovsk_city", seen)
    with Session(registry_engine) as s:
        page = find_page(s, "https://vk.com/rubtsovsk_city")
        assert [c.detected_by for c in history(s, page)] == ["manual", "monitor"]
    issues = await registry.deadline_issues(dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    assert {i.clause for i in issues} >= {"3.1", "3.2", "1.4.5"}
    await registry.site_link_seen(vk, seen)
    issues = await registry.deadline_issues(dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    assert ("1", "1.4.5") not in {(i.page_key, i.clause) for i in issues}
    assert all(i.organisation == "Администрация" and i.overdue for i in issues)
