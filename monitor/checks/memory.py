"""In-memory implementations of the monitor's ports, for tests, the demo and `--demo` commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from models.values import CheckResult, Post
from monitor.ports import Manager, PageInfo, PageRef, SiteUnavailable


@dataclass
class InMemoryPageSource:
    """Page info, posts and managers keyed by PageRef.key."""

    info: dict[str, PageInfo] = field(default_factory=dict)
    posts_by_page: dict[str, list[Post]] = field(default_factory=dict)
    managers_by_page: dict[str, list[Manager]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def page_info(self, page: PageRef) -> PageInfo:
        self.calls.append(("page_info", page.key))
        return self.info[page.key]

    async def posts(self, page: PageRef, since: datetime, until: datetime) -> Sequence[Post]:
        self.calls.append(("posts", page.key))
        return [p for p in self.posts_by_page.get(page.key, []) if since <= p.published_at < until]

    async def managers(self, page: PageRef) -> Sequence[Manager]:
        self.calls.append(("managers", page.key))
        return list(self.managers_by_page.get(page.key, []))


@dataclass
class InMemoryRegistry:
    pages: list[PageRef] = field(default_factory=list)

    async def active_pages(self) -> Sequence[PageRef]:
        return list(self.pages)


@dataclass
class RecordingAddressSink:
    """Remembers reported address changes as (page key, old, new, seen at)."""

    changes: list[tuple[str, str, str, datetime]] = field(default_factory=list)

    async def address_changed(self, page: PageRef, old: str, new: str, seen_at: datetime) -> None:
        self.changes.append((page.key, old, new, seen_at))


@dataclass
class RecordingSiteLinks:
    """Remembers links seen on sites as (page key, link, seen at)."""

    found: list[tuple[str, str, datetime]] = field(default_factory=list)

    async def site_link_found(self, page: PageRef, link: str, seen_at: datetime) -> None:
        self.found.append((page.key, link, seen_at))


@dataclass
class StaticSiteFetcher:
    """Serves fixed HTML per URL; an unknown URL is an unreachable site."""

    pages: dict[str, str] = field(default_factory=dict)

    async def fetch(self, url: str) -> str:
        if url not in self.pages:
            raise SiteUnavailable(f"{url}: not reachable")
        return self.pages[url]


@dataclass
class InMemoryCheckResultStore:
    results: list[CheckResult] = field(default_factory=list)

    async def save(self, results: Sequence[CheckResult]) -> None:
        self.results.extend(results)

    async def latest(self, until: datetime) -> Sequence[CheckResult]:
        best: dict[tuple[str, str], CheckResult] = {}
        for result in self.results:
            key = (result.page_key, result.check.value)
            if result.checked_at < until and (key not in best or result.checked_at >= best[key].checked_at):
                best[key] = result
        return list(best.values())

    async def history(self, page_key: str, limit: int = 50) -> Sequence[CheckResult]:
        mine = [r for r in self.results if r.page_key == page_key]
        return sorted(mine, key=lambda r: r.checked_at, reverse=True)[:limit]
