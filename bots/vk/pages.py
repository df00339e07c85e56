"""Read-only facts about a VK community that the compliance monitor checks against the regulation.

Clause 2.4 needs the description, contacts, address, avatar and cover; clause 2.1 the number of posts a week;
clause 2.3 the mix of post types; clause 1.6 the number of managers. The monitor gets plain frozen dataclasses
and never sees vk_api. wall.get needs a user or service token; groups.getMembers filter=managers a
manager's user token or the community's own token.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import vk_api

from bots.vk.transport import call

GROUP_FIELDS = "description,contacts,addresses,site,screen_name,has_photo,cover,status,verified,activity"
PAGE_SIZE = 100
MAX_POST_PAGES = 50  # 5000 posts back: far beyond any reporting period, a guard against a runaway loop


class PostKind(StrEnum):
    """Post types of clause 2.3, by the strongest attachment: a poll beats a video beats a photo."""

    POLL = "poll"
    VIDEO = "video"
    PHOTO = "photo"
    TEXT = "text"


_KIND_BY_ATTACHMENT = {
    "poll": PostKind.POLL,
    "video": PostKind.VIDEO,
    "clip": PostKind.VIDEO,
    "photo": PostKind.PHOTO,
    "posted_photo": PostKind.PHOTO,
    "photos_list": PostKind.PHOTO,
    "album": PostKind.PHOTO,
}
_PRIORITY = (PostKind.POLL, PostKind.VIDEO, PostKind.PHOTO)


@dataclass(frozen=True, slots=True)
class VkPageInfo:
    group_id: int
    name: str
    screen_name: str
    description: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    addresses: tuple[str, ...]
    site: str
    has_photo: bool
    cover_enabled: bool

    @property
    def url(self) -> str:
        return f"https://vk.com/{self.screen_name}"


@dataclass(frozen=True, slots=True)
class VkPost:
    id: int
    date: datetime
    kind: PostKind
    text: str
    is_pinned: bool = False


@dataclass(frozen=True, slots=True)
class VkManager:
    user_id: int
    role: str


def post_kind(attachments: list[dict[str, Any]]) -> PostKind:
    kinds = {_KIND_BY_ATTACHMENT.get(str(a.get("type")), PostKind.TEXT) for a in attachments}
    return next((k for k in _PRIORITY if k in kinds), PostKind.TEXT)


def _page_info(group: dict[str, Any]) -> VkPageInfo:
    contacts = group.get("contacts") or []
    main = (group.get("addresses") or {}).get("main_address") or {}
    return VkPageInfo(
        group_id=int(group["id"]),
        name=str(group.get("name", "")),
        screen_name=str(group.get("screen_name") or f"club{group['id']}"),
        description=str(group.get("description", "")),
        phones=tuple(str(c["phone"]) for c in contacts if c.get("phone")),
        emails=tuple(str(c["email"]) for c in contacts if c.get("email")),
        addresses=(str(main["address"]),) if main.get("address") else (),
        site=str(group.get("site", "")),
        has_photo=bool(group.get("has_photo", 0)),
        cover_enabled=bool((group.get("cover") or {}).get("enabled", 0)),
    )


def fetch_page_info(vk: vk_api.VkApi, group: int | str) -> VkPageInfo:
    """Name, description, contacts, main address, site, avatar and cover (groups.getById, 5.199 shape)."""
    response = call(vk, "groups.getById", {"group_ids": str(group), "fields": GROUP_FIELDS})
    groups = response["groups"] if isinstance(response, dict) else response
    return _page_info(groups[0])


def fetch_posts(vk: vk_api.VkApi, group_id: int, since: datetime, until: datetime) -> list[VkPost]:
    """Posts published in [since, until), newest first; a pinned post is out of order: never ends paging."""
    posts: list[VkPost] = []
    for page in range(MAX_POST_PAGES):
        response = call(
            vk, "wall.get", {"owner_id": -group_id, "count": PAGE_SIZE, "offset": page * PAGE_SIZE}
        )
        items = response["items"]
        older = False
        for item in items:
            post = VkPost(
                int(item["id"]),
                datetime.fromtimestamp(int(item["date"]), UTC),
                post_kind(item.get("attachments") or []),
                str(item.get("text", "")),
                bool(item.get("is_pinned", 0)),
            )
            if since <= post.date < until:
                posts.append(post)
            older = older or (post.date < since and not post.is_pinned)
        if older or len(items) < PAGE_SIZE:
            break
    return sorted(posts, key=lambda p: p.date, reverse=True)


def fetch_managers(vk: vk_api.VkApi, group_id: int) -> list[VkManager]:
    """People who can manage the page: clause 1.6 allows at most three."""
    response = call(vk, "groups.getMembers", {"group_id": group_id, "filter": "managers", "count": 1000})
    return [VkManager(int(m["id"]), str(m.get("role", ""))) for m in response["items"]]


async def get_page_info(vk: vk_api.VkApi, group: int | str) -> VkPageInfo:
    return await asyncio.to_thread(fetch_page_info, vk, group)


async def get_posts(vk: vk_api.VkApi, group_id: int, since: datetime, until: datetime) -> list[VkPost]:
    return await asyncio.to_thread(fetch_posts, vk, group_id, since, until)


async def get_managers(vk: vk_api.VkApi, group_id: int) -> list[VkManager]:
    return await asyncio.to_thread(fetch_managers, vk, group_id)
