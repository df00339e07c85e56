"""Gathering one ISO week's digest: each page's compliance, what to fix and who must, moderation figures.

Posts are counted afresh for the week (and the week before, for the trend); the other checks come from the
stored results, as the last word on each page before the week ended.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from models.values import CLAUSES, SEVERITY, CheckName, CheckResult, ModerationFigures, Problem, Status, worst
from monitor.checks.deps import Week
from monitor.checks.posting import evaluate_week
from monitor.checks.runner import cause_of
from monitor.config import MonitorConfig
from monitor.ports import (
    CheckResultStore,
    DeadlineIssue,
    DeadlineSource,
    ModerationStats,
    PageRef,
    PageSource,
    RegistryView,
)

STORED_CHECKS: tuple[CheckName, ...] = (
    CheckName.DESCRIPTION,
    CheckName.MANAGERS,
    CheckName.SITE_LINK,
    CheckName.ADDRESS,
)


@dataclass(frozen=True)
class DigestSources:
    """Where the digest reads from; `stats` and `deadlines` are optional until their owners provide them."""

    config: MonitorConfig
    registry: RegistryView
    source: PageSource
    store: CheckResultStore
    stats: ModerationStats | None = None
    deadlines: DeadlineSource | None = None


@dataclass(frozen=True)
class Fix:
    """One thing an organisation must do, in plain words, with the clause it comes from."""

    organisation: str
    page_title: str
    page_url: str
    text: str
    status: Status
    clause: str
    responsible: str = ""
    network: str = ""


@dataclass(frozen=True)
class Unchecked:
    """Checks that could not run for one reason: said once, with the pages it hit, never as a fix for them."""

    cause: str
    checks: tuple[str, ...]
    pages: tuple[str, ...]


@dataclass(frozen=True)
class PageLine:
    """One page's week: posts against the target and the latest verdict of each other check."""

    page: PageRef
    posting: CheckResult
    previous_posts: int | None
    checks: dict[CheckName, CheckResult | None]
    deadlines: tuple[DeadlineIssue, ...] = ()

    @property
    def posts(self) -> int | None:
        value = self.posting.data.get("count")
        return value if isinstance(value, int) else None

    @property
    def status(self) -> Status:
        statuses = [self.posting.status, *(r.status for r in self.checks.values() if r is not None)]
        if any(d.overdue for d in self.deadlines):
            statuses.append(Status.FAIL)
        elif self.deadlines:
            statuses.append(Status.WARNING)
        return worst(statuses)


@dataclass(frozen=True)
class WeekDigest:
    """Everything the HTML report and the short message show, with no I/O left."""

    week: Week
    generated_at: datetime
    target: int
    pages: list[PageLine]
    fixes: list[Fix]
    moderation: ModerationFigures | None
    previous_moderation: ModerationFigures | None
    other_deadlines: tuple[DeadlineIssue, ...] = ()
    deadlines_known: bool = False
    status_counts: dict[Status, int] = field(default_factory=dict)
    as_of: datetime | None = None
    unchecked: tuple[Unchecked, ...] = ()

    @property
    def moment(self) -> datetime:
        """What the report is true at: the week's end, or now for a week still running."""
        return self.as_of or self.week.end

    @property
    def in_progress(self) -> bool:
        return self.moment < self.week.end


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting 'Школа № 2' before 'Школа № 10'."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text.lower()) if part
    )


async def gather_digest(sources: DigestSources, week: Week, now: datetime) -> WeekDigest:
    """Collect the week as of `now` (its end, once it is over); a page whose posts cannot be read shows as
    'could not check', not as a failure."""
    as_of = min(now, week.end)
    pages = sorted(await sources.registry.active_pages(), key=lambda p: natural(p.display_title))
    stored = {(r.page_key, r.check): r for r in await sources.store.latest(as_of)}
    issues = list(await sources.deadlines.deadline_issues(as_of)) if sources.deadlines else []
    gate = asyncio.Semaphore(sources.config.concurrency)

    async def line(page: PageRef) -> PageLine:
        async with gate:
            return await _page_line(sources, page, week, stored, issues, as_of)

    lines = list(await asyncio.gather(*(line(p) for p in pages)))
    lines.sort(key=lambda ln: (-SEVERITY[ln.status], natural(ln.page.display_title)))
    keys = {p.key for p in pages}
    moderation, previous = await _moderation(sources.stats, week, as_of)
    counts = {s: sum(1 for ln in lines if ln.status is s) for s in Status}
    return WeekDigest(
        week=week,
        generated_at=now,
        target=sources.config.posts_per_week,
        pages=lines,
        fixes=collect_fixes(lines, [i for i in issues if i.page_key not in keys]),
        moderation=moderation,
        previous_moderation=previous,
        other_deadlines=tuple(i for i in issues if i.page_key not in keys),
        deadlines_known=sources.deadlines is not None,
        status_counts=counts,
        as_of=as_of,
        unchecked=collect_unchecked(lines),
    )


async def _page_line(
    sources: DigestSources,
    page: PageRef,
    week: Week,
    stored: dict[tuple[str, CheckName], CheckResult],
    issues: Sequence[DeadlineIssue],
    as_of: datetime,
) -> PageLine:
    target = sources.config.posts_per_week
    posting = await _week_posting(sources, page, week, target, as_of)
    previous = await _week_posting(sources, page, week.previous(), target, week.start)
    prev_count = previous.data.get("count")
    checks = {c: stored.get((page.key, c)) for c in STORED_CHECKS}
    # where the monitor looked at the site itself, its finding replaces the registry's 1.4.5 term
    seen_site = checks[CheckName.SITE_LINK] is not None
    return PageLine(
        page=page,
        posting=posting,
        previous_posts=prev_count if isinstance(prev_count, int) else None,
        checks=checks,
        deadlines=tuple(
            i
            for i in issues
            if i.page_key == page.key and not (seen_site and i.clause == CLAUSES[CheckName.SITE_LINK])
        ),
    )


async def _week_posting(
    sources: DigestSources, page: PageRef, week: Week, target: int, as_of: datetime
) -> CheckResult:
    try:
        posts = list(await sources.source.posts(page, week.start, as_of))
    except Exception as exc:  # the platform is down for this page: say so instead of failing the digest
        problem = Problem("posts", "unreachable", "", found=cause_of(exc))
        return CheckResult(
            page.key, CheckName.POSTING, Status.ERROR, "Не удалось прочитать публикации", as_of, (problem,)
        )
    return evaluate_week(page.key, posts, target, week, as_of)


async def _moderation(
    stats: ModerationStats | None, week: Week, as_of: datetime
) -> tuple[ModerationFigures | None, ModerationFigures | None]:
    if stats is None:
        return None, None
    before = week.previous()
    return await stats.figures(week.start, as_of), await stats.figures(before.start, before.end)


def collect_unchecked(lines: Sequence[PageLine]) -> tuple[Unchecked, ...]:
    """Checks that could not run, grouped by cause: one entry per cause, naming the checks and the pages."""
    from monitor.digest.labels import CHECK_TITLE

    causes: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for ln in lines:
        for result in [ln.posting, *(r for r in ln.checks.values() if r is not None)]:
            if result.status is not Status.ERROR:
                continue
            found = [p.found for p in result.problems if p.found]
            cause = found[0] if found else result.summary
            checks, pages = causes.setdefault(cause, ({}, {}))
            checks[CHECK_TITLE[result.check]] = None
            pages[f"{ln.page.display_title} ({network_label(ln.page)})"] = None
    return tuple(Unchecked(cause, tuple(c), tuple(p)) for cause, (c, p) in causes.items())


def network_label(page: PageRef) -> str:
    return "ВКонтакте" if page.platform.value == "vk" else "Telegram"


def collect_fixes(lines: Sequence[PageLine], loose: Sequence[DeadlineIssue] = ()) -> list[Fix]:
    """Every problem's fix text, worst first, grouped by organisation in the rendering.

    A check that could not run is no fix for the organisation: it goes to `collect_unchecked` instead.
    """
    fixes: list[Fix] = [_deadline_fix(i, i.organisation, "", "", i.organisation) for i in loose]
    for ln in lines:
        org, title, url = ln.page.organisation.display_name, ln.page.display_title, ln.page.url
        who, net = ln.page.organisation.official_name, network_label(ln.page)
        results = [ln.posting, *(r for r in ln.checks.values() if r is not None)]
        for result in results:
            if result.status in (Status.OK, Status.ERROR):
                continue
            for problem in result.problems:
                fixes.append(
                    Fix(org, title, url, problem.fix, result.status, CLAUSES[result.check], who, net)
                )
        fixes.extend(_deadline_fix(issue, org, title, url, who, net) for issue in ln.deadlines)
        fixes.extend(_registry_fixes(ln, org, title, url, who, net))
    fixes.sort(key=lambda f: (-SEVERITY[f.status], natural(f.organisation), natural(f.page_title)))
    return fixes


def _registry_fixes(ln: PageLine, org: str, title: str, url: str, who: str, net: str) -> list[Fix]:
    """What the registry knows against clauses 1.6 (2FA) and 1.5 (one page per network)."""
    page, fixes = ln.page, []
    if page.twofa_known and page.twofa_attested_on is None:
        text = "Включить двухфакторную аутентификацию и сообщить об этом в отдел ИТО для отметки в реестре"
        fixes.append(Fix(org, title, url, text, Status.WARNING, "1.6", who, net))
    if page.pages_on_network is not None and page.pages_on_network > 1:
        text = f"Оставить одну официальную страницу в сети {net}: в реестре их {page.pages_on_network}"
        fixes.append(Fix(org, title, url, text, Status.FAIL, "1.5", who, net))
    return fixes


def _deadline_fix(issue: DeadlineIssue, org: str, title: str, url: str, who: str, net: str = "") -> Fix:
    status = Status.FAIL if issue.overdue else Status.WARNING
    text = f"{issue.what} (срок {issue.due:%d.%m.%Y})"
    return Fix(org, title, url, text, status, issue.clause, who, net)
