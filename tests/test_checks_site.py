"""Clause 1.4.5: the site link check against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from emulators.city import ADMIN, CULTURE, site_html
from models.values import Status
from moderation.types import Platform
from monitor.checks.deps import CheckDeps
from monitor.checks.fetch import AiohttpSiteFetcher, decode_html
from monitor.checks.links import extract_links, find_page_link
from monitor.checks.memory import (
    InMemoryCheckResultStore,
    InMemoryPageSource,
    InMemoryRegistry,
    RecordingAddressSink,
    RecordingSiteLinks,
)
from monitor.checks.site import check_site_link
from monitor.config import MonitorConfig
from monitor.ports import Organisation, PageRef, SiteUnavailable

TZ = ZoneInfo("Asia/Barnaul")
NOW = datetime(2026, 11, 25, 12, tzinfo=TZ)  # Wednesday of week 48

BROKEN_HTML = """<html><head><title>Администрация</title>
<body><table><tr><td><p>Новости<p>Документы
<div class="soc"><A HREF='https://VK.com/Rubtsovsk_Adm?from=site'><img src=vk.png></a>
<a href="/about">О городе</a><a href=https://t.me/rub_adm>Телеграм</a></td></tr>
<script>var widget = {group: "https://vk.com/club100001"};</script><!-- unclosed comment
"""


def page(
    site: str | None, created: date | None = date(2020, 1, 1), platform: Platform = Platform.VK
) -> PageRef:
    org = Organisation("1", ADMIN.official_name, website=site)
    address = "rubtsovsk_adm" if platform is Platform.VK else "rub_adm"
    return PageRef("1", platform, address, "100001", org, "Администрация", created)


def deps(fetcher: AiohttpSiteFetcher) -> CheckDeps:
    return CheckDeps(
        MonitorConfig(),
        InMemoryPageSource(),
        InMemoryRegistry(),
        InMemoryCheckResultStore(),
        fetcher,
        RecordingAddressSink(),
    )


@pytest.fixture
async def site() -> AsyncIterator[str]:
    """A municipal site: front pages in UTF-8 and windows-1251, redirects, errors and a slow page."""

    async def front(_: web.Request) -> web.Response:
        return web.Response(text=BROKEN_HTML, content_type="text/html")

    async def cp1251(_: web.Request) -> web.Response:
        body = site_html("https://vk.com/rubtsovsk_adm").replace("utf-8", "windows-1251")
        return web.Response(body=("<p>Мэрия</p>" + body).encode("cp1251"), content_type="text/html")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop?n={int(request.query.get('n', 0)) + 1}")

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.Response(text="late")

    async def empty(_: web.Request) -> web.Response:
        return web.Response(text="<html><body>Сайт на реконструкции", content_type="text/html")

    def redirect(to: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(_: web.Request) -> web.Response:
            raise web.HTTPFound(to)

        return handler

    async def gone(_: web.Request) -> web.Response:
        raise web.HTTPServiceUnavailable()

    app = web.Application()
    app.router.add_get("/", front)
    app.router.add_get("/old", redirect("/new"))
    app.router.add_get("/new", redirect("/"))
    app.router.add_get("/cp1251", cp1251)
    app.router.add_get("/loop", loop)
    app.router.add_get("/slow", slow)
    app.router.add_get("/empty", empty)
    app.router.add_get("/gone", gone)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def test_links_found_in_broken_html_scripts_and_any_case() -> None:
    links = extract_links(BROKEN_HTML)
    assert "https://VK.com/Rubtsovsk_Adm?from=site" in links and "https://vk.com/club100001" in links
    assert find_page_link(BROKEN_HTML, page("x")) == "https://VK.com/Rubtsovsk_Adm?from=site"
    assert find_page_link(BROKEN_HTML, page("x", platform=Platform.TELEGRAM)) == "https://t.me/rub_adm"
    numeric_only = BROKEN_HTML.replace("Rubtsovsk_Adm", "other")
    assert find_page_link(numeric_only, page("x")) == "https://vk.com/club100001"
    assert find_page_link("<a href='vk.com/rubtsovsk_adm'>", page("x")) == "vk.com/rubtsovsk_adm"
    assert find_page_link("<a href='https://vk.com/rubtsovsk_adm_news'>", page("x")) is None


def test_decoding_falls_back_through_meta_and_cp1251() -> None:
    assert decode_html("Привет".encode("cp1251"), None) == "Привет"
    assert decode_html('<meta charset="windows-1251">Рубцовск'.encode("cp1251"), None).endswith("Рубцовск")
    assert decode_html("ок".encode(), "utf-8") == "ок"


async def test_link_found_after_redirects_is_reported_to_the_registry(site: str) -> None:
    links = RecordingSiteLinks()
    check_deps = replace(deps(AiohttpSiteFetcher(timeout_s=5)), site_links=links)
    result = await check_site_link(check_deps, page(f"{site}/old"), NOW)
    assert result.status is Status.OK and result.data["link"] == "https://VK.com/Rubtsovsk_Adm?from=site"
    assert links.found == [("1", "https://VK.com/Rubtsovsk_Adm?from=site", NOW)]


async def test_windows_1251_site(site: str) -> None:
    result = await check_site_link(deps(AiohttpSiteFetcher(timeout_s=5)), page(f"{site}/cp1251"), NOW)
    assert result.status is Status.OK


async def test_missing_link_after_deadline_fails(site: str) -> None:
    result = await check_site_link(deps(AiohttpSiteFetcher(timeout_s=5)), page(f"{site}/empty"), NOW)
    assert result.status is Status.FAIL
    assert (
        result.problems[0].field == "site_link"
        and result.problems[0].expected == "https://vk.com/rubtsovsk_adm"
    )


async def test_missing_link_before_deadline_warns_with_russian_calendar(site: str) -> None:
    # created Thursday 31.12.2026: New Year holidays push five working days to 15.01.2027
    fresh = page(f"{site}/empty", created=date(2026, 12, 31))
    result = await check_site_link(
        deps(AiohttpSiteFetcher(timeout_s=5)), fresh, datetime(2027, 1, 12, tzinfo=TZ)
    )
    assert result.status is Status.WARNING and result.data["due"] == "2027-01-15"
    late = await check_site_link(
        deps(AiohttpSiteFetcher(timeout_s=5)), fresh, datetime(2027, 1, 18, tzinfo=TZ)
    )
    assert late.status is Status.FAIL


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/loop", "redirects"), ("/slow", "Timeout"), ("/gone", "HTTP 503")],
    ids=["redirect-loop", "timeout", "http-503"],
)
async def test_unreachable_site_is_an_error_not_a_violation(site: str, path: str, reason: str) -> None:
    fetcher = AiohttpSiteFetcher(timeout_s=0.3, max_redirects=3)
    with pytest.raises(SiteUnavailable, match=reason):
        await fetcher.fetch(f"{site}{path}")
    result = await check_site_link(deps(fetcher), page(f"{site}{path}"), NOW)
    assert result.status is Status.ERROR and result.problems[0].kind == "unreachable"


async def test_refused_connection_and_no_site() -> None:
    fetcher = AiohttpSiteFetcher(timeout_s=1)
    result = await check_site_link(deps(fetcher), page("http://127.0.0.1:9/"), NOW)
    assert result.status is Status.ERROR
    no_site = PageRef("3", Platform.VK, "gdk", "3", CULTURE)
    assert (await check_site_link(deps(fetcher), no_site, NOW)).status is Status.OK
