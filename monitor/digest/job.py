"""The weekly digest job: gather the week that just ended, render it, send it to the press service."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from monitor.checks.deps import Week, week_of
from monitor.digest.data import DigestSources, WeekDigest, gather_digest
from monitor.digest.html import render_html
from monitor.digest.message import render_message
from monitor.ports import DigestSender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestDeps:
    """Sources to read plus where to send; without a sender or chat the digest is only built and returned."""

    sources: DigestSources
    sender: DigestSender | None = None


@dataclass(frozen=True)
class BuiltDigest:
    digest: WeekDigest
    html: str
    message: str

    @property
    def filename(self) -> str:
        return f"dozor-digest-{self.digest.week.label}.html"


async def build_digest(sources: DigestSources, week: Week, now: datetime) -> BuiltDigest:
    """Gather and render one week; used by the job and by `dozor digest`."""
    digest = await gather_digest(sources, week, now)
    return BuiltDigest(digest, render_html(digest), render_message(digest))


async def send_weekly_digest(deps: DigestDeps, now: datetime) -> BuiltDigest:
    """The scheduled job: the ISO week before `now`'s, sent as a short message plus the HTML file."""
    config = deps.sources.config
    week = week_of(now, config.tz).previous()
    built = await build_digest(deps.sources, week, now)
    chat = config.press_chat_id
    if deps.sender is None or not chat:
        log.warning("weekly digest %s built but not sent: no sender or press_chat_id", week.label)
        return built
    await deps.sender.send_message(chat, built.message)
    caption = f"Отчёт за неделю {week.number}"
    await deps.sender.send_document(chat, built.filename, built.html.encode("utf-8"), caption)
    log.info("weekly digest %s sent to the press service", week.label)
    return built
