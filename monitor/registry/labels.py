"""Russian labels and date formats shared by the CLI, the spreadsheets and the public page.

The IT staff read and type Russian words and ДД.ММ.ГГГГ dates; the database keeps stable codes and ISO
dates. This module is the one translation table between the two, so an import accepts exactly what an
export writes.
"""

from __future__ import annotations

import datetime as dt

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

_NETWORK_ALIASES: dict[str, str] = {"вк": Network.VK, "vkontakte": Network.VK, "тг": Network.TELEGRAM}


def _lookup(value: str, labels: dict[str, str], aliases: dict[str, str], what: str) -> str:
    key = value.strip().casefold()
    for code, label in labels.items():
        if key in (str(code).casefold(), label.casefold()):
            return str(code)
    if key in aliases:
        return aliases[key]
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


def parse_date(value: str) -> dt.date:
    """ДД.ММ.ГГГГ as the staff write it, or ISO ГГГГ-ММ-ДД as machines do."""
    text = value.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"неверная дата «{value}»: ожидается ДД.ММ.ГГГГ")


def fmt_date(value: dt.date | None) -> str:
    """ДД.ММ.ГГГГ, or an empty string for a missing date."""
    return value.strftime("%d.%m.%Y") if value else ""
