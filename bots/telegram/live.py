"""What the moderators' cards need from Telegram beyond moderation: whether an author is restricted in a
discussion group and until when (getChatMember), the author as the card names them, and a message telling the
author why their comment went (Telegram shows a restricted user no reason).

The Bot API cannot read a message back, so whether a comment is deleted comes from our records.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from html import escape

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import ChatMemberBanned, ChatMemberRestricted

from bots.telegram.actions import TelegramActions, install_token_redaction, telegram_errors
from moderation.daemon.ports import IncomingComment
from moderation.daemon.restrictions import NAME_MARK
from moderation.daemon.views import Author, LiveState, Source

logger = logging.getLogger(__name__)
install_token_redaction(logger)


def author_of(comment: IncomingComment) -> Author:
    """The name comes with the message; a person's profile opens from a tg://user link in any client."""
    if comment.author_is_chat:
        return Author(comment.author_name, None)
    return Author(comment.author_name, f"tg://user?id={comment.author_id}")


def _until(moment: datetime | None) -> datetime | None:
    """until_date 0 (read by aiogram as the epoch) means for ever."""
    if moment is None or moment.timestamp() <= 0:
        return None
    return moment.astimezone(UTC)


class TelegramAuthors:
    """Authors as the card names them: from the message itself."""

    async def author_of(self, comment: IncomingComment) -> Author:
        return author_of(comment)


class TelegramLiveState:
    """The author's standing in the discussion group now; the comment's deletion is left to our records."""

    def __init__(self, bot: Bot, actions: TelegramActions) -> None:
        self._bot = bot
        self._actions = actions

    async def read(self, comment: IncomingComment) -> LiveState | None:
        if comment.author_is_chat:  # a channel writing as itself: the Bot API cannot read its ban back
            return None
        group = (
            int(comment.chat_id) if comment.chat_id else await self._actions.discussion_group(comment.page_id)
        )
        with telegram_errors("getChatMember"):
            member = await self._bot.get_chat_member(chat_id=group, user_id=int(comment.author_id))
        if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
            return LiveState(None, True, _until(member.until_date), Source.PLATFORM)
        if isinstance(member, ChatMemberBanned):
            return LiveState(None, True, _until(member.until_date), Source.PLATFORM)
        return LiveState(None, False, None, Source.PLATFORM)


class TelegramNotices:
    """A message in the discussion group telling the author, by a mention, why their comment was deleted."""

    def __init__(self, bot: Bot, actions: TelegramActions) -> None:
        self._bot = bot
        self._actions = actions

    async def post(self, comment: IncomingComment, text: str) -> None:
        group = (
            int(comment.chat_id) if comment.chat_id else await self._actions.discussion_group(comment.page_id)
        )
        name = escape(comment.author_name or "Автор", quote=False)
        mention = (
            name if comment.author_is_chat else f'<a href="tg://user?id={int(comment.author_id)}">{name}</a>'
        )
        html = escape(text, quote=False).replace(NAME_MARK, mention)
        with telegram_errors("sendMessage (notice to an author)"):
            await self._bot.send_message(chat_id=group, text=html, parse_mode=ParseMode.HTML)
        logger.info("told the author of telegram comment %s why it was deleted", comment.key)
