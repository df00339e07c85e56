"""What a moderator needs on a card besides the verdict: the page's name and a link to the comment."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from moderation.daemon.ports import ReviewCard, ReviewQueue
from moderation.types import Platform

log = logging.getLogger(__name__)


def vk_comment_url(page_id: str, post_id: str, comment_id: str) -> str:
    return f"https://vk.com/wall-{page_id}_{post_id}?reply={comment_id}"


def telegram_comment_url(channel_id: str, post_id: str, comment_id: str, username: str | None) -> str:
    """Public channels by username; private ones through t.me/c/ (works for the channel's members)."""
    if username:
        return f"https://t.me/{username}/{post_id}?comment={comment_id}"
    return f"https://t.me/c/{channel_id.removeprefix('-100')}/{post_id}?comment={comment_id}"


class DescribedCards:
    """A ReviewQueue that fills in the page title and the comment's link before the card is shown."""

    def __init__(self, inner: ReviewQueue, titles: dict[tuple[Platform, str], str], bot: Any = None) -> None:
        self.inner = inner
        self.titles = dict(titles)
        self.bot = bot  # aiogram Bot: asked once per channel for its title and username
        self._usernames: dict[str, str | None] = {}

    async def post_card(self, card: ReviewCard) -> str:
        c = card.comment
        if c.platform is Platform.VK:
            url = vk_comment_url(c.page_id, c.post_id, c.comment_id)
        else:
            username = await self._telegram_username(c.page_id)
            url = telegram_comment_url(c.page_id, c.post_id, c.comment_id, username)
        title = card.page_title or self.titles.get((c.platform, c.page_id))
        return await self.inner.post_card(dataclasses.replace(card, page_title=title, comment_url=url))

    async def _telegram_username(self, channel_id: str) -> str | None:
        if channel_id not in self._usernames and self.bot is not None:
            try:
                chat = await self.bot.get_chat(int(channel_id))
            except Exception:  # any failure: a missing link must not keep a card from the moderators
                log.warning("could not read channel %s for the card link", channel_id)
                return None
            self._usernames[channel_id] = chat.username
            self.titles.setdefault((Platform.TELEGRAM, channel_id), chat.title or channel_id)
        return self._usernames.get(channel_id)
