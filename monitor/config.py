"""The [monitor] section of config.toml: what the compliance checks expect and when they run."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class MonitorConfig(BaseModel):
    """Validated once at start-up; frozen so a job can never change another job's settings.

    The defaults follow the regulation: clause 2.1 asks for at least 5 posts a week, clause 1.6 allows at most
    3 people with access to a page. Times are local to `timezone` (Rubtsovsk lives on Barnaul time).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Asia/Barnaul"
    posts_per_week: int = Field(default=5, ge=1, le=100)
    max_managers: int = Field(default=3, ge=1, le=50)
    check_hours: tuple[int, ...] = Field(default=(8, 14, 20), min_length=1)
    check_minute: int = Field(default=0, ge=0, le=59)
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    digest_time: time = time(9, 0)
    press_chat_id: str | None = None
    check_misfire_grace_s: int = Field(default=6 * 3600, ge=1)
    digest_misfire_grace_s: int = Field(default=2 * 24 * 3600, ge=1)
    site_timeout_s: float = Field(default=15.0, gt=0, le=120)
    site_max_redirects: int = Field(default=5, ge=0, le=20)
    site_max_bytes: int = Field(default=3_000_000, ge=10_000)
    site_link_working_days: int = Field(default=5, ge=1, description="clause 1.4.5")
    concurrency: int = Field(default=4, ge=1, le=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Barnaul") from exc
        return value

    @field_validator("check_hours")
    @classmethod
    def _hours(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= h <= 23 for h in value):
            raise ValueError("check_hours must be hours 0..23")
        return tuple(sorted(set(value)))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
