"""A small made-up city with typical problems, for tests, screenshots and `dozor check --demo`.

Organisations and addresses are invented in the style of Rubtsovsk's; no real person's data appears here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from models.values import Post, PostKind
from moderation.types import Platform
from monitor.checks.memory import (
    InMemoryCheckResultStore,
    InMemoryPageSource,
    InMemoryRegistry,
    RecordingAddressSink,
    StaticSiteFetcher,
)
from monitor.digest.memory import InMemoryModerationStats
from monitor.ports import Manager, Organisation, PageInfo, PageRef

ADMIN = Organisation(
    key="1",
    official_name="Администрация города Рубцовска Алтайского края",
    short_name="Администрация города",
    postal_address="658200, Алтайский край, г. Рубцовск, пр-кт Ленина, д. 130",
    email="office@rubtsovsk.example",
    phone="+7 (38557) 9-64-01",
    website="https://rubtsovsk.example/",
)
EDUCATION = Organisation(
    key="2",
    official_name="Муниципальное казенное учреждение «Управление образования» г. Рубцовска",
    short_name="Управление образования",
    postal_address="658200, г. Рубцовск, ул. Кирова, д. 57",
    email="edu@rubtsovsk.example",
    phone="8 (38557) 2-11-11",
    website="https://edu.rubtsovsk.example/",
)
CULTURE = Organisation(
    key="3",
    official_name="Муниципальное бюджетное учреждение культуры «Городской дом культуры»",
    short_name="Городской дом культуры",
    postal_address="658201, г. Рубцовск, ул. Комсомольская, д. 15а",
    phone="+7 38557 4-22-33",
    website=None,
)
HOUSING = Organisation(
    key="4",
    official_name="Управление по жилищно-коммунальному хозяйству Администрации города Рубцовска",
    short_name="Управление ЖКХ",
    postal_address="658200, г. Рубцовск, пр-кт Ленина, д. 130",
    email="gkh@rubtsovsk.example",
    phone="+7 (38557) 9-64-50",
    website="https://gkh.rubtsovsk.example/",
)
SPORT = Organisation(
    key="5",
    official_name="Комитет по физической культуре и спорту Администрации города Рубцовска",
    short_name="Комитет по спорту",
    postal_address="658213, г. Рубцовск, ул. Алтайская, д. 1",
    phone="+7 (38557) 5-12-34",
    website="https://sport.rubtsovsk.example/",
)


def good_description(org: Organisation) -> str:
    lines = [org.official_name, f"Почтовый адрес: {org.postal_address}", f"Телефон для справок: {org.phone}"]
    if org.email:
        lines.append(f"E-mail: {org.email}")
    return "\n".join(lines)


def site_html(*links: str) -> str:
    """A front page of the kind municipal sites have: tables, unclosed tags, social icons in the footer."""
    icons = "".join(f'<a href="{href}" class="soc"><img src="/i/soc.png"></a>' for href in links)
    return (
        "<html><head><meta charset=utf-8><title>Официальный сайт</title></head><body><table><tr><td>"
        "<p>Новости<p>Документы<br><a href='/contacts'>Контакты</a>"
        f"<div class=footer>{icons}</table></body>"
    )


@dataclass
class DemoWorld:
    """Everything the checks and the digest read, filled for a fixed week."""

    registry: InMemoryRegistry = field(default_factory=InMemoryRegistry)
    source: InMemoryPageSource = field(default_factory=InMemoryPageSource)
    fetcher: StaticSiteFetcher = field(default_factory=StaticSiteFetcher)
    addresses: RecordingAddressSink = field(default_factory=RecordingAddressSink)
    store: InMemoryCheckResultStore = field(default_factory=InMemoryCheckResultStore)
    stats: InMemoryModerationStats = field(default_factory=InMemoryModerationStats)

    def add_page(
        self,
        page: PageRef,
        info: PageInfo,
        posts: list[Post] | None = None,
        managers: list[Manager] | None = None,
    ) -> None:
        self.registry.pages.append(page)
        self.source.info[page.key] = info
        self.source.posts_by_page[page.key] = posts or []
        self.source.managers_by_page[page.key] = managers or [Manager("100", "administrator")]


KINDS_CYCLE: tuple[frozenset[PostKind], ...] = (
    frozenset({PostKind.PHOTO}),
    frozenset(),
    frozenset({PostKind.VIDEO}),
    frozenset({PostKind.PHOTO}),
    frozenset({PostKind.POLL}),
    frozenset(),
    frozenset({PostKind.PHOTO}),
)


def week_posts(monday: datetime, count: int, prefix: str = "p") -> list[Post]:
    """`count` posts spread over the week starting at `monday` (local midnight), varied forms and hashtags."""
    step = timedelta(days=7) / max(count, 1)
    return [
        Post(
            id=f"{prefix}{i}",
            published_at=monday + step * i + timedelta(hours=9),
            text=f"Новости города {'#Рубцовск' if i % 2 == 0 else ''}",
            kinds=KINDS_CYCLE[i % len(KINDS_CYCLE)],
        )
        for i in range(count)
    ]


def demo_world(monday: datetime, extra_pages: int = 0) -> DemoWorld:
    """Five pages with one typical problem each (plus `extra_pages` tidy ones) for the week from `monday`."""
    world = DemoWorld()
    prev = monday - timedelta(days=7)
    _admin(world, monday, prev)
    _education(world, monday, prev)
    _culture(world, monday, prev)
    _housing(world, monday, prev)
    _sport(world, monday, prev)
    for n in range(extra_pages):
        _school(world, n, monday, prev)
    return world


def _both_weeks(monday: datetime, prev: datetime, now_count: int, prev_count: int, key: str) -> list[Post]:
    return week_posts(prev, prev_count, f"{key}-a") + week_posts(monday, now_count, f"{key}-b")


def _admin(world: DemoWorld, monday: datetime, prev: datetime) -> None:
    page = PageRef(
        "1", Platform.VK, "rubtsovsk_adm", "100001", ADMIN, "Администрация города Рубцовска", date(2020, 5, 1)
    )
    info = PageInfo(ADMIN.official_name, good_description(ADMIN), "rubtsovsk_adm", True, True)
    managers = [
        Manager("1", "creator"),
        Manager("2", "editor"),
        Manager("3", "moderator"),
        Manager("9", "administrator", is_bot=True),
    ]
    world.add_page(page, info, _both_weeks(monday, prev, 9, 8, "1"), managers)
    world.fetcher.pages[ADMIN.website or ""] = site_html(
        "https://vk.com/rubtsovsk_adm", "https://t.me/rub_adm"
    )


def _education(world: DemoWorld, monday: datetime, prev: datetime) -> None:
    page = PageRef(
        "2",
        Platform.TELEGRAM,
        "rub_edu",
        "-1001002",
        EDUCATION,
        "Управление образования (Telegram)",
        date(2023, 2, 1),
    )
    description = f"{EDUCATION.official_name}\n{EDUCATION.postal_address}\n{EDUCATION.email}"
    info = PageInfo("Управление образования Рубцовска", description, "rub_edu", True, None)
    world.add_page(page, info, _both_weeks(monday, prev, 3, 5, "2"))
    world.fetcher.pages[EDUCATION.website or ""] = site_html("https://t.me/rub_edu")


def _culture(world: DemoWorld, monday: datetime, prev: datetime) -> None:
    page = PageRef(
        "3", Platform.VK, "gdk_rubtsovsk", "100003", CULTURE, "Городской дом культуры", date(2023, 3, 1)
    )
    description = "МБУК «Городской дом культуры»\nг. Рубцовск, ул. Комсомольская, 15 а\nт. 8-38557-4-22-33"
    info = PageInfo("Городской дом культуры", description, "gdk_rubtsovsk", True, False)
    managers = [Manager(str(i), "editor") for i in range(5)] + [Manager("50", "advertiser")]
    world.add_page(page, info, _both_weeks(monday, prev, 6, 6, "3"), managers)


def _housing(world: DemoWorld, monday: datetime, prev: datetime) -> None:
    created = (monday + timedelta(days=3)).date()
    page = PageRef("4", Platform.VK, "gkh_rubtsovsk", "100004", HOUSING, "Управление ЖКХ", created)
    info = PageInfo(
        HOUSING.official_name,
        good_description(HOUSING).replace("9-64-50", "9-99-99"),
        "gkh_rubtsovsk",
        True,
        True,
    )
    world.add_page(page, info, _both_weeks(monday, prev, 5, 0, "4"))
    world.fetcher.pages[HOUSING.website or ""] = site_html("https://vk.com/rubtsovsk_adm")


def _sport(world: DemoWorld, monday: datetime, prev: datetime) -> None:
    page = PageRef("5", Platform.VK, "sport_rub", "100005", SPORT, "Комитет по спорту", date(2022, 9, 1))
    info = PageInfo(SPORT.official_name, good_description(SPORT), "sport_rubtsovsk", True, True)
    world.add_page(page, info, _both_weeks(monday, prev, 5, 7, "5"))


def _school(world: DemoWorld, n: int, monday: datetime, prev: datetime) -> None:
    org = Organisation(
        key=f"s{n}",
        official_name=f"Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № {n + 1}»",
        short_name=f"Школа № {n + 1}",
        postal_address=f"658200, г. Рубцовск, ул. Школьная, д. {n + 1}",
        phone=f"+7 (38557) 3-{10 + n % 90:02d}-{n % 97:02d}",
        website=f"https://school{n + 1}.rubtsovsk.example/",
    )
    address = f"school{n + 1}_rub"
    page = PageRef(
        f"s{n}", Platform.VK, address, str(200000 + n), org, org.short_name or "", date(2023, 9, 1)
    )
    world.add_page(
        page,
        PageInfo(org.official_name, good_description(org), address, True, True),
        _both_weeks(monday, prev, 4 + n % 4, 5, f"s{n}"),
    )
    world.fetcher.pages[org.website or ""] = site_html(f"https://vk.com/{address}")


def demo_moderation(world: DemoWorld, monday: datetime) -> None:
    """A plausible week of moderation and a quieter week before it."""
    prev = monday - timedelta(days=7)
    add = world.stats.add
    for start, scale in ((prev, 1), (monday, 2)):
        at = start + timedelta(days=2)
        add("checked", at, times=310 * scale)
        add("deleted", at, "obscenity", times=9 * scale)
        add("deleted", at, "spam", times=6 + scale)
        add("deleted", at, "advertising", times=2 * scale)
        add("deleted", at, "personal_data", times=scale)
        add("review", at, "unverified_claim", times=3 * scale)
        add("review", at, "off_topic", times=2 + scale)
        add("decision", at, "keep", times=3 * scale)
        add("decision", at, "delete", times=2 * scale)
        add("decision", at, "restore", times=scale - 1)
        add("overturned", at, times=scale - 1)
        add("restricted", at, times=4 * scale)
    add("waiting", monday + timedelta(days=5, hours=10), times=2)
