"""Reading what a VK page got while nobody listened: every comment on the posts it may have come to.

Which posts: those published up to `horizon` before the moment the worker was last current, and never fewer
than the newest `min_posts` (a pinned or an old post can still draw comments). Which comments: all of them,
whole threads included; the worker hands each to the pipeline, which knows by the comment's own key what it
has already decided, so nothing here depends on a high-water mark. A comment deleted while it still has
replies is listed by VK as a stub (`deleted`, no text): it is skipped, its replies are read.

Blocking (vk_api is synchronous): call through asyncio.to_thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import vk_api

from bots.vk.transport import call

PAGE_SIZE = 100
THREAD_ITEMS = 10
MAX_POST_PAGES = 50  # 5,000 posts: a guard against a runaway loop, far beyond any horizon in use


@dataclass(frozen=True, slots=True)
class Found:
    """What catch-up read: post texts by id, and the live comments found (VK's comment objects)."""

    posts: dict[int, str]
    comments: list[dict[str, Any]]


def read_page(
    reader: vk_api.VkApi, group_id: int, since: datetime, horizon: timedelta, min_posts: int
) -> Found:
    """Every live comment on the posts published since `since - horizon` (and the newest `min_posts`)."""
    posts = _recent_posts(reader, group_id, since - horizon, min_posts)
    texts = {int(p["id"]): str(p.get("text", "")) for p in posts}
    comments: list[dict[str, Any]] = []
    for post in posts:
        if post.get("comments", {}).get("count", 1):
            comments.extend(post_comments(reader, group_id, int(post["id"])))
    return Found(texts, sorted(comments, key=lambda c: int(c["id"])))


def _recent_posts(
    reader: vk_api.VkApi, group_id: int, cutoff: datetime, min_posts: int
) -> list[dict[str, Any]]:
    """Newest first, until a post older than `cutoff` once `min_posts` are read; pinned posts never end it."""
    wanted: list[dict[str, Any]] = []
    for page in range(MAX_POST_PAGES):
        response = call(
            reader, "wall.get", {"owner_id": -group_id, "count": PAGE_SIZE, "offset": page * PAGE_SIZE}
        )
        items: list[dict[str, Any]] = response["items"]
        ended = False
        for item in items:
            fresh = datetime.fromtimestamp(int(item.get("date", 0)), UTC) >= cutoff
            if fresh or len(wanted) < min_posts or item.get("is_pinned"):
                wanted.append(item)
            else:
                ended = True
        if ended or len(items) < PAGE_SIZE:
            return wanted
    return wanted


def post_comments(reader: vk_api.VkApi, group_id: int, post_id: int) -> list[dict[str, Any]]:
    """Every live comment on a post: top level and whole threads, also under a deleted top comment."""
    found: list[dict[str, Any]] = []
    base = {"owner_id": -group_id, "post_id": post_id}
    for top in _pages(reader, {**base, "thread_items_count": THREAD_ITEMS}):
        if not top.get("deleted"):
            found.append(top)
        thread = top.get("thread") or {}
        items = thread.get("items") or []
        if thread.get("count", 0) > len(items):
            items = _pages(reader, {**base, "comment_id": top["id"]})
        found.extend(item for item in items if not item.get("deleted"))
    return found


def _pages(reader: vk_api.VkApi, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = call(
            reader, "wall.getComments", {**params, "count": PAGE_SIZE, "offset": len(items), "sort": "asc"}
        )
        items.extend(page["items"])
        if not page["items"] or len(items) >= page.get("current_level_count", page["count"]):
            return items
