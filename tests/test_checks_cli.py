"""`dozor check` and `dozor digest` on the built-in demo city and on an empty database."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dozor.commands import monitor as monitor_commands


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[str]:
    """The organisation's site: a static front page linking the VK page, on 127.0.0.1 in a thread."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<a href='https://vk.com/rubtsovsk_adm'>ВК</a>", encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    monitor_commands.register(app)
    return app


@pytest.fixture(autouse=True)
def empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOZOR_DATABASE_URL", f"sqlite:///{tmp_path / 'dozor.sqlite3'}")
    for name in ("DOZOR_VK_USER_TOKEN", "DOZOR_TELEGRAM_TOKEN", "DOZOR_VK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no config.toml here: defaults


def test_check_demo_prints_a_table(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["check", "--demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Проверка официальных страниц" in result.output and "нарушение" in result.output
    assert "Загрузить обложку страницы" in result.output


def test_check_one_page_by_address(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["check", "@gdk_rubtsovsk", "--demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Городской дом культуры" in result.output and "Администрация города" not in result.output


def test_check_unknown_page(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["check", "nosuchpage", "--demo"])
    assert result.exit_code == 1 and "не найдена" in result.output


def test_digest_demo_to_file(app: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["digest", "--demo", "--week", "2026-W48", "--out", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "Неделя 48" in html and 'id="fixes"' in html and "2026-W48" in result.output


def test_digest_bad_week(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["digest", "--demo", "--week", "48"])
    assert result.exit_code == 2 and "2026-W48" in result.output


def test_empty_database(app: typer.Typer, tmp_path: Path) -> None:
    assert "нет действующих страниц" in CliRunner().invoke(app, ["check"]).output
    result = CliRunner().invoke(app, ["digest", "--week", "2026-W48", "--check-now"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dozor-digest-2026-W48.html").exists()


def test_real_wiring_registry_vk_emulator_and_address_history(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, static_site: str
) -> None:
    """The command as the IT department runs it: registry in the database, VK through its API (emulated)."""
    from sqlmodel import Session

    from models.db import make_engine
    from models.migrate import upgrade
    from models.monitor import SqlCheckResultStore
    from monitor.registry.service import OrgData, add_organisation, add_page, find_page, history
    from tests.test_vk_helpers import ADMIN_TOKEN, GROUP, populate, running_emulator

    engine = make_engine(f"sqlite:///{tmp_path / 'dozor.sqlite3'}")
    upgrade(engine=engine)
    with Session(engine) as session:
        org = add_organisation(session, OrgData(
            name="Администрация города Рубцовска Алтайского края", kind="administration",
            postal_address="658200, Алтайский край, г. Рубцовск, пр-т Ленина, 130",
            email="office@rubtsovsk.org", phone="+7 (38557) 9-64-01", website=static_site,
        ))  # fmt: skip
        add_page(session, org, network="vk", address="https://vk.com/rubtsovsk_adm", platform_id=str(GROUP),
                 screen_name="rubtsovsk_adm", created_on=date(2020, 1, 1), record_fact=False)  # fmt: skip
        session.commit()
    with running_emulator() as emu:
        populate(emu)
        monkeypatch.setenv("DOZOR_VK_USER_TOKEN", ADMIN_TOKEN)
        monkeypatch.setenv("DOZOR_VK_API_URL", emu.base_url)
        first = CliRunner().invoke(app, ["check", "rubtsovsk_adm"], env={"COLUMNS": "200"})
        emu.groups[GROUP].screen_name = "rubtsovsk_official"
        second = CliRunner().invoke(app, ["check"], env={"COLUMNS": "200"})
        report = CliRunner().invoke(app, ["digest", "--out", str(tmp_path / "r.html")])
    assert first.exit_code == 0 and second.exit_code == 0 and report.exit_code == 0, report.output
    assert "Оформление и описание в порядке" in first.output and "Доступ у 2 чел." in first.output
    assert "изменился" in second.output
    with Session(engine) as session:
        page = find_page(session, str(GROUP))
        assert page.screen_name == "rubtsovsk_official"
        assert page.site_link_found_on is not None  # clause 1.4.5 met, recorded in the registry
        assert [(h.previous_address, h.new_address) for h in history(session, page)] == [
            ("https://vk.com/rubtsovsk_adm", "https://vk.com/rubtsovsk_official")
        ]
    import asyncio

    stored = asyncio.run(SqlCheckResultStore(engine).history(str(page.id)))
    assert len(stored) == 10  # two runs of five checks, kept as history
    assert "Администрация города" in (tmp_path / "r.html").read_text(encoding="utf-8")
    engine.dispose()
