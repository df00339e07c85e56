"""Everything a check may touch, gathered once by the composition root and passed to each pure check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.config import MonitorConfig
from monitor.ports import (
    AddressChangeSink,
    CheckResultStore,
    PageSource,
    RegistryView,
    SiteFetcher,
    SiteLinkSink,
    WorkdayCalendar,
)


class WeekendCalendar:
    """Fallback calendar skipping only weekends; RussianWorkdays also knows holiday transfers."""

    def add_working_days(self, start: date, days: int) -> date:
        current = start
        added = 0
        while added < days:
            current += timedelta(days=1)
            if current.weekday() < 5:
                added += 1
        return current


class RussianWorkdays:
    """WorkdayCalendar over monitor.workdays: the production calendar with holiday transfers."""

    def add_working_days(self, start: date, days: int) -> date:
        from monitor import workdays

        return workdays.add_working_days(start, days)


@dataclass(frozen=True, slots=True)
class CheckDeps:
    """Dependencies of the checks; `now` is always passed separately so tests fix the clock."""

    config: MonitorConfig
    source: PageSource
    registry: RegistryView
    store: CheckResultStore
    fetcher: SiteFetcher
    addresses: AddressChangeSink
    calendar: WorkdayCalendar = field(default_factory=RussianWorkdays)
    site_links: SiteLinkSink | None = None


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in the monitor's time zone: [start, end) as aware datetimes."""

    year: int
    number: int
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def previous(self) -> Week:
        assert isinstance(self.start.tzinfo, ZoneInfo)
        return week_of(self.start - timedelta(days=1), self.start.tzinfo)

    def elapsed(self, now: datetime) -> float:
        """Share of the week gone by at `now`, clamped to 0..1."""
        share = (now - self.start) / (self.end - self.start)
        return min(1.0, max(0.0, share))


def week_of(moment: datetime, zone: ZoneInfo) -> Week:
    """The ISO week containing `moment`, with boundaries at local midnight on Monday."""
    local = moment.astimezone(zone)
    year, number, weekday = local.isocalendar()
    return _week(year, number, local.date() - timedelta(days=weekday - 1), zone)


def parse_week(label: str, zone: ZoneInfo) -> Week:
    """'2026-W48' -> that ISO week; raises ValueError naming the expected form otherwise."""
    try:
        year_s, number_s = label.strip().upper().split("-W")
        monday = date.fromisocalendar(int(year_s), int(number_s), 1)
    except ValueError as exc:
        raise ValueError(f"неделя указывается так: 2026-W48 (указано {label!r})") from exc
    return _week(int(year_s), int(number_s), monday, zone)


def _week(year: int, number: int, monday: date, zone: ZoneInfo) -> Week:
    nxt = monday + timedelta(days=7)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    return Week(
        year=year, number=number, start=start, end=datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    )
