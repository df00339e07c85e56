"""PageSource over VK (bots/vk/pages.py): translates VK's page facts into the monitor's vocabulary.

Only the composition root imports this module; the checks see the PageSource protocol alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import vk_api

from bots.vk import pages as vk_pages
from models.values import Post, PostKind
from monitor.ports import Manager, PageInfo, PageRef

_KINDS: dict[str, PostKind] = {
    vk_pages.PostKind.PHOTO.value: PostKind.PHOTO,
    vk_pages.PostKind.VIDEO.value: PostKind.VIDEO,
    vk_pages.PostKind.POLL.value: PostKind.POLL,
}


class VkPageSource:
    """Reads VK communities with one vk_api client (a service or manager token)."""

    def __init__(self, vk: vk_api.VkApi) -> None:
        self._vk = vk

    async def _group_id(self, page: PageRef) -> int:
        if page.platform_id.lstrip("-").isdigit():
            return int(page.platform_id.lstrip("-"))
        return (await vk_pages.get_page_info(self._vk, page.address)).group_id

    async def page_info(self, page: PageRef) -> PageInfo:
        group = page.platform_id.lstrip("-") or page.address
        info = await vk_pages.get_page_info(self._vk, group)
        return PageInfo(
            name=info.name,
            description=info.description,
            screen_name=info.screen_name,
            has_avatar=info.has_photo,
            has_cover=info.cover_enabled,
            site=info.site or None,
            extra_texts=(*info.phones, *info.emails, *info.addresses),
        )

    async def posts(self, page: PageRef, since: datetime, until: datetime) -> Sequence[Post]:
        found = await vk_pages.get_posts(self._vk, await self._group_id(page), since, until)
        return [
            Post(
                id=str(p.id),
                published_at=p.date,
                text=p.text,
                kinds=frozenset({_KINDS[p.kind.value]}) if p.kind.value in _KINDS else frozenset(),
            )
            for p in found
        ]

    async def managers(self, page: PageRef) -> Sequence[Manager]:
        found = await vk_pages.get_managers(self._vk, await self._group_id(page))
        return [Manager(user_id=str(m.user_id), role=m.role) for m in found]
