"""The digest tells the truth: the current week as of now, pages told apart by network, a check that could not
run said once with its cause and never blamed on the organisation, 2FA (1.6), one page per network (1.5)."""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from emulators.city import demo_world
from models.values import Status
from monitor.checks.deps import CheckDeps, parse_week
from monitor.checks.router import PlatformRouter
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.digest.data import DigestSources
from monitor.digest.job import build_digest
from monitor.digest.memory import InMemoryModerationStats
from monitor.ports import DeadlineIssue
from tests.test_digest import FixedDeadlines, visible_text

TZ = ZoneInfo("Asia/Barnaul")
CONFIG = MonitorConfig()
WEEK = parse_week("2026-W50", TZ)  # Monday 7 December 2026
MONDAY_10 = WEEK.start + timedelta(hours=10)


async def test_the_current_week_is_reported_as_of_now() -> None:
    world = demo_world(WEEK.start)
    thursday = (WEEK.start + timedelta(days=3)).date()
    issue = DeadlineIssue("1", "Администрация", "3.1", "Сообщить о создании страницы", thursday)
    stats = InMemoryModerationStats()
    stats.add("waiting", MONDAY_10 - timedelta(minutes=5))
    sources = DigestSources(CONFIG, world.registry, world.source, world.store, stats, FixedDeadlines([issue]))
    built = await build_digest(sources, WEEK, MONDAY_10)
    digest = built.digest
    assert digest.in_progress and digest.moment == MONDAY_10
    assert not any("Сообщить о создании" in f.text and f.status is Status.FAIL for f in digest.fixes)
    text = visible_text(built.html)
    assert "Неделя ещё идёт: сведения на 07.12.2026 10:00" in text
    assert "самая старая ждёт меньше часа" in text  # made five minutes ago
    assert "6 дней" not in text and "6 дней" not in built.message
    finished = await build_digest(sources, WEEK, WEEK.end + timedelta(hours=9))
    assert any("Сообщить о создании" in f.text and f.status is Status.FAIL for f in finished.digest.fixes)


async def test_pages_with_one_title_are_told_apart_by_network() -> None:
    world = demo_world(WEEK.start)
    twin = next(p for p in world.registry.pages if p.display_title == "Городской дом культуры")
    tg = dataclasses.replace(twin, key="twin-tg", platform=type(twin.platform)("telegram"))
    world.add_page(tg, world.source.info[twin.key])
    sources = DigestSources(CONFIG, world.registry, world.source, world.store)
    deps = CheckDeps(CONFIG, world.source, world.registry, world.store, world.fetcher, world.addresses)
    await run_checks(deps, WEEK.end - timedelta(hours=4))
    built = await build_digest(sources, WEEK, WEEK.end + timedelta(hours=9))
    text = visible_text(built.html)
    assert f"Страница во ВКонтакте: {twin.display_title}" in text
    assert f"Страница в Telegram: {twin.display_title}" in text
    assert all(f.network in ("ВКонтакте", "Telegram") for f in built.digest.fixes if f.page_url)
    assert "(Telegram): " in built.message or "(ВКонтакте): " in built.message


async def test_a_check_that_could_not_run_is_said_once_and_not_blamed_on_anyone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = demo_world(WEEK.start, extra_pages=7)
    nowhere = PlatformRouter({})  # no tokens: no platform client at all
    deps = CheckDeps(CONFIG, nowhere, world.registry, world.store, world.fetcher, world.addresses)
    with caplog.at_level(logging.WARNING):
        await run_checks(deps, WEEK.end - timedelta(hours=4))
    assert not any(r.exc_info for r in caplog.records), "a missing token is no reason for a traceback"
    lines = [r.getMessage() for r in caplog.records if "could not run" in r.getMessage()]
    assert len(lines) == 2 and all("не задан токен" in line for line in lines)
    sources = DigestSources(CONFIG, world.registry, nowhere, world.store)
    built = await build_digest(sources, WEEK, WEEK.end + timedelta(hours=9))
    digest = built.digest
    assert not any("Повторить проверку" in f.text or not f.text for f in digest.fixes)
    causes = [u.cause for u in digest.unchecked]
    assert sorted(causes) == sorted(set(causes))
    assert any("DOZOR_VK_USER_TOKEN" in c for c in causes) and any(
        "DOZOR_TELEGRAM_TOKEN" in c for c in causes
    )
    text = visible_text(built.html)
    assert text.count("не задан токен бота DOZOR_TELEGRAM_TOKEN") == 1
    assert "организациям исправлять нечего" in text
    assert built.message.count("Не удалось проверить") == len(causes)


async def test_two_factor_and_one_page_per_network_columns() -> None:
    world = demo_world(WEEK.start)
    pages = world.registry.pages
    pages[0] = dataclasses.replace(
        pages[0], twofa_known=True, twofa_attested_on=date(2026, 1, 12), pages_on_network=1
    )
    pages[1] = dataclasses.replace(pages[1], twofa_known=True, twofa_attested_on=None, pages_on_network=2)
    sources = DigestSources(CONFIG, world.registry, world.source, world.store)
    built = await build_digest(sources, WEEK, WEEK.end + timedelta(hours=9))
    text = visible_text(built.html)
    assert "2FA (п. 1.6)" in text and "Одна страница в сети (п. 1.5)" in text
    assert "подтверждена 12.01.2026" in text and "не подтверждена" in text and "2 страницы" in text
    clauses = {(f.page_title, f.clause) for f in built.digest.fixes}
    assert (pages[1].display_title, "1.6") in clauses and (pages[1].display_title, "1.5") in clauses
    assert (pages[0].display_title, "1.6") not in clauses
