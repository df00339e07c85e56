"""One PageSource over several platforms: each page is read by its platform's adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from models.values import Post
from moderation.types import Platform
from monitor.ports import Manager, PageInfo, PageRef, PageSource


class SourceNotConfigured(Exception):
    """No adapter for the page's platform (e.g. no token given): the checks report 'could not check'."""


_NOT_CONFIGURED: dict[Platform, str] = {
    Platform.VK: "нет доступа к ВКонтакте: не задан токен DOZOR_VK_USER_TOKEN (пользователя-руководителя)",
    Platform.TELEGRAM: "нет доступа к Telegram: не задан токен бота DOZOR_TELEGRAM_TOKEN",
}


class PlatformRouter:
    """PageSource dispatching on `page.platform`; a platform without adapter raises SourceNotConfigured."""

    def __init__(self, sources: Mapping[Platform, PageSource]) -> None:
        self._sources = dict(sources)

    def _for(self, page: PageRef) -> PageSource:
        source = self._sources.get(page.platform)
        if source is None:
            raise SourceNotConfigured(
                _NOT_CONFIGURED.get(page.platform, f"нет доступа к {page.platform.value}")
            )
        return source

    async def page_info(self, page: PageRef) -> PageInfo:
        return await self._for(page).page_info(page)

    async def posts(self, page: PageRef, since: datetime, until: datetime) -> Sequence[Post]:
        return await self._for(page).posts(page, since, until)

    async def managers(self, page: PageRef) -> Sequence[Manager]:
        return await self._for(page).managers(page)
