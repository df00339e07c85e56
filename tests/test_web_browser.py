"""The console in a real browser: Debian's Chromium driven by Playwright, against the daemon running on the VK
and Telegram emulators and serving the console as `dozor run` does with [web] enabled.

A press officer logs in, finds a deleted comment, restores it on appeal and the VK emulator shows it restored
with its author's ban lifted; IT loads the edited workbook and confirms the preview; figures are exported to
CSV and XLSX. Screenshots go to the test's folder (and to DOZOR_CONSOLE_SCREENSHOTS when set).
Set DOZOR_REQUIRE_CHROMIUM=1 to make a missing browser a failure instead of a skip.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rich.console import Console
from sqlmodel import Session, select

from dozor.app import build_daemon, run_daemon
from dozor.config import Settings, StorageConfig
from dozor.demo.world import start_world
from dozor.runner import _console
from models.db import make_engine
from models.registry import RegistryOrganisation
from monitor.registry.files import write_tables
from tests.web_support import PASSWORD, seed_users
from web.settings import WebConfig

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "DOZOR_REQUIRE_CHROMIUM"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
FIRST = "Да пошли вы на х.у.й с такими дорогами"
SECOND = "бл@ть, опять яма на Ленина, когда уже засыплете"
AUTHOR = 9001
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _need_chromium() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    reason = "Chromium not installed at /usr/bin/chromium: apt-get install -y chromium fonts-dejavu-core"
    if os.environ.get(CHROMIUM_ENV) == "1":
        pytest.fail(f"{reason} ({CHROMIUM_ENV}=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {timeout} s")
        time.sleep(0.1)


class Stack:
    """The emulators, the daemon and its console in an event loop of their own thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.db = folder / "console.sqlite3"

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    def start(self) -> None:
        self.thread.start()
        self.world = self.run(start_world(Console(file=io.StringIO())))
        web = WebConfig(enabled=True, host="127.0.0.1", port=self.port)
        settings = Settings(storage=StorageConfig(url=f"sqlite:///{self.db}"), web=web)
        self.daemon = self.run(build_daemon(settings, self.world))
        self.stop = asyncio.Event()
        self.task: Future[Any] = asyncio.run_coroutine_threadsafe(self._serve(), self.loop)
        engine = make_engine(f"sqlite:///{self.db}")
        seed_users(engine)
        engine.dispose()
        until(self._listening, what="the console listening")

    async def _serve(self) -> None:
        quiet = Console(file=io.StringIO())
        await run_daemon(self.daemon, self.stop, [_console(self.daemon.settings, self.stop, quiet)])

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.task.result(timeout=60)
        self.run(self.world.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    _need_chromium()
    running = Stack(tmp_path_factory.mktemp("console"))
    running.start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def browser(stack: Stack) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_need_chromium(), args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def snap(page: Any, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000, f"{name}: the screenshot is nearly blank"
    keep = os.environ.get("DOZOR_CONSOLE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def log_in(browser: Any, stack: Stack, name: str) -> Any:
    context = browser.new_context(
        accept_downloads=True, locale="ru-RU", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{stack.url}/log")
    assert "/login" in page.url  # anonymous: sent to the login form
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.url}/log")
    return page


def test_search_a_comment_and_restore_it_on_appeal(stack: Stack, browser: Any, shots: Path) -> None:
    vk, gid = stack.world.vk, stack.world.vk_page.group_id
    post = stack.world.vk_page.post_ids[0]
    first = vk.add_comment(gid, post, AUTHOR, FIRST)
    until(lambda: first in vk.deleted_comments(gid), what="the first comment deleted")
    second = vk.add_comment(gid, post, AUTHOR, SECOND)
    until(lambda: second in vk.deleted_comments(gid) and AUTHOR in vk.bans(gid), what="deleted and banned")

    page = log_in(browser, stack, "press")
    page.fill("#q", "яма на Ленина")
    page.click("text=Найти")
    page.wait_for_selector("#found")
    assert "Найдено: 1" in page.inner_text("#found")
    snap(page, shots, "01-log-search")
    page.click("text=опять яма на Ленина")
    assert "удалён" in page.inner_text("#state")
    assert page.locator("mark").count() >= 1  # the words the rule pointed at
    snap(page, shots, "02-comment-trail")
    page.fill("#reason", "Обращение гражданина от 07.12.2026: просит вернуть комментарий о яме")
    page.click("text=Восстановить по обжалованию")
    page.wait_for_selector(".notice")
    until(lambda: second not in vk.deleted_comments(gid), what="the comment restored on the VK emulator")
    until(lambda: AUTHOR not in vk.bans(gid), what="the ban it caused lifted on the VK emulator")
    assert first in vk.deleted_comments(gid)  # the other comment stays deleted
    page.reload()
    assert "восстановлен" in page.inner_text("#state")
    text = page.inner_text("main")
    assert "Обжалование: восстановить (press)" in text and "Ограничение снято" in text
    snap(page, shots, "03-restored")
    page.click(f"a[href='/authors/vk/{AUTHOR}']")
    assert "комментариев: 2" in page.inner_text("main")
    page.context.close()


def test_it_imports_the_edited_workbook_after_a_preview(stack: Stack, browser: Any, shots: Path) -> None:
    engine = make_engine(f"sqlite:///{stack.db}")
    workbook = stack.folder / "реестр.xlsx"
    with Session(engine) as session:
        write_tables(session, workbook)
    book = load_workbook(workbook)
    sheet = book["Реестр"]
    phone_column = [c.value for c in sheet[1]].index("Телефон для справок") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=phone_column, value="+7 (38557) 9-99-99")
    book.save(workbook)

    viewer = log_in(browser, stack, "guest")
    viewer.goto(f"{stack.url}/registry/import")
    assert "только для просмотра" in viewer.inner_text("main")
    viewer.context.close()

    page = log_in(browser, stack, "ito")
    page.goto(f"{stack.url}/registry")
    snap(page, shots, "04-registry")
    page.click("text=Загрузить таблицу реестра")
    page.set_input_files("#file", str(workbook))
    page.click("text=Показать, что изменится")
    page.wait_for_selector("#summary")
    assert "изменить 2" in page.inner_text("#summary")
    changed = page.inner_text("#changed")
    assert "«Телефон для справок»: +7 (38557) 9-64-01 → +7 (38557) 9-99-99" in changed
    snap(page, shots, "05-import-preview")
    with Session(engine) as session:  # nothing written before the confirmation
        assert session.exec(select(RegistryOrganisation.phone)).all() == ["+7 (38557) 9-64-01"]
    page.click("#confirm")
    page.wait_for_selector(".notice")
    assert "изменено 2" in page.inner_text(".notice")
    with Session(engine) as session:
        assert session.exec(select(RegistryOrganisation.phone)).all() == ["+7 (38557) 9-99-99"]
    page.click("text=Администрация города >> nth=0")
    assert "Ответственные" in page.inner_text("#staff")
    page.context.close()
    engine.dispose()


def test_figures_are_exported_to_csv_and_xlsx(stack: Stack, browser: Any, shots: Path) -> None:
    page = log_in(browser, stack, "guest")  # reading and exporting is open to a viewer
    page.goto(f"{stack.url}/figures")
    assert "Модерация комментариев" in page.inner_text("main")
    assert page.locator("#figures tbody tr").count() >= 5
    snap(page, shots, "06-figures")
    with page.expect_download() as csv_download:
        page.click("#export-csv")
    csv_text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    assert (
        csv_text.startswith("Показатели за")
        and "Раздел;Показатель;За период;За предыдущий период" in csv_text
    )
    assert "удалено;" in csv_text and "нецензурная брань" in csv_text
    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["Раздел", "Показатель", "За период", "За предыдущий период"]
    assert any(row[1] == "удалено" and isinstance(row[2], int) and row[2] >= 2 for row in values[2:])
    page.goto(f"{stack.url}/queue")
    snap(page, shots, "07-queue")
    page.context.close()
