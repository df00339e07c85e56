"""An administrator's mistakes get one Russian line, a non-zero exit and no traceback; the demonstration
never touches the configured database. Run as an administrator runs them: `.venv/bin/dozor ...`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOZOR = str(Path(sys.executable).with_name("dozor"))
UNREACHABLE = "postgresql://dozor:s3cret-pass@127.0.0.1:1/dozor"  # nothing listens on port 1
VK_PAGE = "[storage]\nstartup_wait_seconds = 0\n\n[[vk.pages]]\ngroup_id = 170001\n"  # no wait at start


def dozor(*args: str, cwd: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """The command in a clean environment: no token or database of the developer's leaks in."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOZOR_")}
    return subprocess.run(
        [DOZOR, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env={**base, **env}
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [["status"], ["purge"], ["export-decisions", "--out", "x.jsonl"], ["run", "--config", "pages.toml"]],
    ids=["status", "purge", "export-decisions", "run"],
)
def test_an_unreachable_database_is_one_line(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "pages.toml").write_text(VK_PAGE, encoding="utf-8")
    tokens = {"DOZOR_VK_USER_TOKEN": "user-token", "DOZOR_VK_COMMUNITY_TOKEN": "community-token"}
    proc = dozor(*args, cwd=tmp_path, DOZOR_DATABASE_URL=UNREACHABLE, **tokens)
    line = one_line_error(proc)
    assert "База данных postgresql://dozor:***@127.0.0.1:1/dozor недоступна" in line
    assert "сервер не принимает подключения" in line and "DOZOR_DATABASE_URL" in line
    assert "s3cret-pass" not in proc.stderr + proc.stdout


def test_a_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nurl = "sqlite:////nonexistent-dir/dozor.sqlite3"\n', encoding="utf-8")
    line = one_line_error(dozor("status", cwd=tmp_path))
    assert "файл базы не открывается" in line and "[storage] url в config.toml" in line


def test_a_bad_log_level_is_one_line(tmp_path: Path) -> None:
    line = one_line_error(dozor("run", "--log-level", "foo", cwd=tmp_path))
    assert "уровень журнала «foo»" in line and "DEBUG, INFO, WARNING, ERROR" in line
    assert not (tmp_path / "var").exists(), "nothing was started"


@pytest.mark.parametrize(
    ("config", "env", "named"),
    [
        (VK_PAGE, {}, ["DOZOR_VK_USER_TOKEN", "DOZOR_VK_COMMUNITY_TOKEN", "170001"]),
        (VK_PAGE, {"DOZOR_VK_USER_TOKEN": "u"}, ["DOZOR_VK_COMMUNITY_TOKEN_<id>", "170001"]),
        ("[telegram]\nchannels = [-1001234567890]\n", {}, ["DOZOR_TELEGRAM_TOKEN", "-1001234567890"]),
        ("", {"DOZOR_TELEGRAM_TOKEN": "123:abc"}, ["нет ни одной страницы", "[[vk.pages]]"]),
    ],
    ids=["vk-page-no-tokens", "vk-page-no-community-token", "telegram-channel-no-token", "token-no-page"],
)
def test_a_page_without_its_token_is_one_line_not_the_demonstration(
    tmp_path: Path, config: str, env: dict[str, str], named: list[str]
) -> None:
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    proc = dozor("run", "--for", "5", cwd=tmp_path, **env)
    line = one_line_error(proc)
    assert line.startswith("Дозор не запущен: ")
    for word in named:
        assert word in line
    assert "демонстрация" not in proc.stdout and not (tmp_path / "var").exists()
    assert "123:abc" not in proc.stderr


@pytest.mark.parametrize("flag", [["--demo"], []], ids=["run-demo", "run-without-anything-configured"])
def test_the_demonstration_never_touches_the_configured_database(tmp_path: Path, flag: list[str]) -> None:
    configured = tmp_path / "configured.sqlite3"
    proc = dozor(
        "run", *flag, "--for", "2", cwd=tmp_path, timeout=180, DOZOR_DATABASE_URL=f"sqlite:///{configured}"
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    said = " ".join(proc.stdout.split())  # the console wraps long lines
    assert "База демонстрации: var/demo.sqlite3" in said
    assert "настроенная база (DOZOR_DATABASE_URL) не затрагивается" in said
    assert not configured.exists()
    assert (tmp_path / "var" / "demo.sqlite3").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "--public", "--source", "no_such_set"],
        ["evaluate", "x.jsonl", "--source", "tg_spam_samples"],
    ],
    ids=["unknown-source", "source-without-public"],
)
def test_a_wrong_public_source_is_one_line(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text("", encoding="utf-8")
    assert "--source" in one_line_error(dozor(*args, cwd=tmp_path))
