"""`dozor users ...` and `dozor web` as an administrator runs them: accounts from the command line (no
default password), and the console served on a port until SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

DOZOR = [sys.executable, "-m", "dozor"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOZOR_")}
    env["DOZOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    return env


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOZOR, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )


def test_accounts_from_the_command_line(tmp_path: Path) -> None:
    weak = _run(tmp_path, "users", "add", "press", "--role", "moderator", "--password-stdin", stdin="12345\n")
    assert (
        weak.returncode == 1 and "пароль короче 10 символов" in weak.stderr and "Traceback" not in weak.stderr
    )
    added = _run(
        tmp_path,
        "users",
        "add",
        "press",
        "--role",
        "moderator",
        "--password-stdin",
        stdin="Длинный-пароль-1\n",
    )
    assert added.returncode == 0 and "добавлена" in added.stdout
    again = _run(
        tmp_path, "users", "add", "press", "--role", "it", "--password-stdin", stdin="Длинный-пароль-1\n"
    )
    assert again.returncode == 1 and "уже есть" in again.stderr
    assert _run(tmp_path, "users", "disable", "press").returncode == 0
    listed = _run(tmp_path, "users", "list").stdout
    assert "press" in listed and "moderator" in listed and "нет" in listed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.timeout(120)
def test_dozor_web_serves_until_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*DOZOR, "web", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                    page = answer.read().decode("utf-8")
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.2)
        assert "Вход в консоль" in page
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"Консоль: http://127.0.0.1:{port}/" in out and "Traceback" not in err
