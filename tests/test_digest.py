"""The weekly digest: gathering, HTML and the Telegram message for no data, one page and fifty pages."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emulators.city import DemoWorld, demo_moderation, demo_world
from models.values import Status
from monitor.checks.deps import CheckDeps, parse_week
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.digest.data import DigestSources
from monitor.digest.job import DigestDeps, build_digest, send_weekly_digest
from monitor.digest.memory import InMemoryModerationStats, RecordingSender
from monitor.digest.message import render_message
from monitor.ports import DeadlineIssue

TZ = ZoneInfo("Asia/Barnaul")
CONFIG = MonitorConfig(press_chat_id="-100777")
WEEK = parse_week("2026-W48", TZ)
NEXT_MONDAY_9 = WEEK.end + timedelta(hours=9)


class FixedDeadlines:
    def __init__(self, issues: list[DeadlineIssue]) -> None:
        self.issues = issues

    async def deadline_issues(self, at: datetime) -> list[DeadlineIssue]:
        return [i for i in self.issues if i.due < at.date()]


async def checked(world: DemoWorld) -> DigestSources:
    """Run the checks as the scheduler would on Sunday evening, then point the digest at the same data."""
    deps = CheckDeps(CONFIG, world.source, world.registry, world.store, world.fetcher, world.addresses)
    await run_checks(deps, WEEK.end - timedelta(hours=4))
    return DigestSources(CONFIG, world.registry, world.source, world.store, world.stats)


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S)))


async def test_week_with_no_data() -> None:
    world = DemoWorld()
    built = await build_digest(
        DigestSources(CONFIG, world.registry, world.source, world.store), WEEK, NEXT_MONDAY_9
    )
    text = visible_text(built.html)
    assert "Неделя 48: 23–29 ноября 2026" in text and "нет действующих страниц" in text
    assert "Данные модерации за эту неделю недоступны" in text and "<img" not in built.html
    assert "Исправлять ничего не нужно" not in text
    assert "В реестре нет действующих страниц." in built.message and len(built.message) < 4096


async def test_one_page_with_fixes_first() -> None:
    world = demo_world(WEEK.start)
    world.registry.pages = [
        p for p in world.registry.pages if p.key == "2"
    ]  # Управление образования, Telegram
    sources = await checked(world)
    built = await build_digest(sources, WEEK, NEXT_MONDAY_9)
    line = built.digest.pages[0]
    assert line.posts == 3 and line.previous_posts == 5 and line.status is Status.FAIL
    texts = [f.text for f in built.digest.fixes]
    assert any("не хватило 2" in t for t in texts) and any("телефон для справок" in t for t in texts)
    html = built.html
    assert html.index('id="fixes"') < html.index('id="pages"') < html.index('id="moderation"')
    text = visible_text(html)
    assert "Что исправить" in text and "3 из 5" in text and "−2 к прошлой неделе" in text
    assert "нет: телефон для справок" in text and "Отвечает: Муниципальное казенное учреждение" in text
    assert html.count("data:image/png;base64,") == 1  # posts chart; no moderation data, no deletions chart


async def test_fifty_pages_with_moderation_and_deadlines() -> None:
    world = demo_world(WEEK.start, extra_pages=45)
    demo_moderation(world, WEEK.start)
    sources = await checked(world)
    issue = DeadlineIssue(
        "s3", "Школа № 4", "3.1", "Сообщить в отдел ИТО о создании страницы", date(2026, 11, 20)
    )
    # the monitor saw this school's link on its site: the registry's stale 1.4.5 term must not show
    stale = DeadlineIssue("s4", "Школа № 5", "1.4.5", "Разместить ссылку на сайте", date(2026, 11, 20))
    sources = DigestSources(
        CONFIG, sources.registry, sources.source, sources.store, world.stats, FixedDeadlines([issue, stale])
    )
    built = await build_digest(sources, WEEK, NEXT_MONDAY_9)
    digest = built.digest
    assert len(digest.pages) == 50 and sum(digest.status_counts.values()) == 50
    severities = [p.status for p in digest.pages]
    assert severities[0] is Status.FAIL and severities[-1] is Status.OK  # worst first
    school = next(p for p in digest.pages if p.page.key == "s3")
    assert school.status is Status.FAIL and any("отдел ИТО" in f.text for f in digest.fixes)
    assert not any("Разместить ссылку на сайте" in f.text for f in digest.fixes)
    assert digest.moderation is not None and digest.moderation.deleted == 32
    text = visible_text(built.html)
    assert "Проверено 50 страниц" in text and "самая старая ждёт" in text and "Сроки реестра" in text
    assert "нецензурная брань" in text and "+310 к прошлой неделе" in text
    assert built.html.count("data:image/png;base64,") == 2
    assert len(built.message) <= 4096 and "…и ещё" in built.message


def test_message_stays_under_the_telegram_limit_with_long_fixes() -> None:
    from monitor.digest.data import Fix, WeekDigest

    fixes = [
        Fix(
            "Организация " + "х" * 200,
            "Стр",
            "https://vk.com/x",
            "Исправить " + "у" * 400,
            Status.FAIL,
            "2.4",
        )
        for _ in range(40)
    ]
    digest = WeekDigest(WEEK, NEXT_MONDAY_9, 5, [], fixes, None, None)
    message = render_message(digest)
    assert len(message) <= 4096 and "…и ещё" in message and message.count("<b>") == message.count("</b>")


async def test_scheduled_job_sends_last_week_to_the_press_chat() -> None:
    world = demo_world(WEEK.start)
    demo_moderation(world, WEEK.start)
    sender = RecordingSender()
    built = await send_weekly_digest(DigestDeps(await checked(world), sender), NEXT_MONDAY_9)
    assert built.digest.week.label == "2026-W48"
    assert [chat for chat, _ in sender.messages] == ["-100777"]
    [(chat, filename, content, caption)] = sender.documents
    assert chat == "-100777"
    assert filename == "dozor-digest-2026-W48.html" and content.decode().startswith("<!DOCTYPE html>")
    assert "неделю 48" in caption


async def test_job_without_chat_only_builds() -> None:
    world = demo_world(WEEK.start)
    sources = DigestSources(
        MonitorConfig(), world.registry, world.source, world.store, InMemoryModerationStats()
    )
    sender = RecordingSender()
    built = await send_weekly_digest(DigestDeps(sources, sender), NEXT_MONDAY_9)
    assert sender.messages == [] and built.digest.moderation is not None


@pytest.mark.parametrize(("n", "word"), [(1, "страница"), (3, "страницы"), (5, "страниц"), (21, "страница")])
def test_russian_plurals(n: int, word: str) -> None:
    from monitor.digest.labels import plural

    assert plural(n, "страница", "страницы", "страниц") == word
