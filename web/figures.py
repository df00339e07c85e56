"""The week's and the month's figures for a report or a prosecutor's request: moderation counts against the
period before, posts per page from the stored checks, the digest's own charts, and the same table as CSV
(Excel's flavour: BOM, ";") and XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.monitor import SqlCheckResultStore
from models.registry import RegistryOrganisation, RegistryPage
from models.stats import figures
from models.values import CheckName, ModerationFigures
from monitor.digest import charts
from monitor.digest.labels import DECISION_LABEL, GROUND_LABEL, PLATFORM_LABEL, period

MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    """A calendar week (Monday to Sunday) or month in the monitor's time zone: [start, end)."""

    kind: str
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        return period(self.start.date(), (self.end - timedelta(days=1)).date())

    @property
    def value(self) -> str:
        """The form value that selects this period again."""
        return self.start.strftime("%Y-%m") if self.kind == "month" else self.start.date().isoformat()

    def previous(self) -> Period:
        return period_of(self.kind, (self.start - timedelta(days=1)).date(), self.start.tzinfo)  # type: ignore[arg-type]


def period_of(kind: str, day: date, zone: ZoneInfo) -> Period:
    """The week or month that contains `day`."""
    if kind == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
    else:
        first = day - timedelta(days=day.weekday())
        following = first + timedelta(days=7)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    return Period(
        "month" if kind == "month" else "week",
        start,
        datetime(following.year, following.month, following.day, tzinfo=zone),
    )


def parse_period(kind: str, value: str, zone: ZoneInfo, today: date) -> Period:
    """From the form: `week` + `2026-12-07`, `month` + `2026-12`; anything unreadable: the current one."""
    try:
        day = date.fromisoformat(value + "-01" if kind == "month" and len(value) == 7 else value)
    except ValueError:
        day = today
    return period_of(kind, day, zone)


@dataclass(frozen=True)
class Figures:
    """Everything the figures page and its exports show."""

    period: Period
    now: ModerationFigures
    before: ModerationFigures
    posts: list[tuple[str, int | None]]
    target: int

    def rows(self) -> list[tuple[str, str, int, int | str]]:
        """(section, name, this period, the period before) — the exported table."""
        now, before = self.now, self.before
        rows: list[tuple[str, str, int, int | str]] = [
            ("Модерация", "комментариев проверено", now.comments_checked, before.comments_checked),
            ("Модерация", "удалено", now.deleted, before.deleted),
            ("Модерация", "передано модераторам", now.sent_to_review, before.sent_to_review),
            (
                "Модерация",
                "автоудалений отменено",
                now.overturned_auto_deletions,
                before.overturned_auto_deletions,
            ),
            ("Модерация", "авторов ограничено", now.restrictions, before.restrictions),
        ]
        counted = (
            ("Удалено по основанию", now.deleted_by_ground, before.deleted_by_ground, GROUND_LABEL),
            ("Передано модераторам", now.review_by_ground, before.review_by_ground, GROUND_LABEL),
            ("Решения модераторов", now.decisions, before.decisions, DECISION_LABEL),
        )
        for section, mine, theirs, labels in counted:
            for code in sorted(set(mine) | set(theirs)):
                rows.append((section, labels.get(code, code), mine.get(code, 0), theirs.get(code, 0)))
        for title, count in self.posts:
            rows.append(("Публикации (последняя проверка)", title, count if count is not None else 0, "—"))
        return rows

    def deletions_chart(self) -> str | None:
        names = (
            ("этот месяц", "прошлый месяц")
            if self.period.kind == "month"
            else ("эта неделя", "прошлая неделя")
        )
        return charts.deletions_chart(self.now.deleted_by_ground, self.before.deleted_by_ground, names)

    def posts_chart(self) -> str | None:
        return (
            charts.posts_chart(self.posts, self.target) if self.posts and self.period.kind == "week" else None
        )


def _titles(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.exec(
            select(RegistryPage, RegistryOrganisation).where(
                RegistryPage.organisation_id == RegistryOrganisation.id
            )
        ).all()
    return {
        str(p.id): f"{o.short_name or o.name} ({PLATFORM_LABEL.get(p.network, p.network)})" for p, o in rows
    }


def _posts(engine: Engine, until: datetime) -> list[tuple[str, int | None]]:
    """Posts counted by the last posting check of each page before `until` (the daemon runs them)."""
    results = SqlCheckResultStore(engine)._latest(until)
    titles = _titles(engine)
    counts = []
    for result in results:
        if result.check is CheckName.POSTING and result.page_key in titles:
            value = result.data.get("count")
            counts.append((titles[result.page_key], value if isinstance(value, int) else None))
    return sorted(counts)


def gather(engine: Engine, chosen: Period, target: int) -> Figures:
    """The figures of a period and the one before it."""
    before = chosen.previous()
    now = figures(engine, chosen.start, chosen.end)
    earlier = figures(engine, before.start, before.end)
    return Figures(chosen, now, earlier, _posts(engine, chosen.end), target)


HEADER = ("Раздел", "Показатель", "За период", "За предыдущий период")


def to_csv(data: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"Показатели за {data.period.label}"])
    writer.writerow(HEADER)
    writer.writerows(data.rows())
    return "\ufeff" + out.getvalue()


def to_xlsx(data: Figures) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Показатели"
    sheet.append([f"Показатели за {data.period.label}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in data.rows():
        sheet.append(list(row))
    for letter, width in zip("ABCD", (30, 45, 14, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
