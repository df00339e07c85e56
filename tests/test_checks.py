"""Each compliance check on fake pages with a fixed clock (week 48 of 2026, Barnaul time)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emulators.city import ADMIN, CULTURE, EDUCATION, demo_world, good_description, week_posts
from models.values import CheckName, CheckResult, Post, PostKind, Status
from moderation.types import Platform
from monitor.checks.address import check_address
from monitor.checks.deps import CheckDeps, parse_week, week_of
from monitor.checks.description import check_description
from monitor.checks.managers import check_managers
from monitor.checks.memory import (
    InMemoryCheckResultStore,
    InMemoryPageSource,
    InMemoryRegistry,
    RecordingAddressSink,
    StaticSiteFetcher,
)
from monitor.checks.posting import check_posting_rate, post_mix
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.ports import Manager, PageInfo, PageRef

TZ = ZoneInfo("Asia/Barnaul")
MONDAY = datetime(2026, 11, 23, tzinfo=TZ)
CONFIG = MonitorConfig()
PAGE = PageRef("1", Platform.VK, "rubtsovsk_adm", "100001", ADMIN, "Администрация", date(2020, 1, 1))
TG_PAGE = PageRef("2", Platform.TELEGRAM, "rub_edu", "-1001", EDUCATION, "Образование", date(2023, 1, 1))


def deps_for(source: InMemoryPageSource, sink: RecordingAddressSink | None = None) -> CheckDeps:
    return CheckDeps(
        CONFIG,
        source,
        InMemoryRegistry([PAGE]),
        InMemoryCheckResultStore(),
        StaticSiteFetcher(),
        sink or RecordingAddressSink(),
    )


def posts_source(posts: list[Post]) -> InMemoryPageSource:
    return InMemoryPageSource(posts_by_page={PAGE.key: posts})


def at(day: int, hour: int = 12) -> datetime:
    """A moment in week 48: day 0 = Monday 23 November."""
    return MONDAY + timedelta(days=day, hours=hour)


# --- weeks


def test_iso_week_boundaries_are_local_midnight() -> None:
    week = parse_week("2026-W48", TZ)
    assert week.start == MONDAY and week.end == MONDAY + timedelta(days=7)
    # 23:30 on Sunday in UTC is already Monday in Barnaul: the next week
    assert week_of(datetime(2026, 11, 29, 17, 30, tzinfo=ZoneInfo("UTC")), TZ).label == "2026-W49"
    assert week.previous().label == "2026-W47"
    with pytest.raises(ValueError, match="2026-W48"):
        parse_week("48/2026", TZ)


# --- clause 2.1 / 2.3: posting rate


async def test_enough_posts_is_ok() -> None:
    result = await check_posting_rate(deps_for(posts_source(week_posts(MONDAY, 6))), PAGE, at(6, 22))
    assert result.status is Status.OK and result.data["count"] == 6 and result.data["week"] == "2026-W48"


async def test_monday_morning_with_no_posts_is_not_an_alarm() -> None:
    result = await check_posting_rate(deps_for(posts_source([])), PAGE, at(0, 8))
    assert result.status is Status.OK


async def test_mid_week_warns_when_pace_will_miss_target() -> None:
    posts = [Post("1", at(0, 10))]
    result = await check_posting_rate(deps_for(posts_source(posts)), PAGE, at(3, 12))  # Thursday noon
    assert result.status is Status.WARNING
    assert result.problems[0].field == "posts" and result.problems[0].kind == "behind"
    assert "ещё 4 публикации" in result.problems[0].fix


async def test_on_pace_mid_week_is_ok() -> None:
    posts = [Post(str(i), at(i, 10)) for i in range(3)]
    result = await check_posting_rate(deps_for(posts_source(posts)), PAGE, at(3, 12))
    assert result.status is Status.OK


async def test_finished_week_below_target_fails() -> None:
    posts = [Post(str(i), at(i, 10)) for i in range(4)] + [
        Post("late", at(7, 10))
    ]  # next Monday: not counted
    result = await check_posting_rate(deps_for(posts_source(posts)), PAGE, at(7, 0))  # Monday 00:00 next week
    assert result.status is Status.FAIL and result.data["count"] == 4 and result.data["week"] == "2026-W48"
    assert result.problems[0].expected == "5" and result.problems[0].found == "4"


def test_post_mix_counts_forms_and_hashtags() -> None:
    posts = [
        Post("1", MONDAY, "Субботник #Рубцовск", frozenset({PostKind.PHOTO})),
        Post("2", MONDAY, "Опрос о благоустройстве", frozenset({PostKind.POLL})),
        Post("3", MONDAY, "Объявление о приёме граждан"),
        Post("4", MONDAY, "Видео с праздника #День_города", frozenset({PostKind.VIDEO, PostKind.PHOTO})),
        Post("5", MONDAY, "Цена 100#2 — не хэштег"),
    ]
    assert post_mix(posts) == {"photo": 2, "poll": 1, "text": 2, "video": 1, "hashtags": 2}


async def test_text_only_week_gets_a_mix_hint() -> None:
    posts = [Post(str(i), at(i, 10), "Текст") for i in range(5)]
    result = await check_posting_rate(deps_for(posts_source(posts)), PAGE, at(7, 0))
    assert result.status is Status.OK and "п. 2.3" in str(result.data["mix_hint"])


# --- clause 2.4: description


def info(description: str, **kw: object) -> PageInfo:
    fields: dict[str, object] = {
        "name": "Администрация города Рубцовска",
        "description": description,
        "screen_name": "rubtsovsk_adm",
        "has_avatar": True,
        "has_cover": True,
    }
    fields.update(kw)
    return PageInfo(**fields)  # type: ignore[arg-type]


async def describe(page_info: PageInfo, page: PageRef = PAGE) -> CheckResult:
    source = InMemoryPageSource(info={page.key: page_info})
    return await check_description(deps_for(source), page, at(2))


async def test_complete_description_is_ok() -> None:
    result = await describe(info(good_description(ADMIN)))
    assert result.status is Status.OK and result.problems == ()


@pytest.mark.parametrize(
    "text",
    [
        "Администрация города Рубцовска Алтайского края. 658200, г. Рубцовск, проспект Ленина, 130. "
        "Тел. 8 (38557) 96401, office@rubtsovsk.example",
        "АДМИНИСТРАЦИЯ ГОРОДА РУБЦОВСКА АЛТАЙСКОГО КРАЯ\nАдрес: Рубцовск, пр-т Ленина, д.130\n"
        "☎ +7-385-57-9-64-01 ✉ Office@Rubtsovsk.example",
    ],
    ids=["plain-abbreviations", "caps-emoji-dashes"],
)
async def test_description_tolerates_how_people_write(text: str) -> None:
    result = await describe(info(text))
    assert result.status is Status.OK, result.problems


async def test_each_missing_field_is_named() -> None:
    result = await describe(info("Официальная страница", has_avatar=False, has_cover=False, name="Мы"))
    assert result.status is Status.FAIL
    assert result.missing_fields == ("official_name", "postal_address", "email", "phone", "avatar", "cover")
    assert "телефон для справок" in result.summary


async def test_different_phone_and_email_are_reported_as_differs() -> None:
    text = good_description(ADMIN).replace("9-64-01", "9-00-00").replace("office@", "info@")
    result = await describe(info(text))
    by_field = {p.field: p for p in result.problems}
    assert set(by_field) == {"phone", "email"}
    assert by_field["phone"].kind == "differs" and by_field["phone"].found == "+7 385 579-00-00"
    assert by_field["email"].found == "info@rubtsovsk.example" and by_field["email"].expected == ADMIN.email


async def test_other_address_differs() -> None:
    text = good_description(ADMIN).replace("пр-кт Ленина, д. 130", "ул. Калинина, д. 5")
    result = await describe(info(text))
    assert [(p.field, p.kind) for p in result.problems] == [("postal_address", "differs")]


async def test_email_not_required_when_organisation_has_none() -> None:
    page = PageRef("3", Platform.VK, "gdk", "3", CULTURE)
    result = await describe(info(good_description(CULTURE), name="ГДК"), page)
    assert result.status is Status.OK and "email" not in result.data["fields_checked"]


async def test_telegram_has_no_cover_to_check() -> None:
    result = await describe(info(good_description(EDUCATION), has_cover=None), TG_PAGE)
    assert result.status is Status.OK and "cover" not in result.data["fields_checked"]


# --- clause 1.6: managers


async def test_managers_bots_and_advertisers_excluded() -> None:
    managers = [
        Manager("1", "creator"),
        Manager("2", "editor"),
        Manager("3", "moderator"),
        Manager("4", "administrator", is_bot=True),
        Manager("5", "advertiser"),
    ]
    source = InMemoryPageSource(managers_by_page={PAGE.key: managers})
    result = await check_managers(deps_for(source), PAGE, at(1))
    assert result.status is Status.OK and result.data["people"] == 3 and result.data["bots_excluded"] == 1


async def test_four_managers_fail() -> None:
    source = InMemoryPageSource(managers_by_page={PAGE.key: [Manager(str(i), "editor") for i in range(4)]})
    result = await check_managers(deps_for(source), PAGE, at(1))
    assert result.status is Status.FAIL
    assert (result.problems[0].field, result.problems[0].found) == ("managers", "4")


# --- clauses 3.2-3.3: address change


@pytest.mark.parametrize(
    "shown", ["rubtsovsk_adm", "Rubtsovsk_Adm", "@rubtsovsk_adm"], ids=["same", "case", "at"]
)
async def test_same_address_is_ok(shown: str) -> None:
    sink = RecordingAddressSink()
    source = InMemoryPageSource(info={PAGE.key: info("", screen_name=shown)})
    result = await check_address(deps_for(source, sink), PAGE, at(1))
    assert result.status is Status.OK and sink.changes == []


async def test_new_screen_name_is_reported_to_the_registry() -> None:
    sink = RecordingAddressSink()
    source = InMemoryPageSource(info={PAGE.key: info("", screen_name="rubtsovsk_official")})
    result = await check_address(deps_for(source, sink), PAGE, at(1))
    assert result.status is Status.WARNING
    assert sink.changes == [("1", "rubtsovsk_adm", "rubtsovsk_official", at(1))]
    assert result.problems[0].expected == "rubtsovsk_adm" and result.problems[0].found == "rubtsovsk_official"


# --- the runner


async def test_run_checks_stores_every_result_and_isolates_failures() -> None:
    world = demo_world(MONDAY)
    del world.source.info["3"]  # the platform fails for one page
    deps = CheckDeps(CONFIG, world.source, world.registry, world.store, world.fetcher, world.addresses)
    results = await run_checks(deps, at(6, 20))
    assert len(results) == 5 * len(CheckName) and world.store.results == results
    broken = {r.check: r.status for r in results if r.page_key == "3"}
    assert broken[CheckName.DESCRIPTION] is Status.ERROR and broken[CheckName.MANAGERS] is Status.FAIL
    assert world.source.calls.count(("page_info", "1")) == 1  # description and address share one read
    assert world.addresses.changes == [("5", "sport_rub", "sport_rubtsovsk", at(6, 20))]


async def test_run_checks_on_one_page_only() -> None:
    world = demo_world(MONDAY)
    deps = CheckDeps(CONFIG, world.source, world.registry, world.store, world.fetcher, world.addresses)
    page = world.registry.pages[0]
    results = await run_checks(deps, at(6), pages=[page], checks=[CheckName.POSTING], save=False)
    assert [(r.page_key, r.check) for r in results] == [
        ("1", CheckName.POSTING)
    ] and world.store.results == []


def test_config_validates_timezone_and_hours() -> None:
    with pytest.raises(ValueError, match="time zone"):
        MonitorConfig(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match=r"0\.\.23"):
        MonitorConfig(check_hours=(25,))
