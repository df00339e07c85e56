"""Clause 1.6: no more than three people with the right to create and maintain a page; bots are not people."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from models.values import CheckName, CheckResult, Problem, Status
from monitor.checks.deps import CheckDeps
from monitor.ports import PageRef

#: VK's advertiser role can run ads but cannot publish or edit the page, so it grants no "ведение".
NON_EDITING_ROLES: frozenset[str] = frozenset({"advertiser"})


async def check_managers(deps: CheckDeps, page: PageRef, now: datetime) -> CheckResult:
    """Counts the people among the page's managers; more than the limit fails."""
    managers = list(await deps.source.managers(page))
    people = [m for m in managers if not m.is_bot and m.role.lower() not in NON_EDITING_ROLES]
    limit = deps.config.max_managers
    data: dict[str, object] = {
        "people": len(people),
        "limit": limit,
        "roles": dict(Counter(m.role for m in people)),
        "bots_excluded": sum(1 for m in managers if m.is_bot),
    }
    if len(people) <= limit:
        summary = f"Доступ у {len(people)} чел. (допускается не более {limit})"
        return CheckResult(page.key, CheckName.MANAGERS, Status.OK, summary, now, (), data)
    fix = (
        f"Оставить доступ к управлению страницей не более чем у {limit} сотрудников (п. 1.6); "
        f"сейчас {len(people)}."
    )
    problem = Problem("managers", "exceeds", fix, expected=f"не более {limit}", found=str(len(people)))
    summary = f"Доступ у {len(people)} чел., допускается не более {limit}"
    return CheckResult(page.key, CheckName.MANAGERS, Status.FAIL, summary, now, (problem,), data)
