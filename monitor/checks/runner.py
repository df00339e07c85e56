"""Runs every check on every active page, isolates failures, and stores the results with history."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime

from models.values import CheckName, CheckResult, Post, Problem, Status
from moderation.daemon.ports import PlatformError
from monitor.checks.address import check_address
from monitor.checks.deps import CheckDeps
from monitor.checks.description import check_description
from monitor.checks.managers import check_managers
from monitor.checks.posting import check_posting_rate
from monitor.checks.router import SourceNotConfigured
from monitor.checks.site import check_site_link
from monitor.ports import Manager, PageInfo, PageRef, PageSource, SiteFetcher, SiteUnavailable

log = logging.getLogger(__name__)

Check = Callable[[CheckDeps, PageRef, datetime], Awaitable[CheckResult]]

CHECKS: dict[CheckName, Check] = {
    CheckName.POSTING: check_posting_rate,
    CheckName.DESCRIPTION: check_description,
    CheckName.MANAGERS: check_managers,
    CheckName.SITE_LINK: check_site_link,
    CheckName.ADDRESS: check_address,
}


class _OncePerRun:
    """PageSource wrapper: the description and address checks read the same page info once per run."""

    def __init__(self, inner: PageSource) -> None:
        self._inner = inner
        self._info: dict[str, asyncio.Task[PageInfo]] = {}

    async def page_info(self, page: PageRef) -> PageInfo:
        if page.key not in self._info:
            self._info[page.key] = asyncio.ensure_future(self._inner.page_info(page))
        return await asyncio.shield(self._info[page.key])

    async def posts(self, page: PageRef, since: datetime, until: datetime) -> Sequence[Post]:
        return await self._inner.posts(page, since, until)

    async def managers(self, page: PageRef) -> Sequence[Manager]:
        return await self._inner.managers(page)


class _FetchOncePerRun:
    """SiteFetcher wrapper: an organisation with pages on two platforms has its site fetched once per run."""

    def __init__(self, inner: SiteFetcher) -> None:
        self._inner = inner
        self._pages: dict[str, asyncio.Task[str]] = {}

    async def fetch(self, url: str) -> str:
        if url not in self._pages:
            self._pages[url] = asyncio.ensure_future(self._inner.fetch(url))
        return await asyncio.shield(self._pages[url])


def cause_of(exc: BaseException) -> str:
    """Why a check could not run: the exception's own words when they are Russian, else its type and text."""
    text = str(exc).strip()
    if text and any("а" <= ch <= "я" for ch in text.lower()):
        return text[:300]
    return f"{type(exc).__name__}: {text}"[:300]


EXPECTED_FAILURES: tuple[type[BaseException], ...] = (SourceNotConfigured, SiteUnavailable, PlatformError)
"""Failures that are the world's state (no token, site or platform down), not a bug: no traceback for them."""


class _Failures:
    """Checks that could not run in one pass, by cause, so the log says each cause once, not per page."""

    def __init__(self) -> None:
        self.causes: dict[str, int] = {}
        self.traced: set[type[BaseException]] = set()

    def add(self, check: CheckName, page: PageRef, exc: Exception) -> str:
        cause = cause_of(exc)
        self.causes[cause] = self.causes.get(cause, 0) + 1
        if not isinstance(exc, EXPECTED_FAILURES) and type(exc) not in self.traced:
            self.traced.add(type(exc))  # an unexpected error: its traceback once per kind and pass
            log.warning("check %s failed for page %s", check.value, page.key, exc_info=exc)
        return cause

    def report(self) -> None:
        for cause, count in self.causes.items():
            log.warning("%d checks could not run: %s", count, cause)


async def run_check(
    check: CheckName, deps: CheckDeps, page: PageRef, now: datetime, failures: _Failures | None = None
) -> CheckResult:
    """One check on one page; an exception becomes an ERROR result so one bad page never stops the run.

    The result names the cause; the digest reports each cause once, for IT, and asks nothing of the owner.
    """
    try:
        return await CHECKS[check](deps, page, now)
    except Exception as exc:
        cause = (failures or _Failures()).add(check, page, exc)
        problem = Problem(check.value, "unreachable", "", found=cause)
        return CheckResult(page.key, check, Status.ERROR, "Проверка не удалась", now, (problem,))


async def run_checks(
    deps: CheckDeps,
    now: datetime,
    pages: Sequence[PageRef] | None = None,
    checks: Sequence[CheckName] = tuple(CheckName),
    save: bool = True,
) -> list[CheckResult]:
    """The scheduled job: all checks on all active pages (or the given ones), stored in one batch."""
    if pages is None:
        pages = list(await deps.registry.active_pages())
    run_deps = replace(deps, source=_OncePerRun(deps.source), fetcher=_FetchOncePerRun(deps.fetcher))
    gate = asyncio.Semaphore(deps.config.concurrency)
    failures = _Failures()

    async def guarded(page: PageRef, check: CheckName) -> CheckResult:
        async with gate:
            return await run_check(check, run_deps, page, now, failures)

    results = list(await asyncio.gather(*(guarded(p, c) for p in pages for c in checks)))
    failures.report()
    if save and results:
        await deps.store.save(results)
    log.info(
        "monitor checks: %d pages, %d results, %d not ok",
        len(pages),
        len(results),
        sum(1 for r in results if r.status is not Status.OK),
    )
    return results
