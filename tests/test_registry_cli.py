"""`dozor registry ...` end to end through typer's CliRunner on a temporary SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner, Result

import dozor.commands.registry as registry_cli
import dozor.commands.registry_common as registry_common
import dozor.commands.registry_files as registry_files
from models.db import DSN_ENV
from tests.test_registry_support import SECRET_NAMES, SECRET_POSITIONS

ORG = "Администрация города Рубцовска Алтайского края"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """dozor"""

    registry_cli.register(app)
    return app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `registry` subcommands against a fresh SQLite file; wide consoles so tables do not wrap."""
    monkeypatch.setenv(DSN_ENV, f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    wide, wide_err = Console(width=250, highlight=False), Console(width=250, highlight=False, stderr=True)
    for module in (registry_cli, registry_common, registry_files):
        monkeypatch.setattr(module, "out", wide, raising=False)
        monkeypatch.setattr(module, "err", wide_err, raising=False)
    runner, app = CliRunner(), _app()

    def run(*args: str, code: int = 0) -> Result:
        result = runner.invoke(app, ["registry", *args])
        assert result.exit_code == code, result.output
        return result

    return run


def _seed(cli) -> None:  # type: ignore[no-untyped-def]
    cli(
        "org-add",
        ORG,
        "--kind",
        "администрация",
        "--short",
        "Администрация",
        "--address",
        "658200, г. Рубцовск",
        "--phone",
        "+7 (38557) 9-64-08",
        "--site",
        "https://rubtsovsk.org",
    )
    cli(
        "add",
        "Администрация",
        "--network",
        "vk",
        "--address",
        "https://vk.com/rubtsovsk_adm",
        "--created",
        "09.01.2026",
        "--platform-id",
        "123",
        "--screen-name",
        "rubtsovsk_adm",
    )
    cli(
        "staff-add", "1", "--name", SECRET_NAMES[0], "--position", SECRET_POSITIONS[0], "--from", "09.01.2026"
    )


def test_page_lifecycle(cli) -> None:  # type: ignore[no-untyped-def]
    _seed(cli)
    refused = cli(
        "add",
        "1",
        "--network",
        "ВКонтакте",
        "--address",
        "https://vk.com/x",
        "--created",
        "12.01.2026",
        code=1,
    )
    assert "уже есть действующая страница" in refused.output and "п. 1.5" in refused.output
    cli(
        "change",
        "rubtsovsk_adm",
        "https://vk.com/rubtsovsk",
        "--on",
        "02.02.2026",
        "--reported-on",
        "03.02.2026",
    )
    cli(
        "report",
        "1",
        "--kind",
        "creation",
        "--fact-date",
        "09.01.2026",
        "--reported-on",
        "15.01.2026",
        "--entered-on",
        "16.01.2026",
    )
    cli("attest-2fa", "1", "--on", "20.01.2026")
    cli("site-link", "https://vk.com/rubtsovsk", "--on", "21.01.2026")
    listed = cli("list").output
    assert "https://vk.com/rubtsovsk " in listed and "20.01.2026" in listed and "ВКонтакте" in listed
    shown = cli("show", "1", "--today", "05.02.2026").output
    assert "https://vk.com/rubtsovsk_adm" in shown and "02.02.2026" in shown
    assert SECRET_NAMES[0] in shown  # staff are visible to IT, only the public export hides them
    assert "с опозданием на 1 раб. дн. (15.01.2026)" in shown  # creation reported 15.01, due 14.01 (3.1)
    overdue = cli("overdue", "--today", "11.02.2026").output
    assert "3.4" in overdue and "просрочено" in overdue
    assert "Просроченных сроков нет" in cli("overdue", "--today", "10.02.2026").output
    cli("close", "1", "--on", "01.03.2026")
    assert "Администрация" not in cli("list").output.split("Страницы реестра")[1]
    assert "закрыта 01.03.2026" in cli("list", "--all").output
    cli("add", "1", "--network", "vk", "--address", "https://vk.com/rubtsovsk_new", "--created", "02.03.2026")


def test_bad_input_is_explained_in_russian(cli) -> None:  # type: ignore[no-untyped-def]
    _seed(cli)
    assert "даты «32.01.2026» не существует" in cli("close", "1", "--on", "32.01.2026", code=2).output
    assert "неверная дата «1 марта»" in cli("close", "1", "--on", "1 марта", code=2).output
    assert "не найдена" in cli("show", "vk.com/nothing", code=1).output
    assert (
        "неизвестное значение «myspace»"
        in cli("add", "1", "--network", "myspace", "--address", "a", "--created", "01.01.2026", code=1).output
    )
    assert ".csv и .xlsx" in cli("export", "registry.ods", code=2).output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_publish(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:  # type: ignore[no-untyped-def]
    _seed(cli)
    cli("change", "1", "https://vk.com/rubtsovsk", "--on", "02.02.2026")
    exported = tmp_path / f"registry{suffix}"
    cli("export", str(exported))
    monkeypatch.setenv(DSN_ENV, f"sqlite:///{tmp_path / 'second.sqlite3'}")
    assert (
        "добавлено страниц 1, изменено 0, закрыто 0, новых организаций 1"
        in cli("import", str(exported)).output
    )
    again = tmp_path / f"again{suffix}"
    cli("export", str(again))
    if suffix == ".csv":
        for infix in ("", ".адреса", ".ответственные", ".сообщения"):
            first, second = (tmp_path / f"{stem}{infix}.csv" for stem in ("registry", "again"))
            assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
        assert SECRET_NAMES[0] in (tmp_path / "registry.ответственные.csv").read_text(encoding="utf-8")
    rejected = cli("import", str(exported), code=1).output  # the same pages again
    assert (
        "Ничего не загружено" in rejected
        and "строка 2: страница https://vk.com/rubtsovsk уже есть" in rejected
        and "--update" in rejected
    )
    assert "без изменений 1" in cli("import", str(exported), "--update").output
    site = tmp_path / "site"
    cli("publish", "--out", str(site), "--on", "02.03.2026")
    for name in ("index.html", "registry.csv", "registry.json"):
        text = (site / name).read_text(encoding="utf-8")
        assert "https://vk.com/rubtsovsk" in text
        assert not any(secret in text for secret in SECRET_NAMES + SECRET_POSITIONS)


def test_import_with_bad_rows_imports_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "bad.csv"
    source.write_text(
        "Организация;Тип организации;Соцсеть;Адрес страницы;Дата создания\n"
        "Администрация;администрация;vk;https://vk.com/a;12.01.2026\n"
        "Администрация;администрация;vk;https://vk.com/b;12.01.2026\n",
        encoding="utf-8",
    )
    output = cli("import", str(source), code=1).output
    assert "ошибок 1" in output and "строка 3: вторая действующая страница" in output
    assert "Администрация" not in cli("org-list").output


def test_import_update_previews_then_writes_only_when_told(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(cli)
    exported = tmp_path / "registry.csv"
    cli("export", str(exported))
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text.replace("+7 (38557) 9-64-08", "+7 (38557) 9-00-00"), encoding="utf-8")
    asked = cli("import", str(exported), "--update").output
    assert "изменить 1" in asked and "«Телефон для справок»: +7 (38557) 9-64-08 → +7 (38557) 9-00-00" in asked
    assert "повторите команду с --yes" in asked and "Ничего не записано." in asked
    assert "изменить 1" in cli("import", str(exported), "--update", "--preview").output
    assert "9-64-08" in cli("org-list").output
    assert "изменено 1" in cli("import", str(exported), "--update", "--yes").output
    assert "9-00-00" in cli("org-list").output
