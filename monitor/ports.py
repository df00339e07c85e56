"""What the monitor needs from the outside world, declared here by the consumer.

The platform adapters (bots/), the registry (models/, monitor/registry/) and the moderation storage implement
these; the checks and the digest only see the small values and protocols below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from models.values import CheckResult, ModerationFigures, Post
from moderation.types import Platform


@dataclass(frozen=True, slots=True)
class Organisation:
    """The registry's record of the body that owns a page: the values the page description must show."""

    key: str
    official_name: str
    postal_address: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    short_name: str | None = None

    @property
    def display_name(self) -> str:
        return self.short_name or self.official_name


@dataclass(frozen=True, slots=True)
class PageRef:
    """An active official page as the registry knows it; `address` is the screen name / username."""

    key: str
    platform: Platform
    address: str
    platform_id: str
    organisation: Organisation
    title: str = ""
    created_on: date | None = None
    twofa_known: bool = False  # whether the registry behind this ref keeps 2FA attestations at all
    twofa_attested_on: date | None = None  # clause 1.6: when the organisation confirmed 2FA
    pages_on_network: int | None = None  # clause 1.5: the organisation's active pages on this network

    @property
    def url(self) -> str:
        host = "vk.com" if self.platform is Platform.VK else "t.me"
        return f"https://{host}/{self.address}"

    @property
    def display_title(self) -> str:
        return self.title or self.organisation.display_name


@dataclass(frozen=True, slots=True)
class PageInfo:
    """The page as the platform shows it now. `has_cover` is None where the platform has no covers (Telegram).

    `extra_texts` carries the other public text blocks (VK contacts, addresses, site, status) that may
    hold the required contacts instead of the description.
    """

    name: str
    description: str
    screen_name: str
    has_avatar: bool
    has_cover: bool | None
    site: str | None = None
    extra_texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Manager:
    """A person (or bot) with rights to run a page."""

    user_id: str
    role: str
    is_bot: bool = False
    name: str | None = None


class PageSource(Protocol):
    """Reads pages from a platform (VK `groups.getById`, `wall.get`, `groups.getMembers`)."""

    async def page_info(self, page: PageRef) -> PageInfo: ...

    async def posts(self, page: PageRef, since: datetime, until: datetime) -> Sequence[Post]:
        """Posts with since <= published_at < until."""
        ...

    async def managers(self, page: PageRef) -> Sequence[Manager]: ...


class RegistryView(Protocol):
    """The registry's active pages with their organisations."""

    async def active_pages(self) -> Sequence[PageRef]: ...


class AddressChangeSink(Protocol):
    """Told when a page's address on the platform no longer matches the registry, so history can record it."""

    async def address_changed(self, page: PageRef, old: str, new: str, seen_at: datetime) -> None: ...


class SiteLinkSink(Protocol):
    """Told when the monitor sees the page's link on the organisation's site, so the 1.4.5 term is met.

    The registry's `record_site_link(session, page, found_on)` does this; repeated calls must be harmless.
    """

    async def site_link_found(self, page: PageRef, link: str, seen_at: datetime) -> None: ...


class SiteFetcher(Protocol):
    """Fetches an organisation's official site; raises SiteUnavailable when it cannot."""

    async def fetch(self, url: str) -> str: ...


class SiteUnavailable(Exception):
    """The site did not answer with a readable page (timeout, DNS, 4xx/5xx, too many redirects)."""


class WorkdayCalendar(Protocol):
    """Working days with the Russian holiday transfers (monitor/workdays.py provides the real one)."""

    def add_working_days(self, start: date, days: int) -> date: ...


class CheckResultStore(Protocol):
    """Keeps every check result (history), and answers 'what was the last word on each page before t'."""

    async def save(self, results: Sequence[CheckResult]) -> None: ...

    async def latest(self, until: datetime) -> Sequence[CheckResult]:
        """The most recent result per (page, check) with checked_at < until."""
        ...

    async def history(self, page_key: str, limit: int = 50) -> Sequence[CheckResult]: ...


class ModerationStats(Protocol):
    """Moderation figures for [since, until); storage implements it over the audit log."""

    async def figures(self, since: datetime, until: datetime) -> ModerationFigures: ...


@dataclass(frozen=True, slots=True)
class DeadlineIssue:
    """A registry deadline missed or close (clauses 1.4.5, 3.1, 3.2, 3.4) with who must act."""

    page_key: str | None
    organisation: str
    clause: str
    what: str
    due: date
    overdue: bool = True


class DeadlineSource(Protocol):
    """Registry deadlines that are late or close at a moment."""

    async def deadline_issues(self, at: datetime) -> Sequence[DeadlineIssue]: ...


class DigestSender(Protocol):
    """Delivers the digest to the press service (the Telegram adapter implements it)."""

    async def send_message(self, chat_id: str, html_text: str) -> None: ...

    async def send_document(self, chat_id: str, filename: str, content: bytes, caption: str = "") -> None: ...
