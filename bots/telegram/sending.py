"""Posting a message exactly once, though the Bot API has no idempotency key and cannot list a chat's history.

Before a send, the outbox records the highest message id the bot knows in the chat and the exact text and
buttons. If the process dies (or a timeout strikes) after Telegram took the message but before its id was
recorded, the outcome is unknown; the next attempt then looks for the message: it edits each later id with the
identical text and buttons. Telegram answers "message is not modified" for exactly that message of ours,
"message to edit not found" past the chat's last message, and "message can't be edited" for other people's.
Ids the bot is known to have posted are never probed: every message the bot sends to a watched chat by other
means (the digest, a command's answer) is noted by a request middleware, so a probe cannot touch one.
A send Telegram refused outright (429, 400, 403) posted nothing, and is simply made again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions, Message

from bots.telegram.actions import install_token_redaction, telegram_errors
from moderation.daemon.outbox import SendJournal, SendRecord, SendState
from moderation.daemon.ports import PlatformError, RateLimited, TransientError

logger = logging.getLogger(__name__)
install_token_redaction(logger)

PROBE_GAP = 25  # consecutive ids without a message: past the chat's last message (or a run of deleted ones)
PROBE_LIMIT = 200  # ids looked at before giving up and sending again
REQUEST_TIMEOUT = 10
_IN_OUTBOX: ContextVar[bool] = ContextVar("dozor_outbox_send", default=False)


class Probe(Enum):
    FOUND = "found"  # our message with exactly this text and these buttons
    ABSENT = "absent"  # no message with this id (not yet, or deleted)
    OTHER = "other"  # someone's message we cannot edit


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OnceSender:
    """Sends messages to chats with an outbox entry per key; without a journal, plain sends."""

    def __init__(
        self,
        bot: Bot,
        journal: SendJournal | None,
        watch: Collection[int] = (),
        *,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.bot = bot
        self._journal = journal
        self._now = now
        if journal is not None and watch:
            bot.session.middleware(NoteOtherSends(journal, frozenset(watch), now))

    async def send(self, key: str, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """The message id of the post for `key` in `chat_id` (HTML text), posted now unless it already was."""
        journal = self._journal
        if journal is None:
            return await self._send(chat_id, text, markup)
        record = await journal.send_record(key)
        if record is not None and record.state is SendState.SENT and record.message_id is not None:
            return record.message_id
        if record is not None and record.state is SendState.SENDING and record.body is not None:
            found = await self._find(record)
            if found is not None:
                await journal.send_resolved(key, found, self._now())
                logger.info("found the lost send %s as message %s; not sent again", key, found)
                return found
        after = await journal.last_sent_id(chat_id)
        body = {"text": text, "markup": markup.model_dump(mode="json", exclude_none=True) if markup else None}
        await journal.send_begin(key, chat_id, after, body, self._now())
        try:
            message_id = await self._send(chat_id, text, markup)
        except TransientError:
            raise  # the outcome is unknown: the next attempt looks for the message first
        except PlatformError:
            await journal.send_refused(key, self._now())  # Telegram refused: nothing was posted
            raise
        await journal.send_resolved(key, message_id, self._now())
        return message_id

    async def _send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        token = _IN_OUTBOX.set(True)
        try:
            with telegram_errors("sendMessage"):
                message = await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    request_timeout=REQUEST_TIMEOUT,
                )
        finally:
            _IN_OUTBOX.reset(token)
        return message.message_id

    async def _find(self, record: SendRecord) -> int | None:
        """The id of the message a lost send produced, or None when it was never posted (or was deleted)."""
        assert self._journal is not None and record.body is not None
        start = (record.after_id or 0) + 1
        known = await self._journal.known_sent_ids(record.chat_id, start - 1)
        text = str(record.body["text"])
        markup = (
            InlineKeyboardMarkup.model_validate(record.body["markup"]) if record.body.get("markup") else None
        )
        misses = 0
        for message_id in range(start, start + PROBE_LIMIT):
            if message_id in known:
                misses = 0
                continue
            try:
                found = await self._probe(record.chat_id, message_id, text, markup)
            except RateLimited:  # what was looked at is not looked at again: the message is not there
                await self._journal.send_progress(record.key, message_id - 1, self._now())
                raise
            if found is Probe.FOUND:
                return message_id
            misses = misses + 1 if found is Probe.ABSENT else 0
            if misses >= PROBE_GAP:
                return None
        logger.warning("gave up looking for the lost send %s after %d messages", record.key, PROBE_LIMIT)
        return None

    async def _probe(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> Probe:
        """Edit `message_id` with the identical text and buttons, and read Telegram's answer."""
        with telegram_errors("editMessageText (finding a lost send)"):
            try:
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    request_timeout=REQUEST_TIMEOUT,
                )
            except TelegramBadRequest as error:
                return _probe_answer(error.message)
        # Edited: a message of ours the outbox did not know, which differed (our post, changed since by a
        # moderator's press before the restart, or a message sent by other means at the moment of the crash).
        # It now reads as this post, so it is taken as this post rather than posting a second one.
        logger.warning("a probe changed message %s in chat %s; taken as the lost send", message_id, chat_id)
        return Probe.FOUND


def _probe_answer(description: str) -> Probe:
    text = description.lower()
    if "message is not modified" in text:
        return Probe.FOUND
    if "message to edit not found" in text:
        return Probe.ABSENT
    return Probe.OTHER


class NoteOtherSends(BaseRequestMiddleware):
    """Notes in the outbox every message the bot posts to a watched chat outside it (never to be probed)."""

    def __init__(self, journal: SendJournal, chats: frozenset[int], now: Callable[[], datetime]) -> None:
        self._journal = journal
        self._chats = chats
        self._now = now

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        result: Any = response  # aiogram's chain passes the method's result despite the annotation
        new = isinstance(result, Message) and result.edit_date is None and result.chat.id in self._chats
        if new and not _IN_OUTBOX.get():
            try:
                await self._journal.note_sent(result.chat.id, result.message_id, self._now())
            except Exception:  # noting is a safeguard; the send itself succeeded
                logger.warning("could not note message %s in the outbox", result.message_id)
        return response
