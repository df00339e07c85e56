"""SiteLinkSink over the registry: the first day the monitor saw the link on the site meets clause 1.4.5."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session

from monitor.ports import PageRef
from monitor.registry.service import find_page, record_site_link


class RegistrySiteLinks:
    """Records `site_link_found_on` through the registry service; repeated sightings keep the first date."""

    def __init__(self, engine: Engine, zone: dt.tzinfo = dt.UTC) -> None:
        self._engine = engine
        self._zone = zone

    async def site_link_found(self, page: PageRef, link: str, seen_at: dt.datetime) -> None:
        await asyncio.to_thread(self._record, page.key, seen_at.astimezone(self._zone).date())

    def _record(self, page_key: str, seen_on: dt.date) -> None:
        with Session(self._engine) as session:
            record_site_link(session, find_page(session, page_key), seen_on)
            session.commit()
