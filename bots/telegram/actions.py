"""Moderation actions on Telegram, with aiogram's errors mapped into the project's PlatformError tree.

Comments live in a channel's linked discussion group, so every action on a page (the channel) is carried out
in that group; restrictions on authors who write as a channel use banChatSenderChat, the only tool the Bot API
has for them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import ChatPermissions

from moderation.daemon.ports import (
    Forbidden,
    IncomingComment,
    NotDeletable,
    NotFound,
    PlatformError,
    RateLimited,
    Restriction,
    TransientError,
)
from moderation.types import Platform

_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
_AIOGRAM_LOGGERS = (
    "aiogram",
    "aiogram.dispatcher",
    "aiogram.event",
    "aiogram.middlewares",
    "aiogram.webhook",
)


def redact_tokens(text: str) -> str:
    """Hide bot tokens: aiogram's network errors quote the request URL, which carries the token."""
    return _TOKEN.sub("<token>", text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record's message and traceback without bot tokens before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_tokens(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_tokens(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        return True


TOKEN_FILTER = TokenRedactingFilter()


def install_token_redaction(*loggers: logging.Logger) -> None:
    """Attach the filter to aiogram's loggers and to `loggers` (a filter acts only where a record is made)."""
    for target in (*(logging.getLogger(name) for name in _AIOGRAM_LOGGERS), *loggers):
        if TOKEN_FILTER not in target.filters:
            target.addFilter(TOKEN_FILTER)


logger = logging.getLogger(__name__)
install_token_redaction(logger)

# Telegram reads an until_date under 30 s away as "forever"; a short restriction must never become permanent.
_MIN_RESTRICTION = timedelta(seconds=60)
_MAX_RESTRICTION = timedelta(days=366)

_NO_SENDING = ChatPermissions(
    can_send_messages=False,
    can_send_audios=False,
    can_send_documents=False,
    can_send_photos=False,
    can_send_videos=False,
    can_send_video_notes=False,
    can_send_voice_notes=False,
    can_send_polls=False,
    can_send_other_messages=False,
    can_add_web_page_previews=False,
)
_SENDING_BACK = ChatPermissions(**{name: True for name in _NO_SENDING.model_dump(exclude_none=True)})

_NOT_FOUND_MARKERS = ("not found", "message_id_invalid", "participant_id_invalid", "user_id_invalid")
_FORBIDDEN_MARKERS = (
    "not enough rights",
    "administrator of the chat",
    "can't remove chat owner",
    "not a member",
)


def map_telegram_error(error: TelegramAPIError) -> PlatformError:
    """The project's error for an aiogram error: the one place that reads Telegram's error texts."""
    message = redact_tokens(error.message)
    text = message.lower()
    if isinstance(error, TelegramEntityTooLarge):
        return PlatformError(message)
    if isinstance(error, TelegramRetryAfter):
        return RateLimited(message, retry_after=float(error.retry_after))
    if isinstance(error, TelegramNetworkError | TelegramServerError):
        return TransientError(message)
    if isinstance(error, TelegramForbiddenError | TelegramUnauthorizedError):
        return Forbidden(message)
    if isinstance(error, TelegramNotFound):
        return NotFound(message)
    if isinstance(error, TelegramBadRequest):
        if "can't be deleted" in text:
            return NotDeletable(message)
        if any(marker in text for marker in _NOT_FOUND_MARKERS):
            return NotFound(message)
        if any(marker in text for marker in _FORBIDDEN_MARKERS):
            return Forbidden(message)
    return PlatformError(message)


@contextmanager
def telegram_errors(action: str) -> Iterator[None]:
    """Re-raise any aiogram error inside the block as the matching PlatformError, logging what failed."""
    try:
        yield
    except TelegramAPIError as error:
        mapped = map_telegram_error(error)
        logger.warning("telegram %s failed: %s (%s)", action, type(mapped).__name__, mapped)
        raise mapped from None  # the upstream error's text may quote the URL, token included
    except ClientDecodeError as error:
        logger.warning("telegram %s answered something unreadable", action)
        raise TransientError(f"unreadable answer to {action}") from error


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TelegramActions:
    """PlatformActions for Telegram: delete, restrict and lift in a channel's discussion group."""

    platform = Platform.TELEGRAM

    def __init__(
        self,
        bot: Bot,
        discussion_groups: Mapping[str, int] | None = None,
        *,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.bot = bot
        self._groups: dict[str, int] = dict(discussion_groups or {})
        self._now = now

    async def discussion_group(self, page_id: str) -> int:
        """The discussion group of a channel, asked once from getChat and remembered."""
        if page_id not in self._groups:
            with telegram_errors("getChat"):
                chat = await self.bot.get_chat(int(page_id))
            if chat.linked_chat_id is None:
                raise NotFound(f"channel {page_id} has no linked discussion group")
            self._groups[page_id] = chat.linked_chat_id
        return self._groups[page_id]

    async def delete_comment(self, comment: IncomingComment) -> None:
        chat_id = int(comment.chat_id) if comment.chat_id else await self.discussion_group(comment.page_id)
        with telegram_errors("deleteMessage"):
            await self.bot.delete_message(chat_id=chat_id, message_id=int(comment.comment_id))
        logger.info("deleted telegram comment %s", comment.key)

    async def restore_comment(self, comment: IncomingComment) -> None:
        """Telegram has no undo for a deleted message; say so rather than pretend."""
        raise Forbidden("Telegram cannot restore a deleted message")

    async def restrict(self, restriction: Restriction) -> None:
        """Take away sending rights until `restriction.until`; a channel as author is banned instead."""
        group = await self.discussion_group(restriction.page_id)
        author = int(restriction.author_id)
        if restriction.author_is_chat:
            with telegram_errors("banChatSenderChat"):
                await self.bot.ban_chat_sender_chat(chat_id=group, sender_chat_id=author)
            logger.info("banned sender chat %s in %s (%s)", author, group, restriction.ground.value)
            return
        until = self._until(restriction.until)
        with telegram_errors("restrictChatMember"):
            await self.bot.restrict_chat_member(
                chat_id=group,
                user_id=author,
                permissions=_NO_SENDING,
                use_independent_chat_permissions=True,
                until_date=until,
            )
        logger.info(
            "restricted user in %s until %s (%s)", group, until or "forever", restriction.ground.value
        )

    async def lift_restriction(
        self, platform_page_id: str, author_id: str, author_is_chat: bool = False
    ) -> None:
        """Give the author back the group's ordinary rights (or unban the channel they wrote as)."""
        group = await self.discussion_group(platform_page_id)
        if author_is_chat:
            with telegram_errors("unbanChatSenderChat"):
                await self.bot.unban_chat_sender_chat(chat_id=group, sender_chat_id=int(author_id))
            return
        with telegram_errors("getChat"):
            chat = await self.bot.get_chat(group)
        with telegram_errors("restrictChatMember"):
            await self.bot.restrict_chat_member(
                chat_id=group,
                user_id=int(author_id),
                permissions=chat.permissions or _SENDING_BACK,
                use_independent_chat_permissions=True,
            )
        logger.info("lifted restriction in %s", group)

    def _until(self, until: datetime | None) -> datetime | None:
        """Clamp into the range Telegram reads literally; None stays None (permanent)."""
        if until is None:
            return None
        now = self._now()
        if until - now > _MAX_RESTRICTION:
            return None
        return max(until, now + _MIN_RESTRICTION)
