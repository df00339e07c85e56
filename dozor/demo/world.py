"""The out-of-the-box run: the daemon against its built-in VK and Telegram emulators, with a scripted stream
of realistic comments on a city administration's pages and moderators pressing buttons, printed as it happens.

Everything here is real but the platforms: the vk_api and aiogram clients talk HTTP to the emulators on
loopback, the database is the configured one, the moderation core is the shipped one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from bots.config import TelegramConfig, VkConfig, VkPage
from dozor.config import Settings
from dozor.platforms import Endpoints
from emulators.stream import SITE_HTML, TG_POSTS, TG_STREAM, VK_STREAM
from emulators.telegram.demo import DEMO_TOKEN, CityPages, seed_city_pages
from emulators.telegram.server import TelegramEmulator
from emulators.vk.demo import DemoPage, seed_demo
from emulators.vk.server import VkEmulator
from moderation.clauses import clause_of
from moderation.daemon.pipeline import Handled
from moderation.daemon.ports import IncomingComment, PlatformActions, Restriction
from moderation.daemon.restrictions import until_words

DEMO_TZ = ZoneInfo("Asia/Barnaul")


@dataclass
class DemoWorld:
    """The emulators and what was seeded in them."""

    vk: VkEmulator
    vk_page: DemoPage
    tg: TelegramEmulator
    tg_pages: CityPages
    tg_posts: list[Any] = field(default_factory=list)
    console: Console = field(default_factory=Console)
    site: Any = None  # the administration's official site, served locally (clause 1.4.5 check)
    site_url: str = ""

    @property
    def vk_base_url(self) -> str:
        return self.vk.base_url

    def settings_for(self, settings: Settings) -> Settings:
        """The configured settings with the demo's pages, channel and moderators in place of real ones."""
        vk = VkConfig(pages=(VkPage(group_id=self.vk_page.group_id, title="Администрация города Рубцовска"),),
                      long_poll_wait=1, backfill_first_run=True)  # fmt: skip
        tg = TelegramConfig(
            channels=(self.tg_pages.channel.id,),
            moderators_chat_id=self.tg_pages.moderators_chat.id,
            moderators=(str(self.tg_pages.moderator.id), str(self.tg_pages.second_moderator.id)),
        )
        return settings.model_copy(update={"vk": vk, "telegram": tg})

    def endpoints(self) -> Endpoints:
        return Endpoints(
            vk_user_token=self.vk_page.manager_token,
            vk_community_tokens={self.vk_page.group_id: self.vk_page.community_token},
            vk_base_url=self.vk.base_url,
            telegram_token=DEMO_TOKEN,
            telegram_api_base=self.tg.base_url,
        )

    async def close(self) -> None:
        await self.tg.stop()
        await asyncio.to_thread(self.vk.stop)
        if self.site is not None:
            await self.site.cleanup()

    def seed_registry(self, engine: Any) -> None:
        """The demo organisation and its two pages in the registry, once, so the monitor has pages to
        check."""
        from sqlmodel import Session

        from monitor.registry.service import OrgData, add_organisation, add_page, list_organisations

        with Session(engine) as session:
            if list_organisations(session):
                return
            org = add_organisation(session, OrgData(
                name="Администрация города Рубцовска Алтайского края", kind="administration",
                short_name="Администрация города",
                postal_address="658200, Алтайский край, г. Рубцовск, пр-т Ленина, 130",
                email="office@rubtsovsk.org", phone="+7 (38557) 9-64-01", website=self.site_url or None,
            ))  # fmt: skip
            today = datetime.now(UTC).date()
            add_page(session, org, network="vk", address="https://vk.com/rubtsovsk_adm",
                     created_on=date(2020, 3, 1), platform_id=str(self.vk_page.group_id),
                     screen_name="rubtsovsk_adm", record_fact=False)  # fmt: skip
            add_page(session, org, network="telegram", address="https://t.me/rubtsovsk_adm", created_on=today,
                     platform_id=str(self.tg_pages.channel.id), screen_name="rubtsovsk_adm")  # fmt: skip
            session.commit()


async def start_world(console: Console | None = None) -> DemoWorld:
    vk = VkEmulator()
    await asyncio.to_thread(vk.start)
    page = seed_demo(vk)
    tg = TelegramEmulator()
    await tg.start()
    pages = seed_city_pages(tg)
    posts = [tg.post_to_channel(pages.channel, text, kind=kind) for kind, text in TG_POSTS]
    site, url = await _serve_site()
    return DemoWorld(vk, page, tg, pages, posts, console or Console(), site, url)


async def _serve_site() -> tuple[Any, str]:
    """The official site on 127.0.0.1: links to the VK page only, so the Telegram channel's link is
    missing."""
    from aiohttp import web

    app = web.Application()
    app.router.add_get("/", _page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/"


async def _page(_request: Any) -> Any:
    from aiohttp import web

    return web.Response(text=SITE_HTML, content_type="text/html")


class Announcing:
    """A PlatformActions that prints what it does: the demo shows every deletion and restriction."""

    def __init__(self, inner: PlatformActions, console: Console) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.console = console

    async def delete_comment(self, comment: IncomingComment) -> None:
        await self.inner.delete_comment(comment)
        self.console.print(f"  [red]✂ {self.platform.value}: удалён комментарий {comment.comment_id}[/red]")

    async def restore_comment(self, comment: IncomingComment) -> None:
        await self.inner.restore_comment(comment)
        self.console.print(
            f"  [green]↺ {self.platform.value}: восстановлен комментарий {comment.comment_id}[/green]"
        )

    async def restrict(self, restriction: Restriction) -> None:
        await self.inner.restrict(restriction)
        until = until_words(restriction.until, DEMO_TZ)
        self.console.print(
            f"  [red]⛔ {self.platform.value}: автор {restriction.author_id} ограничен {until} "
            f"({clause_of(restriction.ground).line})[/red]"
        )

    async def lift_restriction(
        self, platform_page_id: str, author_id: str, author_is_chat: bool = False
    ) -> None:
        await self.inner.lift_restriction(platform_page_id, author_id, author_is_chat)
        self.console.print(f"  [green]✓ {self.platform.value}: ограничение автора {author_id} снято[/green]")


def printer(console: Console) -> Any:
    """An observer of the daemon: one line per comment decided."""
    colours = {"deleted": "red", "review": "yellow", "recorded": "green", "duplicate": "dim"}

    async def show(incoming: IncomingComment, handled: Handled) -> None:
        verdict = handled.verdict
        grounds = ", ".join(g.value for g in verdict.grounds) if verdict else ""
        colour = colours.get(handled.outcome.value, "white")
        text = incoming.text if len(incoming.text) < 90 else incoming.text[:87] + "…"
        console.print(
            f"[{colour}]{handled.outcome.value:>9}[/{colour}] {incoming.platform.value:<8} «{text}»"
            + (f"  [{colour}]{grounds}[/{colour}]" if grounds else "")
        )

    return show


async def run_script(world: DemoWorld, daemon: Any = None, pause: float = 0.6) -> None:
    """New comments arrive on both platforms; moderators work through the queue in Telegram; then the
    compliance checks run and the weekly digest is written."""
    try:
        await _script(world, pause)
        if daemon is not None and daemon.monitor is not None:
            await show_compliance(world, daemon.monitor.deps)
    except Exception:
        world.console.print_exception()


async def show_compliance(world: DemoWorld, deps: Any) -> None:
    """The monitor's checks now, as `dozor check` prints them, and this week's digest as an HTML file."""
    from pathlib import Path

    from dozor.commands.monitor import results_table
    from monitor.checks.deps import week_of
    from monitor.checks.runner import run_checks
    from monitor.digest.job import build_digest

    now = datetime.now(UTC)
    world.console.rule("Проверка страниц по Порядку (разделы I и II)")
    pages = await deps.checks.registry.active_pages()
    results = await run_checks(deps.checks, now, pages=pages)
    world.console.print(
        results_table(results, {p.key: f"{p.display_title} ({p.platform.value})" for p in pages})
    )
    built = await build_digest(deps.digest.sources, week_of(now, deps.checks.config.tz), now)
    out = Path("var") / "digest-demo.html"
    out.parent.mkdir(exist_ok=True)
    out.write_text(built.html, encoding="utf-8")
    world.console.print(f"Еженедельная сводка для пресс-службы: {out.resolve()}")


async def _script(world: DemoWorld, pause: float) -> None:
    await asyncio.sleep(2.0)
    for n, (author, text) in enumerate(VK_STREAM):
        world.vk.add_comment(world.vk_page.group_id, world.vk_page.post_ids[n % len(world.vk_page.post_ids)],
                             author, text, date=datetime.now(UTC))  # fmt: skip
        await asyncio.sleep(pause)
    people: dict[str, Any] = {}
    for n, (name, text) in enumerate(TG_STREAM):
        if name not in people:
            people[name] = world.tg.add_user(name)
            world.tg.add_member(world.tg_pages.group, people[name])
        try:
            world.tg.post_comment(world.tg_posts[n % len(world.tg_posts)], text, user=people[name])
        except Exception as exc:  # a restricted author cannot write: that is the point
            world.console.print(f"  [dim]{name} не может написать: {exc}[/dim]")
        await asyncio.sleep(pause)
    await asyncio.sleep(3.0)
    from dozor.demo.moderators import moderators_act

    await moderators_act(world)
