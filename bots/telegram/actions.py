"""Moderation actions on Telegram, with aiogram's errors mapped into the project's PlatformError tree.

Comments live in a channel's linked discussion group, so every action on a page (the channel) is carried out
in that group; restrictions on authors who write as a channel use banChatSenderChat, the only tool the Bot API
has for them.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

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

from moderation.daemon.acting import PlatformOp
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
from moderation.daemon.records import ActionKind
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

DELETE_BATCH = 100  # message ids deleteMessages takes at once
_BATCH_AGE = timedelta(hours=47)  # Telegram deletes only messages younger than 48 hours
T = TypeVar("T")


def _limited(decided: Mapping[int, PlatformError | None]) -> RateLimited | None:
    """The rate limit met so far in a batch, if any."""
    return next((o for o in decided.values() if isinstance(o, RateLimited)), None)


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
    """PlatformActions (and BatchingActions) for Telegram: delete, restrict and lift in a channel's discussion
    group; a raid's deletions go to `deleteMessages`, up to 100 messages of one chat in one request."""

    platform = Platform.TELEGRAM
    batch_limit = DELETE_BATCH

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
        chat_id = await self._chat_of(comment)
        with telegram_errors("deleteMessage"):
            await self.bot.delete_message(chat_id=chat_id, message_id=int(comment.comment_id))
        logger.info("deleted telegram comment %s", comment.key)

    async def _chat_of(self, comment: IncomingComment) -> int:
        return int(comment.chat_id) if comment.chat_id else await self.discussion_group(comment.page_id)

    async def perform_batch(self, ops: Sequence[PlatformOp], timeout: float) -> list[PlatformError | None]:
        """Recent deletions by chat in deleteMessages; the rest one by one; one outcome per op, in order.

        Only messages well inside Telegram's 48-hour window go to deleteMessages (it skips missing messages
        and refuses the whole call for one it cannot delete: then each is deleted alone to tell which).
        Once Telegram says wait, nothing more is attempted: those ops carry the RateLimited.
        """
        decided: dict[int, PlatformError | None] = {}
        groups: dict[int, list[tuple[int, int]]] = {}  # chat -> (op index, message id)
        for index, op in enumerate(ops):
            comment = op.comment
            if op.kind is ActionKind.DELETE and comment is not None and self._batchable(comment):
                try:
                    chat_id = await self._timed(self._chat_of(comment), timeout)
                except PlatformError as error:
                    decided[index] = error
                else:
                    groups.setdefault(chat_id, []).append((index, int(comment.comment_id)))
        for chat_id, members in groups.items():
            for start in range(0, len(members), DELETE_BATCH):
                chunk = members[start : start + DELETE_BATCH]
                decided.update(await self._delete_many(chat_id, chunk, timeout, _limited(decided)))
        for index, op in enumerate(ops):
            if index not in decided:
                decided[index] = _limited(decided) or await self._alone(op, timeout)
        return [decided[index] for index in range(len(ops))]

    async def _delete_many(
        self, chat_id: int, members: list[tuple[int, int]], timeout: float, limited: RateLimited | None
    ) -> dict[int, PlatformError | None]:
        """Outcomes of one deleteMessages; none when one message cannot go (each is then tried alone)."""
        if limited is not None:
            return {index: limited for index, _ in members}
        try:
            with telegram_errors("deleteMessages"):
                ids = [message_id for _, message_id in members]
                await self._timed(self.bot.delete_messages(chat_id=chat_id, message_ids=ids), timeout)
        except NotDeletable:
            return {}
        except PlatformError as error:
            return {index: error for index, _ in members}
        logger.info("deleted %d telegram comments in chat %s at once", len(members), chat_id)
        return {index: None for index, _ in members}

    async def _alone(self, op: PlatformOp, timeout: float) -> PlatformError | None:
        try:
            await self._timed(self._one(op), timeout)
        except PlatformError as error:
            return error
        return None

    async def _one(self, op: PlatformOp) -> None:
        if op.comment is not None:
            if op.kind is ActionKind.DELETE:
                await self.delete_comment(op.comment)
            else:
                await self.restore_comment(op.comment)
        elif op.restriction is not None:
            r = op.restriction
            if op.kind is ActionKind.RESTRICT:
                await self.restrict(r)
            else:
                await self.lift_restriction(r.page_id, r.author_id, r.author_is_chat)

    def _batchable(self, comment: IncomingComment) -> bool:
        return self._now() - comment.created_at < _BATCH_AGE

    async def _timed(self, call: Awaitable[T], timeout: float) -> T:
        try:
            return await asyncio.wait_for(call, timeout)
        except TimeoutError:
            raise TransientError(f"Telegram: no answer within {timeout:g} s") from None

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
