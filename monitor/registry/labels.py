"""Russian labels and date formats shared by the CLI, the spreadsheets and the public page.

The IT staff read and type Russian words and ДД.ММ.ГГГГ dates; the database keeps stable codes and ISO
dates. This module is the one translation table between the two, so an import accepts exactly what an
export writes.
"""

from __future__ import annotations

import datetime as dt
import re

from models.registry import DetectedBy, FactKind, Network, OrgKind, PageStatus

NETWORK_LABELS: dict[str, str] = {Network.VK: "ВКонтакте", Network.TELEGRAM: "Telegram"}
ORG_KIND_LABELS: dict[str, str] = {
    OrgKind.ADMINISTRATION: "администрация",
    OrgKind.DEPARTMENT: "отраслевой орган",
    OrgKind.INSTITUTION: "учреждение",
}
STATUS_LABELS: dict[str, str] = {PageStatus.ACTIVE: "действует", PageStatus.CLOSED: "закрыта"}
FACT_KIND_LABELS: dict[str, str] = {
    FactKind.CREATION: "создание страницы",
    FactKind.ADDRESS_CHANGE: "изменение адреса",
    FactKind.STAFF_CHANGE: "смена ответственных",
}
DETECTED_BY_LABELS: dict[str, str] = {DetectedBy.MONITOR: "монитор", DetectedBy.MANUAL: "вручную"}

_NETWORK_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("вк", "vk", "vkontakte", "вконтакте", "контакт", "vkcom", "вкком", "вкомпании", "вкон"), Network.VK
    ),
    **dict.fromkeys(
        ("тг", "tg", "телеграм", "телеграмм", "телега", "telegram", "telegramm", "tme", "тме"),
        Network.TELEGRAM,
    ),
}
"""Spellings staff type for a network, after `_squeeze` (case, spaces, dots, hyphens and quotes removed)."""


def _squeeze(value: str) -> str:
    """«В Контакте», "vk.com", «Телеграм-канал» -> вконтакте, vkcom, телеграмканал: what the aliases match."""
    text = re.sub(r"[\s.\-_«»\"'/:]+", "", value.casefold())
    for prefix in ("https", "http", "www"):
        text = text.removeprefix(prefix)
    return re.sub(r"(канал|группа|сообщество|паблик|страница)$", "", text)


def _lookup(value: str, labels: dict[str, str], aliases: dict[str, str], what: str) -> str:
    key = value.strip().casefold()
    for code, label in labels.items():
        if key in (str(code).casefold(), label.casefold()):
            return str(code)
    squeezed = _squeeze(value)
    if key in aliases or squeezed in aliases:
        return aliases.get(key) or aliases[squeezed]
    allowed = ", ".join(f"{label} ({code})" for code, label in labels.items())
    raise ValueError(f"неизвестное значение «{value}» для поля «{what}»; допустимо: {allowed}")


def parse_network(value: str) -> str:
    """Accept the code (`vk`) or the Russian label (`ВКонтакте`); ValueError names what is allowed."""
    return _lookup(value, NETWORK_LABELS, _NETWORK_ALIASES, "соцсеть")


def parse_org_kind(value: str) -> str:
    """Accept the code (`department`) or the Russian label (`отраслевой орган`)."""
    return _lookup(value, ORG_KIND_LABELS, {}, "тип организации")


def parse_status(value: str) -> str:
    """Accept the code (`closed`) or the Russian label (`закрыта`)."""
    return _lookup(value, STATUS_LABELS, {}, "статус")


def parse_fact_kind(value: str) -> str:
    """Accept the code (`address_change`) or the Russian label (`изменение адреса`)."""
    return _lookup(value, FACT_KIND_LABELS, {}, "вид сведений")


def parse_detected_by(value: str) -> str:
    """Accept the code (`monitor`) or the Russian label (`монитор`)."""
    return _lookup(value, DETECTED_BY_LABELS, {}, "кто обнаружил")


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: str) -> dt.date:
    """ДД.ММ.ГГГГ as the staff write it, or ISO ГГГГ-ММ-ДД as machines do.

    A date in the right form that is not in the calendar («31.02.2023») is called that, so the person
    fixes the day rather than the format.
    """
    text = value.strip()
    dmy, ymd = _DMY.match(text), _YMD.match(text)
    parts = (dmy[3], dmy[2], dmy[1]) if dmy else (ymd[1], ymd[2], ymd[3]) if ymd else None
    if parts is None:
        raise ValueError(f"неверная дата «{value}»: ожидается ДД.ММ.ГГГГ")
    year, month, day = (int(p) for p in parts)
    try:
        return dt.date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            raise ValueError(f"даты «{value}» не существует: месяца {month} нет") from None
        raise ValueError(f"даты «{value}» не существует: в этом месяце нет {day}-го числа") from None


def fmt_date(value: dt.date | None) -> str:
    """ДД.ММ.ГГГГ, or an empty string for a missing date."""
    return value.strftime("%d.%m.%Y") if value else ""
