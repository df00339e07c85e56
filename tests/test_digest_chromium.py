"""The digest as a person sees it: rendered by headless Chromium to a screenshot and a DOM dump.

CI installs the browser with: apt-get install -y chromium fonts-dejavu-core
Set DOZOR_REQUIRE_CHROMIUM=1 to make a missing browser a failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from emulators.city import demo_moderation, demo_world
from monitor.checks.deps import CheckDeps, parse_week
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.digest.data import DigestSources
from monitor.digest.job import build_digest

CHROMIUM_ENV = "DOZOR_REQUIRE_CHROMIUM"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def chromium() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    reason = "Chromium not installed: apt-get install -y chromium fonts-dejavu-core"
    if os.environ.get(CHROMIUM_ENV) == "1":
        pytest.fail(f"{reason} ({CHROMIUM_ENV}=1)")
    pytest.skip(reason)


def run_browser(binary: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.slow
async def test_digest_renders_in_chromium(tmp_path: Path) -> None:
    binary = chromium()
    config = MonitorConfig()
    week = parse_week("2026-W48", ZoneInfo(config.timezone))
    world = demo_world(week.start, extra_pages=7)
    demo_moderation(world, week.start)
    deps = CheckDeps(config, world.source, world.registry, world.store, world.fetcher, world.addresses)
    await run_checks(deps, week.end - timedelta(hours=4))
    sources = DigestSources(config, world.registry, world.source, world.store, world.stats)
    built = await build_digest(sources, week, week.end + timedelta(hours=9))
    report = tmp_path / "report.html"
    report.write_text(built.html, encoding="utf-8")
    url = report.as_uri()

    shot = tmp_path / "report.png"
    result = run_browser(binary, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert shot.exists(), result.stderr[-2000:]
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few kilobytes
    assert png_size(shot) == (1280, 2000)

    dom = run_browser(binary, tmp_path, "--dump-dom", url).stdout
    for marker in ('id="summary"', 'id="fixes"', 'id="pages"', 'id="moderation"', 'id="legend"'):
        assert marker in dom, f"section {marker} not rendered"
    assert "Что исправить" in dom and "Модерация комментариев" in dom
    assert dom.count("<tr") >= 12 and dom.count("data:image/png;base64,") == 2
    keep = os.environ.get("DOZOR_DIGEST_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
