"""One language for staff: every command's help is Russian and every command takes --config."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from dozor.cli import app

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN_WORDS = re.compile(r"\b[a-z]{4,}\b")
#: Latin words that may stay in Russian help: option values, file formats, names of things staff type.
ALLOWED = {
    "jsonl", "json", "lines", "text", "post", "post_text", "toml", "config", "html", "screen", "name",
    "username", "extra", "public", "dozor", "train", "registry", "import", "update", "manual", "monitor",
    "creation", "address_change", "staff_change", "administration", "department", "institution", "telegram",
    "debug", "info", "warning", "sigterm", "with", "without", "demo", "enforce", "review",
}  # fmt: skip


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):  # a group (typer ships its own click)
            yield from _commands(command, path)
        else:
            yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_is_russian_and_config_is_accepted(name: str) -> None:
    command = COMMANDS[name]
    assert "--config" in {opt for p in command.params for opt in getattr(p, "opts", [])}, (
        f"{name}: no --config"
    )
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    for text in filter(None, texts):
        assert CYRILLIC.search(text), f"{name}: help not in Russian: {text!r}"
        english = [w for w in LATIN_WORDS.findall(text.lower()) if w not in ALLOWED]
        assert len(english) <= 2, f"{name}: English words in help: {english} in {text!r}"


def test_the_main_help_is_russian() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "Дозор: модерация комментариев" in result.output


def test_a_bad_config_is_explained_in_russian_naming_the_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "config.toml"
    bad.write_text('[moderation]\nmode = "loud"\n[monitor]\nposts_per_week = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["status", "--config", str(bad)])
    assert result.exit_code == 2
    assert "неверные настройки" in result.output and "moderation.mode: допустимо:" in result.output
    assert "monitor.posts_per_week: нужно целое число" in result.output and "Traceback" not in result.output
