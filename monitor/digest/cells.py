"""Short Russian wording of each check for one table cell: a coloured dot and a few words."""

from __future__ import annotations

from html import escape

from models.values import CheckName, CheckResult, Status
from monitor.checks.description import FIELD_LABELS
from monitor.digest.data import PageLine
from monitor.digest.labels import STATUS_WORD, delta, plural


def dot(status: Status | None, words: str, title: str = "") -> str:
    """A traffic-light dot followed by words; `status` None is 'no data' in grey."""
    css = status.value if status else "none"
    tip = f' title="{escape(title)}"' if title else ""
    return f'<span class="dot {css}"{tip}></span>{escape(words)}'


def badge(status: Status) -> str:
    return f'<span class="badge {status.value}">{escape(STATUS_WORD[status])}</span>'


def posts_cell(line: PageLine, target: int) -> str:
    count = line.posts
    if count is None:
        return dot(Status.ERROR, "нет данных", line.posting.summary)
    words = f"{count} из {target}"
    trend = delta(count, line.previous_posts)
    extra = f'<div class="sub">{escape(trend)}</div>' if trend else ""
    return dot(line.posting.status, words, line.posting.summary) + extra


def check_cell(line: PageLine, check: CheckName) -> str:
    result = line.checks.get(check)
    if result is None:
        return dot(None, "не проверялось")
    text = _WORDING[check](result)
    return dot(result.status, text, result.summary)


def _description(result: CheckResult) -> str:
    if result.status is Status.OK:
        return "всё указано"
    if result.status is Status.ERROR:
        return "не удалось проверить"
    missing = [FIELD_LABELS.get(p.field, p.field) for p in result.problems if p.kind == "missing"]
    differs = [FIELD_LABELS.get(p.field, p.field) for p in result.problems if p.kind == "differs"]
    parts = []
    if missing:
        parts.append("нет: " + ", ".join(missing))
    if differs:
        parts.append("не совпадает: " + ", ".join(differs))
    return "; ".join(parts) or result.summary


def _managers(result: CheckResult) -> str:
    people, limit = result.data.get("people"), result.data.get("limit")
    if isinstance(people, int):
        return f"{people} {plural(people, 'человек', 'человека', 'человек')} (можно {limit})"
    return STATUS_WORD[result.status]


def _site(result: CheckResult) -> str:
    if result.status is Status.OK:
        return "ссылка есть" if result.data.get("link") else "сайта нет"
    if result.status is Status.ERROR:
        return "сайт не открылся"
    if result.status is Status.WARNING and result.data.get("due"):
        return f"нет ссылки, срок до {_date(str(result.data['due']))}"
    return "нет ссылки"


def _address(result: CheckResult) -> str:
    if result.status is Status.OK:
        return "совпадает"
    new = result.data.get("new")
    return f"изменился на {new}" if new else STATUS_WORD[result.status]


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


_WORDING = {
    CheckName.DESCRIPTION: _description,
    CheckName.MANAGERS: _managers,
    CheckName.SITE_LINK: _site,
    CheckName.ADDRESS: _address,
}


def deadlines_cell(line: PageLine) -> str:
    if not line.deadlines:
        return dot(Status.OK, "в срок")
    overdue = [d for d in line.deadlines if d.overdue]
    if overdue:
        first = overdue[0]
        return dot(Status.FAIL, f"просрочено: п. {first.clause}", first.what)
    first = line.deadlines[0]
    return dot(Status.WARNING, f"до {first.due:%d.%m}: п. {first.clause}", first.what)


def twofa_cell(line: PageLine) -> str:
    """Clause 1.6: whether the registry has the organisation's confirmation of two-factor authentication."""
    page = line.page
    if not page.twofa_known:
        return dot(None, "нет сведений")
    if page.twofa_attested_on is None:
        return dot(Status.WARNING, "не подтверждена")
    return dot(Status.OK, f"подтверждена {page.twofa_attested_on:%d.%m.%Y}")


def one_page_cell(line: PageLine) -> str:
    """Clause 1.5: one official page per organisation in each network, as the registry counts them."""
    count = line.page.pages_on_network
    if count is None:
        return dot(None, "нет сведений")
    if count > 1:
        return dot(Status.FAIL, f"{count} {plural(count, 'страница', 'страницы', 'страниц')}")
    return dot(Status.OK, "одна")
