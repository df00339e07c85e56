"""Russian words for codes, dates and numbers, so the digest reads as plain language."""

from __future__ import annotations

from datetime import date, datetime

from models.values import CheckName, Status
from monitor.wording import plural

__all__ = ["plural"]

MONTHS_GEN = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

STATUS_WORD: dict[Status, str] = {
    Status.OK: "в порядке",
    Status.WARNING: "есть замечания",
    Status.FAIL: "нарушение",
    Status.ERROR: "не удалось проверить",
}
STATUS_ICON: dict[Status, str] = {
    Status.OK: "🟢",
    Status.WARNING: "🟡",
    Status.FAIL: "🔴",
    Status.ERROR: "⚪",
}

CHECK_TITLE: dict[CheckName, str] = {
    CheckName.POSTING: "Публикации",
    CheckName.DESCRIPTION: "Описание и оформление",
    CheckName.MANAGERS: "Доступ к управлению",
    CheckName.SITE_LINK: "Ссылка на сайте",
    CheckName.ADDRESS: "Адрес страницы",
}

GROUND_LABEL: dict[str, str] = {
    "law_violation": "нарушение закона",
    "spam": "спам",
    "unverified_claim": "непроверенные сведения",
    "obscenity": "нецензурная брань",
    "off_topic": "не по теме",
    "advertising": "реклама",
    "personal_data": "персональные данные",
    "engagement_request": "просьбы «добавь», «проголосуй»",
    "defamation": "оскорбления, клевета",
    "provocation": "провокации",
}

DECISION_LABEL: dict[str, str] = {
    "keep": "оставлено",
    "delete": "удалено",
    "delete_restrict": "удалено с ограничением автора",
    "restore": "восстановлено",
    "lift": "ограничение снято",
}

PLATFORM_LABEL: dict[str, str] = {"vk": "ВКонтакте", "telegram": "Telegram"}


def ground_label(code: str) -> str:
    return GROUND_LABEL.get(code, code)


def day_month(day: date) -> str:
    return f"{day.day} {MONTHS_GEN[day.month - 1]}"


def period(first: date, last: date) -> str:
    """'23–29 ноября 2026', '30 ноября – 6 декабря 2026', '29 декабря 2025 – 4 января 2026'."""
    if first.year != last.year:
        return f"{day_month(first)} {first.year} – {day_month(last)} {last.year}"
    if first.month != last.month:
        return f"{day_month(first)} – {day_month(last)} {last.year}"
    return f"{first.day}–{last.day} {MONTHS_GEN[last.month - 1]} {last.year}"


def moment(value: datetime) -> str:
    return f"{value:%d.%m.%Y %H:%M}"


def delta(current: int, previous: int | None) -> str:
    """Week-over-week change in words a reader takes in at a glance."""
    if previous is None:
        return ""
    diff = current - previous
    if diff == 0:
        return "как на прошлой неделе"
    sign = "+" if diff > 0 else "−"
    return f"{sign}{abs(diff)} к прошлой неделе"


def age(since: datetime, now: datetime) -> str:
    """'3 дня 4 ч', '5 ч', 'меньше часа'."""
    hours = int((now - since).total_seconds() // 3600)
    if hours < 1:
        return "меньше часа"
    days, rest = divmod(hours, 24)
    if days:
        return f"{days} {plural(days, 'день', 'дня', 'дней')}" + (f" {rest} ч" if rest else "")
    return f"{hours} ч"
