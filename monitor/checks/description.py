"""Clause 2.4: visual design and a description with official name, postal address, e-mail (if any), phone.

Each field is compared with the registry's value for the organisation, tolerantly, and the result names
exactly which field is missing or differs so the organisation knows what to edit.
"""

from __future__ import annotations

from datetime import datetime

from models.values import CheckName, CheckResult, Problem, Status
from monitor.checks import normalise as norm
from monitor.checks.deps import CheckDeps
from monitor.ports import Organisation, PageInfo, PageRef

FIELD_LABELS: dict[str, str] = {
    "official_name": "официальное наименование",
    "postal_address": "почтовый адрес",
    "email": "адрес электронной почты",
    "phone": "телефон для справок",
    "avatar": "аватар (фото страницы)",
    "cover": "обложка",
}


async def check_description(deps: CheckDeps, page: PageRef, now: datetime) -> CheckResult:
    """Reads the page from the platform and lists every required field that is missing or differs."""
    info = await deps.source.page_info(page)
    problems = describe_problems(page.organisation, info)
    data: dict[str, object] = {"fields_checked": _checked_fields(page.organisation, info)}
    if problems:
        labels = ", ".join(FIELD_LABELS[p.field] for p in problems)
        return CheckResult(
            page.key, CheckName.DESCRIPTION, Status.FAIL, f"Исправить: {labels}", now, tuple(problems), data
        )
    return CheckResult(
        page.key, CheckName.DESCRIPTION, Status.OK, "Оформление и описание в порядке", now, (), data
    )


def _checked_fields(org: Organisation, info: PageInfo) -> list[str]:
    fields = ["official_name", "postal_address", "phone", "avatar"]
    if org.email:
        fields.insert(2, "email")
    if info.has_cover is not None:
        fields.append("cover")
    return fields


def page_text(info: PageInfo) -> str:
    """Everything public a reader sees as the page's description."""
    return "\n".join([info.name, info.description, *(info.extra_texts), info.site or ""])


def describe_problems(org: Organisation, info: PageInfo) -> list[Problem]:
    """All deviations of the page from clause 2.4 and from the registry, in a fixed field order."""
    text = page_text(info)
    problems = [
        _name(org, info, text),
        _address(org, text),
        _email(org, text),
        _phone(org, text),
        _visual(info),
    ]
    flat: list[Problem] = []
    for item in problems:
        if isinstance(item, list):
            flat.extend(item)
        elif item is not None:
            flat.append(item)
    return flat


def _name(org: Organisation, info: PageInfo, text: str) -> Problem | None:
    if norm.name_present(org.official_name, text):
        return None
    fix = f"Указать в названии или описании официальное наименование: «{org.official_name}»."
    return Problem("official_name", "missing", fix, expected=org.official_name, found=info.name)


def _address(org: Organisation, text: str) -> Problem | None:
    if not org.postal_address:
        return None  # the registry lacks it; the registry check reports that, not the page
    if norm.address_present(org.postal_address, text):
        return None
    hint = norm.address_hint(text)
    kind = "differs" if hint else "missing"
    verb = "Исправить" if hint else "Указать"
    fix = f"{verb} в описании почтовый адрес: {org.postal_address}."
    return Problem("postal_address", kind, fix, expected=org.postal_address, found=hint)


def _email(org: Organisation, text: str) -> Problem | None:
    if not org.email:
        return None  # clause 2.4: "при наличии"
    shown = norm.emails(text)
    if org.email.lower() in shown:
        return None
    kind = "differs" if shown else "missing"
    fix = _fix("адрес электронной почты", org.email, shown)
    return Problem("email", kind, fix, expected=org.email, found=", ".join(sorted(shown)) or None)


def _phone(org: Organisation, text: str) -> Problem | None:
    shown = norm.phones(text)
    wanted = norm.phone_key(org.phone) if org.phone else None
    if (wanted and wanted in shown) or (not wanted and shown):
        return None
    kind = "differs" if shown else "missing"
    readable = {norm.pretty_phone(p) for p in shown}
    fix = _fix("телефон для справок", org.phone or "телефон для справок", readable)
    return Problem("phone", kind, fix, expected=org.phone, found=", ".join(sorted(readable)) or None)


def _visual(info: PageInfo) -> list[Problem]:
    problems = []
    if not info.has_avatar:
        problems.append(Problem("avatar", "missing", "Загрузить аватар страницы (герб или логотип)."))
    if info.has_cover is False:
        problems.append(Problem("cover", "missing", "Загрузить обложку страницы."))
    return problems


def _fix(label: str, expected: str, shown: set[str]) -> str:
    if shown:
        return f"Исправить в описании {label}: указано {', '.join(sorted(shown))}, нужно {expected}."
    return f"Указать в описании {label}: {expected}."
