"""A registry row that passed its own checks, with typed values: what the importer and its extras share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.registry import PageStatus
from monitor.registry.service import OrgData


@dataclass
class ParsedRow:
    """A row that passed its own checks, with typed values."""

    line: int
    org: OrgData
    network: str
    address: str
    created_on: dt.date
    status: str = PageStatus.ACTIVE.value
    platform_id: str | None = None
    screen_name: str | None = None
    closed_on: dt.date | None = None
    reported_on: dt.date | None = None
    entered_on: dt.date | None = None
    twofa_attested_on: dt.date | None = None
    site_link_found_on: dt.date | None = None
    history: list[tuple[str, dt.date]] = field(default_factory=list)
    staff: list[tuple[str, str, dt.date]] = field(default_factory=list)
