"""PageSource over Telegram: getChat and getChatAdministrators through aiogram, posts from storage.

The Bot API cannot list a channel's history, so the posts are the ones the worker saw (`channel_post`) and
stored; `StoredPosts` reads them. Only the composition root imports this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from aiogram import Bot

from bots.telegram.actions import telegram_errors
from models.values import Post
from moderation.types import Platform
from monitor.ports import Manager, PageInfo, PageRef


class StoredPosts(Protocol):
    """Posts a page published in [since, until), as recorded by the platform worker."""

    async def posts(
        self, platform: Platform, page_id: str, since: datetime, until: datetime
    ) -> Sequence[Post]: ...


def _chat_ref(page: PageRef) -> int | str:
    if page.platform_id.lstrip("-").isdigit():
        return int(page.platform_id)
    return f"@{page.address.lstrip('@')}"


class TelegramPageSource:
    """Reads an official channel with the bot, which must be one of its administrators."""

    def __init__(self, bot: Bot, stored: StoredPosts) -> None:
        self._bot = bot
        self._stored = stored

    async def page_info(self, page: PageRef) -> PageInfo:
        with telegram_errors("getChat"):
            chat = await self._bot.get_chat(_chat_ref(page))
        return PageInfo(
            name=chat.title or "",
            description=chat.description or "",
            screen_name=chat.username or "",
            has_avatar=chat.photo is not None,
            has_cover=None,  # Telegram channels have no cover image
        )

    async def posts(self, page: PageRef, since: datetime, until: datetime) -> Sequence[Post]:
        return await self._stored.posts(Platform.TELEGRAM, page.platform_id, since, until)

    async def managers(self, page: PageRef) -> Sequence[Manager]:
        with telegram_errors("getChatAdministrators"):
            admins = await self._bot.get_chat_administrators(_chat_ref(page))
        return [
            Manager(user_id=str(a.user.id), role=a.status, is_bot=a.user.is_bot, name=a.user.full_name)
            for a in admins
        ]
