"""Clause 1.4.5: within five working days of creation the organisation's official site links to the page."""

from __future__ import annotations

from datetime import datetime

from models.values import CheckName, CheckResult, Problem, Status
from monitor.checks.deps import CheckDeps
from monitor.checks.links import find_page_link
from monitor.ports import PageRef, SiteUnavailable


async def check_site_link(deps: CheckDeps, page: PageRef, now: datetime) -> CheckResult:
    """Looks for a link to this page on the site's front page; before the deadline a miss only warns."""
    site = page.organisation.website
    if not site:
        summary = "У организации нет официального сайта: ссылка не требуется"
        return CheckResult(page.key, CheckName.SITE_LINK, Status.OK, summary, now, (), {"site": None})
    data: dict[str, object] = {"site": site}
    try:
        html = await deps.fetcher.fetch(site)
    except SiteUnavailable as exc:
        fix = f"Проверить доступность сайта {site}: проверка не смогла его открыть."
        problem = Problem("site", "unreachable", fix, expected=site, found=str(exc))
        return CheckResult(
            page.key, CheckName.SITE_LINK, Status.ERROR, "Сайт организации не открылся", now, (problem,), data
        )
    link = find_page_link(html, page)
    if link:
        data["link"] = link
        if deps.site_links is not None:
            await deps.site_links.site_link_found(page, link, now)
        return CheckResult(
            page.key, CheckName.SITE_LINK, Status.OK, "На сайте есть ссылка на страницу", now, (), data
        )
    return _missing(deps, page, now, data)


def _missing(deps: CheckDeps, page: PageRef, now: datetime, data: dict[str, object]) -> CheckResult:
    site = page.organisation.website
    fix = f"Разместить на главной странице сайта {site} ссылку на страницу {page.url} (п. 1.4.5)."
    status = Status.FAIL
    summary = "На сайте нет ссылки на страницу"
    if page.created_on is not None:
        due = deps.calendar.add_working_days(page.created_on, deps.config.site_link_working_days)
        data["due"] = due.isoformat()
        if now.astimezone(deps.config.tz).date() <= due:
            status = Status.WARNING
            summary = f"Ссылку на сайте нужно разместить до {due:%d.%m.%Y}"
        else:
            summary = f"На сайте нет ссылки на страницу; срок истёк {due:%d.%m.%Y}"
    problem = Problem("site_link", "missing", fix, expected=page.url, found=None)
    return CheckResult(page.key, CheckName.SITE_LINK, status, summary, now, (problem,), data)
