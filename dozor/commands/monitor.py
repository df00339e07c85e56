"""`dozor check [PAGE]` and `dozor digest --week 2026-W48 --out report.html`: the compliance monitor by hand.

Both read the registry and the stored check results from the project database and the pages from the
platforms: VK with DOZOR_VK_USER_TOKEN (a page manager's token, which can also list managers;
DOZOR_VK_API_URL points it at an emulator), Telegram with DOZOR_TELEGRAM_TOKEN ([telegram] api_base for a
local server) plus the channel posts the daemon stored. `--demo` uses a built-in made-up city instead, so
the commands can be tried on a fresh checkout.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dozor.commands.common import ConfigOption

if TYPE_CHECKING:
    from dozor.config import Settings
    from models.values import CheckResult
    from monitor.checks.deps import CheckDeps
    from monitor.config import MonitorConfig
    from monitor.digest.data import DigestSources
    from monitor.ports import PageRef

VK_API_URL_ENV = "DOZOR_VK_API_URL"

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

STYLE = {"ok": "green", "warning": "yellow", "fail": "bold red", "error": "dim"}
WORD = {"ok": "в порядке", "warning": "замечание", "fail": "нарушение", "error": "не проверено"}

PageArg = Annotated[str | None, typer.Argument(help="Номер страницы в реестре, её адрес или короткое имя.")]
DemoOpt = Annotated[bool, typer.Option("--demo", help="Выдуманный город вместо базы данных и платформ.")]


def register(app: typer.Typer) -> None:
    """Attach `check` and `digest` to the main `dozor` app."""
    app.command("check", help="Проверить страницы по Порядку (пп. 1.4.5, 1.6, 2.1, 2.4, 3.2).")(check)
    app.command("digest", help="Собрать еженедельный отчёт для пресс-службы в HTML-файл.")(digest)


@dataclass
class _Wiring:
    """What the commands run with; `closers` release the database engine and the bot's HTTP session."""

    config: MonitorConfig
    deps: CheckDeps
    sources: DigestSources
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for closer in self.closers:
            await closer()


def _settings(path: Path | None = None) -> Settings:
    from dozor.commands.common import settings_or_exit

    return settings_or_exit(path)


def _database(settings: Settings) -> _Wiring:
    from dozor.monitoring import monitor_deps
    from models.db import database_url, make_engine
    from models.migrate import upgrade

    engine = make_engine(database_url(settings.storage.url))
    upgrade(engine=engine)

    async def dispose() -> None:
        engine.dispose()

    closers: list[Callable[[], Awaitable[None]]] = [dispose]
    vk_reader, bot = _platform_clients(settings, closers)
    deps, digest_sources = monitor_deps(settings.monitor, engine, vk_reader, bot)
    return _Wiring(settings.monitor, deps, digest_sources, closers)


def _platform_clients(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> tuple[Any, Any]:
    """Clients of the platforms that have a token in the environment; the others' pages show 'could not
    check'."""
    from bots.config import TelegramConfig, VkConfig

    vk_reader = bot = None
    if vk_token := VkConfig.user_token():
        from bots.vk.transport import make_vk

        vk_reader = make_vk(vk_token, os.environ.get(VK_API_URL_ENV))
    if tg_token := TelegramConfig.token():
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        api_base = settings.telegram.api_base
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else AiohttpSession()
        bot = Bot(tg_token, session=session)
        closers.append(bot.session.close)
    return vk_reader, bot


def _wiring(settings: Settings, demo_monday: datetime | None) -> _Wiring:
    """The demo city (filled for the week starting `demo_monday`) or the real database and platforms."""
    if demo_monday is not None:
        from dozor.demo.checks import demo_city

        deps, sources = demo_city(settings.monitor, demo_monday)
        return _Wiring(settings.monitor, deps, sources)
    return _database(settings)


def _select(pages: Sequence[PageRef], wanted: str | None) -> list[PageRef]:
    if wanted is None:
        return list(pages)
    from monitor.checks.normalise import screen_name

    key = screen_name(wanted)
    chosen = [p for p in pages if key in {p.key.lower(), screen_name(p.address)} or wanted == p.url]
    if not chosen:
        err.print(f"[red]Страница «{wanted}» не найдена среди действующих страниц реестра.[/red]")
        raise typer.Exit(1)
    return chosen


def results_table(results: Sequence[CheckResult], titles: dict[str, str]) -> Table:
    from models.values import CheckName
    from monitor.digest.labels import CHECK_TITLE

    table = Table(title="Проверка официальных страниц", show_lines=False)
    for column in ("Страница", "Проверка", "Итог", "Подробности"):
        table.add_column(column, overflow="fold")
    order = list(CheckName)
    for r in sorted(results, key=lambda r: (titles.get(r.page_key, r.page_key), order.index(r.check))):
        details = "\n".join(p.fix for p in r.problems) or r.summary
        status = f"[{STYLE[r.status.value]}]{WORD[r.status.value]}[/]"
        table.add_row(titles.get(r.page_key, r.page_key), CHECK_TITLE[r.check], status, details)
    return table


SaveOpt = Annotated[bool, typer.Option("--save/--no-save", help="Сохранить итоги в историю проверок.")]


def check(
    page: PageArg = None, demo: DemoOpt = False, save: SaveOpt = True, config: ConfigOption = None
) -> None:
    """Проверить сейчас одну страницу или все действующие страницы реестра и показать итоги."""
    asyncio.run(_check(page, demo, save, _settings(config)))


async def _check(page: str | None, demo: bool, save: bool, settings: Settings) -> None:
    from monitor.checks.deps import week_of
    from monitor.checks.runner import run_checks

    now = datetime.now(UTC)
    config = settings.monitor
    wiring = _wiring(settings, week_of(now, config.tz).start if demo else None)
    try:
        pages = _select(await wiring.deps.registry.active_pages(), page)
        results = await run_checks(wiring.deps, now, pages=pages, save=save)
    finally:
        await wiring.close()
    if not pages:
        out.print("В реестре нет действующих страниц.")
        return
    out.print(results_table(results, {p.key: p.display_title for p in pages}))


WeekOpt = Annotated[
    str | None, typer.Option(help="Неделя ISO, например 2026-W48 (по умолчанию — прошедшая).")
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Куда записать HTML (по умолчанию dozor-digest-<неделя>.html).")
]
CheckNowOpt = Annotated[
    bool, typer.Option("--check-now", help="Сначала проверить страницы и сохранить итоги.")
]


def digest(
    week: WeekOpt = None,
    out_path: OutOpt = None,
    demo: DemoOpt = False,
    check_now: CheckNowOpt = False,
    config: ConfigOption = None,
) -> None:
    """Собрать еженедельный отчёт для пресс-службы в один HTML-файл (текущая неделя — на сейчас)."""
    asyncio.run(_digest(week, out_path, demo, check_now, _settings(config)))


async def _digest(
    week_label: str | None, out_path: Path | None, demo: bool, check_now: bool, settings: Settings
) -> None:
    from models.values import Status
    from monitor.checks.deps import parse_week, week_of
    from monitor.checks.runner import run_checks
    from monitor.digest.job import build_digest

    now = datetime.now(UTC)
    config = settings.monitor
    try:
        week = parse_week(week_label, config.tz) if week_label else week_of(now, config.tz).previous()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week") from exc
    wiring = _wiring(settings, week.start if demo else None)
    try:
        if check_now or demo:
            await run_checks(wiring.deps, min(now, week.end - timedelta(seconds=1)))
        built = await build_digest(wiring.sources, week, now)
    finally:
        await wiring.close()
    target = out_path or Path(built.filename)
    target.write_text(built.html, encoding="utf-8")
    counts = built.digest.status_counts
    out.print(
        f"Отчёт за неделю {week.label} записан в [bold]{target}[/bold]: страниц {len(built.digest.pages)}, "
        f"нарушений {counts.get(Status.FAIL, 0)}, замечаний {counts.get(Status.WARNING, 0)}, "
        f"пунктов к исправлению {len(built.digest.fixes)}."
    )
