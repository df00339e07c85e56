"""The Telegram side of the intake: channel posts are recorded, comments become IncomingComments.

A channel's comments live in its linked discussion group; each thread hangs off the automatic forward of the
channel post. The worker learns which group belongs to which channel from getChat at start, and which thread
belongs to which post from the automatic forwards it sees, and translates at the edge so that the moderation
core never sees an aiogram type.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner, Message, MessageOriginChannel

from bots.telegram.actions import install_token_redaction, telegram_errors
from moderation.daemon.ports import IncomingComment
from moderation.types import Platform

logger = logging.getLogger(__name__)
install_token_redaction(logger)

CommentHandler = Callable[[IncomingComment], Awaitable[None]]

_HASHTAG = re.compile(r"#\w+")


class PostKind(StrEnum):
    """Kinds of publication the weekly digest counts (clause 2.3: photos, video, polls...)."""

    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    POLL = "poll"
    DOCUMENT = "document"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """A channel publication as seen by the bot; the Bot API cannot list history, so every sighting counts."""

    channel_id: str
    message_id: str
    text: str
    kind: PostKind
    date: datetime
    edited: bool = False
    hashtags: tuple[str, ...] = ()


class PostSink(Protocol):
    """Where channel posts go (storage, implemented by models/), declared here by its consumer."""

    async def save_channel_post(self, post: ChannelPost) -> None: ...


@dataclass(frozen=True, slots=True)
class _Thread:
    """A discussion thread: the channel post it belongs to, and that post's text for off-topic checks."""

    post_id: int
    post_text: str | None


def post_kind(message: Message) -> PostKind:
    """Classify a channel post for the digest's mix of publication types."""
    if message.photo:
        return PostKind.PHOTO
    if message.video or message.animation or message.video_note:
        return PostKind.VIDEO
    if message.poll:
        return PostKind.POLL
    if message.document:
        return PostKind.DOCUMENT
    if message.text:
        return PostKind.TEXT
    return PostKind.OTHER


def message_text(message: Message) -> str:
    if message.poll is not None:
        return message.poll.question
    return message.text or message.caption or ""


def channel_post_of(message: Message, edited: bool) -> ChannelPost:
    text = message_text(message)
    moment = message.edit_date if edited and isinstance(message.edit_date, datetime) else message.date
    return ChannelPost(
        channel_id=str(message.chat.id),
        message_id=str(message.message_id),
        text=text,
        kind=post_kind(message),
        date=moment,
        edited=edited,
        hashtags=tuple(_HASHTAG.findall(text)),
    )


class TelegramWorker:
    """Polls the Bot API for the configured channels and hands posts and comments to the product.

    `routers` (e.g. the moderators' queue) are served by the same polling loop, since one bot token can have
    only one getUpdates consumer.
    """

    def __init__(
        self,
        bot: Bot,
        channel_ids: Iterable[int | str],
        on_comment: CommentHandler,
        post_sink: PostSink | None = None,
        *,
        routers: Sequence[Router] = (),
        polling_timeout: int = 10,
        max_concurrent_updates: int = 32,
    ) -> None:
        self.bot = bot
        self.channel_ids = [int(channel_id) for channel_id in channel_ids]
        self.on_comment = on_comment
        self.post_sink = post_sink
        self.routers = list(routers)
        self.polling_timeout = polling_timeout
        self.max_concurrent_updates = max_concurrent_updates
        self.groups: dict[int, int] = {}  # discussion group id -> channel id
        self._threads: dict[tuple[int, int], _Thread] = {}
        self._dispatcher: Dispatcher | None = None
        self._task: asyncio.Task[None] | None = None

    async def resolve_links(self) -> dict[int, int]:
        """Ask getChat which discussion group each channel uses; a channel without one has no comments."""
        groups: dict[int, int] = {}
        for channel_id in self.channel_ids:
            with telegram_errors(f"getChat for channel {channel_id}"):
                chat = await self.bot.get_chat(channel_id)
            if chat.linked_chat_id is None:
                logger.warning(
                    "channel %s has no linked discussion group; its comments are not watched", channel_id
                )
                continue
            groups[chat.linked_chat_id] = channel_id
            await self._warn_missing_rights(chat.linked_chat_id)
        self.groups = groups
        return groups

    async def _warn_missing_rights(self, group_id: int) -> None:
        """Say at start-up, not at the first offending comment, that the bot cannot delete or restrict."""
        with telegram_errors(f"getChatAdministrators for {group_id}"):
            admins = await self.bot.get_chat_administrators(group_id)
        me = next((member for member in admins if member.user.id == self.bot.id), None)
        if isinstance(me, ChatMemberOwner):
            return
        if not isinstance(me, ChatMemberAdministrator):
            logger.warning("the bot is not an administrator of discussion group %s", group_id)
        elif not (me.can_delete_messages and me.can_restrict_members):
            logger.warning("the bot in group %s lacks can_delete_messages or can_restrict_members", group_id)

    def build_router(self) -> Router:
        router = Router(name="dozor-telegram-intake")
        router.channel_post.register(self._on_channel_post)
        router.edited_channel_post.register(self._on_edited_channel_post)
        router.message.register(self._on_group_message, self._in_discussion_group)
        router.edited_message.register(self._on_edited_group_message, self._in_discussion_group)
        return router

    def _in_discussion_group(self, message: Message) -> bool:
        """Other chats' messages (the moderators' commands) are left to the other routers."""
        return message.chat.id in self.groups

    async def start(self) -> None:
        """Check the token and resolve the channel links (failing loudly at start-up), then poll."""
        with telegram_errors("getMe"):
            await self.bot.me()
        await self.resolve_links()
        dispatcher = Dispatcher()
        dispatcher.include_router(self.build_router())
        for router in self.routers:
            dispatcher.include_router(router)
        started = asyncio.Event()

        async def mark_started() -> None:
            started.set()

        dispatcher.startup.register(mark_started)
        self._dispatcher = dispatcher
        self._task = asyncio.create_task(
            dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=self.polling_timeout,
                tasks_concurrency_limit=self.max_concurrent_updates,
            ),
            name="dozor-telegram-polling",
        )
        # Until aiogram has taken its running lock, stop_polling() would refuse; wait for that moment.
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait([self._task, waiter], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._task.done():
            failed, self._task, self._dispatcher = self._task, None, None
            with telegram_errors("start polling"):
                failed.result()

    async def stop(self) -> None:
        """Stop polling; handlers already running are left to finish by aiogram's own shutdown."""
        if self._dispatcher is None or self._task is None:
            return
        dispatcher, task = self._dispatcher, self._task
        self._dispatcher, self._task = None, None
        if not task.done():
            await dispatcher.stop_polling()
        try:
            await task
        except Exception:
            logger.exception("telegram polling ended with an error")

    async def run(self) -> None:
        """Start and keep polling until cancelled (the daemon's entry point for Telegram)."""
        await self.start()
        task = self._task
        if task is None:
            return
        try:
            await asyncio.shield(task)
        finally:
            await self.stop()

    async def _on_channel_post(self, message: Message) -> None:
        await self._save_post(message, edited=False)

    async def _on_edited_channel_post(self, message: Message) -> None:
        await self._save_post(message, edited=True)

    async def _save_post(self, message: Message, edited: bool) -> None:
        if message.chat.id not in self.channel_ids or self.post_sink is None:
            return
        try:
            await self.post_sink.save_channel_post(channel_post_of(message, edited))
        except Exception:
            logger.exception("could not store post %s of channel %s", message.message_id, message.chat.id)

    async def _on_group_message(self, message: Message) -> None:
        await self._take_comment(message, edited=False)

    async def _on_edited_group_message(self, message: Message) -> None:
        await self._take_comment(message, edited=True)

    async def _take_comment(self, message: Message, edited: bool) -> None:
        if message.chat.id not in self.groups:
            return
        if message.is_automatic_forward:
            self._remember_thread(message)
            return
        comment = self.comment_of(message, edited)
        if comment is None:
            return
        try:
            await self.on_comment(comment)
        except TelegramAPIError:
            logger.exception("telegram call failed while handling comment %s", comment.key)
        except Exception:
            logger.exception("comment %s was not handled", comment.key)

    def _remember_thread(self, forward: Message) -> _Thread | None:
        """Learn which channel post a discussion thread belongs to from its automatic forward."""
        origin = forward.forward_origin
        channel_id = self.groups.get(forward.chat.id)
        if not isinstance(origin, MessageOriginChannel) or origin.chat.id != channel_id:
            return None
        thread = _Thread(origin.message_id, message_text(forward) or None)
        self._threads[(forward.chat.id, forward.message_id)] = thread
        return thread

    def _thread_of(self, message: Message) -> _Thread | None:
        replied = message.reply_to_message
        if replied is not None and replied.is_automatic_forward:
            return self._remember_thread(replied)
        if message.message_thread_id is None:
            return None
        return self._threads.get((message.chat.id, message.message_thread_id))

    def comment_of(self, message: Message, edited: bool = False) -> IncomingComment | None:
        """Translate a discussion-group message into a comment on its channel post (None: not one)."""
        thread = self._thread_of(message)
        if thread is None:
            logger.debug(
                "message %s in %s is not a comment on a known post", message.message_id, message.chat.id
            )
            return None
        channel_id = self.groups[message.chat.id]
        sender_chat, user = message.sender_chat, message.from_user
        if sender_chat is not None and sender_chat.id in (channel_id, message.chat.id):
            return None  # the page itself or an anonymous admin of its group: staff, not a commenter
        author_id = sender_chat.id if sender_chat else user.id if user else None
        if author_id is None:
            return None
        name = sender_chat.title if sender_chat else user.full_name if user else None
        moment = message.edit_date if edited and isinstance(message.edit_date, datetime) else message.date
        return IncomingComment(
            platform=Platform.TELEGRAM,
            page_id=str(channel_id),
            post_id=str(thread.post_id),
            comment_id=str(message.message_id),
            author_id=str(author_id),
            text=message_text(message),
            created_at=moment.astimezone(UTC),
            author_name=name,
            post_text=thread.post_text,
            chat_id=str(message.chat.id),
            edited=edited,
            author_is_chat=sender_chat is not None,
        )
