"""Clauses 3.2-3.3: a page's address changed on the platform; the registry must record the old and new one."""

from __future__ import annotations

from datetime import datetime

from models.values import CheckName, CheckResult, Problem, Status
from monitor.checks.deps import CheckDeps
from monitor.checks.normalise import screen_name
from monitor.ports import PageRef


async def check_address(deps: CheckDeps, page: PageRef, now: datetime) -> CheckResult:
    """Compares the platform's screen name / username with the registry and reports a change to the sink."""
    info = await deps.source.page_info(page)
    old, new = screen_name(page.address), screen_name(info.screen_name)
    if not new or old == new:
        return CheckResult(
            page.key,
            CheckName.ADDRESS,
            Status.OK,
            "Адрес страницы совпадает с реестром",
            now,
            (),
            {"address": page.address},
        )
    await deps.addresses.address_changed(page, page.address, info.screen_name, now)
    fix = (
        f"Адрес страницы изменился с «{page.address}» на «{info.screen_name}»: сообщить в отдел ИТО "
        "в течение 3 рабочих дней (п. 3.2) и обновить ссылку на сайте."
    )
    problem = Problem("address", "changed", fix, expected=page.address, found=info.screen_name)
    summary = f"Адрес страницы изменился: {page.address} → {info.screen_name}"
    return CheckResult(
        page.key,
        CheckName.ADDRESS,
        Status.WARNING,
        summary,
        now,
        (problem,),
        {"old": page.address, "new": info.screen_name},
    )
