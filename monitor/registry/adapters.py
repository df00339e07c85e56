"""The registry behind the monitor's ports (`RegistryView`, `AddressChangeSink`, `DeadlineSource`).

The monitor declares what it needs in `monitor/ports.py`; this adapter answers from the database. The
database API is synchronous, so each call runs in a worker thread to keep the daemon's event loop free.
Page keys are the registry's page numbers as text; page addresses are screen names / usernames, as the
platforms report them, while the registry keeps the full URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlmodel import Session

from models.registry import DetectedBy, Network, PageStatus, RegistryOrganisation, RegistryPage
from moderation.types import Platform
from monitor.ports import DeadlineIssue, Organisation, PageRef
from monitor.registry.service import change_address, find_page, list_overdue, list_pages, record_site_link

_HOSTS: dict[str, tuple[str, ...]] = {
    Network.VK: ("https://vk.com/", "http://vk.com/", "https://m.vk.com/", "vk.com/"),
    Network.TELEGRAM: ("https://t.me/", "http://t.me/", "t.me/", "@"),
}
_URL_PREFIX: dict[str, str] = {Network.VK: "https://vk.com/", Network.TELEGRAM: "https://t.me/"}


def screen_name_of(page: RegistryPage) -> str:
    """The page's short name: the stored one, or the last part of its URL."""
    if page.screen_name:
        return page.screen_name
    for prefix in _HOSTS.get(page.network, ()):
        if page.address.startswith(prefix):
            return page.address.removeprefix(prefix).strip("/")
    return page.address


def to_page_ref(
    page: RegistryPage, org: RegistryOrganisation, pages_on_network: int | None = None
) -> PageRef:
    """Translate a registry row into the monitor's vocabulary (2FA and the clause 1.5 count included)."""
    organisation = Organisation(
        key=str(org.id),
        official_name=org.name,
        postal_address=org.postal_address or None,
        email=org.email,
        phone=org.phone or None,
        website=org.website,
        short_name=org.short_name or None,
    )
    return PageRef(
        key=str(page.id),
        platform=Platform(page.network),
        address=screen_name_of(page),
        platform_id=page.platform_id or "",
        organisation=organisation,
        created_on=page.created_on,
        twofa_known=True,
        twofa_attested_on=page.twofa_attested_on,
        pages_on_network=pages_on_network,
    )


class SqlRegistry:
    """Implements RegistryView, AddressChangeSink and DeadlineSource over one engine (+ `site_link_seen`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _active_pages(self) -> list[PageRef]:
        with Session(self._engine) as session:
            rows = list_pages(session, status=PageStatus.ACTIVE)
        counts = Counter((p.organisation_id, p.network) for p, _ in rows)
        return [to_page_ref(p, o, counts[(p.organisation_id, p.network)]) for p, o in rows]

    async def active_pages(self) -> Sequence[PageRef]:
        """Active pages with their organisations."""
        return await asyncio.to_thread(self._active_pages)

    def _address_changed(self, page: PageRef, new: str, seen_on: dt.date) -> None:
        with Session(self._engine) as session:
            row = find_page(session, page.key)
            if screen_name_of(row) == new:
                return
            url = _URL_PREFIX[row.network] + new
            change_address(session, row, url, seen_on, detected_by=DetectedBy.MONITOR, screen_name=new)
            session.commit()

    async def address_changed(self, page: PageRef, old: str, new: str, seen_at: dt.datetime) -> None:
        """Record the new address with the old one kept in the history; repeated calls are harmless."""
        await asyncio.to_thread(self._address_changed, page, new, seen_at.date())

    def _site_link_seen(self, page: PageRef, seen_on: dt.date) -> None:
        with Session(self._engine) as session:
            record_site_link(session, find_page(session, page.key), seen_on)
            session.commit()

    async def site_link_seen(self, page: PageRef, seen_at: dt.datetime) -> None:
        """For the site check (1.4.5): the link was found; keeps the earliest day it was seen."""
        await asyncio.to_thread(self._site_link_seen, page, seen_at.date())

    def _deadline_issues(self, today: dt.date) -> list[DeadlineIssue]:
        with Session(self._engine) as session:
            overdue = list_overdue(session, today)
        return [
            DeadlineIssue(
                page_key=str(d.page_id),
                organisation=d.organisation,
                clause=d.clause,
                what=d.describe(today),
                due=d.due,
            )
            for d in overdue
        ]

    async def deadline_issues(self, at: dt.datetime) -> Sequence[DeadlineIssue]:
        """Deadlines still open and past due on the day of `at`."""
        return await asyncio.to_thread(self._deadline_issues, at.date())
