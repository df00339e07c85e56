"""What the moderators' cards need from VK beyond moderation: authors' names and profile links (users.get,
batched and cached), the state of a comment and its author now (wall.getComment, groups.getBanned), and a
page's reply to an author (wall.createComment).

A VK comment carries only its author's id. Names are asked for in batches: every id wanted within a short
moment goes into one users.get call (up to 1,000 ids), and answers are kept for hours, so a report of ten
deletions costs one call and a card of a known author none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import vk_api

from bots.vk.transport import acall
from moderation.daemon.ports import IncomingComment, NotFound, PlatformError
from moderation.daemon.restrictions import NAME_MARK
from moderation.daemon.views import Author, LiveState, Source

log = logging.getLogger(__name__)

USERS_PER_CALL = 1000
BATCH_WINDOW = 0.05  # seconds during which wanted ids gather into one call
NAME_TTL = 12 * 3600.0


def profile_url(author_id: str, screen_name: str | None = None) -> str:
    """vk.com/<screen name>, vk.com/id<N> for a person, vk.com/club<N> for a community (negative id)."""
    if author_id.startswith("-"):
        return f"https://vk.com/club{author_id[1:]}"
    return f"https://vk.com/{screen_name or 'id' + author_id}"


class VkPeople:
    """Authors by id: batched users.get (groups.getById for communities), answers cached for `ttl` seconds."""

    def __init__(
        self, vk: vk_api.VkApi, ttl: float = NAME_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._vk = vk
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[Author, float]] = {}
        self._pending: dict[str, asyncio.Future[Author]] = {}
        self._flushing: asyncio.Task[None] | None = None

    async def author(self, author_id: str) -> Author:
        """The author's name and link; a failed lookup gives the link alone (and is asked again next time)."""
        cached = self._cache.get(author_id)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        waiting = self._pending.get(author_id)
        if waiting is None:
            waiting = asyncio.get_running_loop().create_future()
            self._pending[author_id] = waiting
            if self._flushing is None or self._flushing.done():
                self._flushing = asyncio.create_task(self._flush_soon())
        return await asyncio.shield(waiting)

    async def author_of(self, comment: IncomingComment) -> Author:
        return await self.author(comment.author_id)

    async def authors(self, author_ids: Iterable[str]) -> dict[str, Author]:
        ids = list(dict.fromkeys(author_ids))
        found = await asyncio.gather(*(self.author(author_id) for author_id in ids))
        return dict(zip(ids, found, strict=True))

    async def _flush_soon(self) -> None:
        await asyncio.sleep(BATCH_WINDOW)
        while self._pending:
            batch = dict(list(self._pending.items())[:USERS_PER_CALL])
            for author_id in batch:
                del self._pending[author_id]
            try:
                found = await self._lookup(list(batch))
            except PlatformError as error:
                log.warning("could not read VK authors' names: %s", type(error).__name__)
                found = {}
            expires = self._clock() + self._ttl
            for author_id, future in batch.items():
                author = found.get(author_id)
                if author is not None:
                    self._cache[author_id] = (author, expires)
                if not future.done():
                    future.set_result(author or Author(None, profile_url(author_id)))

    async def _lookup(self, ids: list[str]) -> dict[str, Author]:
        people = [i for i in ids if not i.startswith("-")]
        communities = [i[1:] for i in ids if i.startswith("-")]
        found: dict[str, Author] = {}
        if people:
            params = {"user_ids": ",".join(people), "fields": "screen_name"}
            for item in await acall(self._vk, "users.get", params) or []:
                found[str(item["id"])] = _person(item)
        if communities:
            answer = await acall(self._vk, "groups.getById", {"group_ids": ",".join(communities)})
            for item in _groups(answer):
                found[f"-{item['id']}"] = Author(str(item.get("name") or ""), profile_url(f"-{item['id']}"))
        return found


def _person(item: dict[str, Any]) -> Author:
    author_id = str(item["id"])
    if item.get("deactivated"):
        return Author("профиль удалён" if item["deactivated"] == "deleted" else "профиль заблокирован",
                      profile_url(author_id))  # fmt: skip
    name = " ".join(part for part in (item.get("first_name"), item.get("last_name")) if part)
    return Author(name or None, profile_url(author_id, item.get("screen_name")))


def _groups(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, dict):
        return list(answer.get("groups") or [])
    return list(answer or [])


class VkLiveState:
    """A comment and its author as VK shows them now: deleted or not, banned until when."""

    def __init__(self, vk: vk_api.VkApi) -> None:
        self._vk = vk

    async def read(self, comment: IncomingComment) -> LiveState:
        group_id = int(comment.page_id)
        try:
            answer = await acall(
                self._vk, "wall.getComment", {"owner_id": -group_id, "comment_id": int(comment.comment_id)}
            )
            items = answer.get("items") or []
            deleted = not items or bool(items[0].get("deleted"))
        except NotFound:
            deleted = True
        banned = await acall(
            self._vk, "groups.getBanned", {"group_id": group_id, "owner_id": int(comment.author_id)}
        )
        bans = [item for item in banned.get("items") or [] if _banned_id(item) == int(comment.author_id)]
        until = None
        if bans:
            end = int((bans[0].get("ban_info") or {}).get("end_date") or 0)
            until = datetime.fromtimestamp(end, UTC) if end else None
        return LiveState(deleted, bool(bans), until, Source.PLATFORM)


def _banned_id(item: dict[str, Any]) -> int:
    if item.get("type") == "group":
        return -int((item.get("group") or {}).get("id", 0))
    return int((item.get("profile") or {}).get("id", 0))


class VkNotices:
    """A page's reply under the post whose comment was deleted, naming its author with a VK mention."""

    def __init__(self, vk: vk_api.VkApi, people: VkPeople) -> None:
        self._vk = vk
        self._people = people

    async def post(self, comment: IncomingComment, text: str) -> None:
        author = await self._people.author(comment.author_id)
        kind = "club" if comment.author_id.startswith("-") else "id"
        mention = f"[{kind}{comment.author_id.lstrip('-')}|{author.name or 'автор'}]"
        params = {
            "owner_id": -int(comment.page_id),
            "post_id": int(comment.post_id),
            "from_group": int(comment.page_id),
            "message": text.replace(NAME_MARK, mention),
        }
        await acall(self._vk, "wall.createComment", params)
        log.info("replied to the author of VK comment %s", comment.key)
