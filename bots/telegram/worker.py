"""The Telegram side of the intake: channel posts are recorded, comments become IncomingComments.

A channel's comments live in its linked discussion group; each thread hangs off the automatic forward of the
channel post. The worker learns which group belongs to which channel from getChat at start, and which thread
belongs to which post from the automatic forwards it sees (stored: bots/telegram/threads.py), and translates
at the edge so that the moderation core never sees an aiogram type.

Nothing is confirmed to Telegram before it is durably handled (bots/telegram/polling.py): a comment the
database cannot take stops intake, is retried with backoff, and is seen again after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from aiogram import Bot, Dispatcher, Router
from aiogram.types import (
    ChatMemberAdministrator,
    ChatMemberOwner,
    Message,
    MessageOriginChannel,
    Update,
)

from bots.intake import Health, WorkerState, hand_over
from bots.telegram.actions import install_token_redaction, telegram_errors
from bots.telegram.polling import Poller, Unhandled
from bots.telegram.threads import MemoryThreads, Thread, ThreadStore, stand_in
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
        threads: ThreadStore | None = None,
        routers: Sequence[Router] = (),
        polling_timeout: int = 10,
        max_concurrent_updates: int = 32,
        backoff: float = 0.5,
    ) -> None:
        self.bot = bot
        self.channel_ids = [int(channel_id) for channel_id in channel_ids]
        self.on_comment = on_comment
        self.post_sink = post_sink
        self.threads: ThreadStore = threads if threads is not None else MemoryThreads()
        self.routers = list(routers)
        self.polling_timeout = polling_timeout
        self.max_concurrent_updates = max_concurrent_updates
        self.backoff = backoff
        self.health = Health()
        self.groups: dict[int, int] = {}  # discussion group id -> channel id
        self._known: dict[tuple[int, int], Thread] = {}  # threads seen by this process
        self._stopping = asyncio.Event()
        self._poller: Poller | None = None
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
        """Check the token and resolve the channel links (errors mapped: a 502 is a TransientError), then
        poll in the background."""
        self._stopping.clear()
        self.health.set(WorkerState.STARTING)
        with telegram_errors("getMe"):
            await self.bot.me()
        await self.resolve_links()
        dispatcher = Dispatcher()
        dispatcher.include_router(self.build_router())
        for router in self.routers:
            dispatcher.include_router(router)
        poller = Poller(self.bot, dispatcher, self.health, polling_timeout=self.polling_timeout,
                        concurrency=self.max_concurrent_updates, prepare=self._prepare,
                        backoff=self.backoff)  # fmt: skip
        self._poller = poller
        self._task = asyncio.create_task(poller.run(), name="dozor-telegram-polling")
        self.health.running()

    async def stop(self, grace: float = 30.0) -> None:
        """Stop polling; running handlers get `grace` seconds, what they handled is confirmed, the rest is
        left for the next start."""
        self._stopping.set()
        poller, task = self._poller, self._task
        self._poller, self._task = None, None
        if poller is None or task is None:
            return
        poller.halt()  # first: a cancellation lost inside the HTTP client must not leave it polling
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await poller.stop(grace)

    async def run(self) -> None:
        """Start and keep polling until stopped or cancelled (the daemon's entry point for Telegram)."""
        await self.start()
        task = self._task
        if task is None:
            return
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not (task.cancelled() and self._stopping.is_set()):
                raise  # run() itself was cancelled; a poll cancelled by stop() is a normal end
        finally:
            await self.stop()

    async def _on_channel_post(self, message: Message) -> None:
        await self._save_post(message, edited=False)

    async def _on_edited_channel_post(self, message: Message) -> None:
        await self._save_post(message, edited=True)

    async def _save_post(self, message: Message, edited: bool) -> None:
        if message.chat.id not in self.channel_ids or self.post_sink is None:
            return
        await self._hand_over(self.post_sink.save_channel_post, channel_post_of(message, edited), "пост")

    async def _on_group_message(self, message: Message) -> None:
        await self._take_comment(message, edited=False)

    async def _on_edited_group_message(self, message: Message) -> None:
        await self._take_comment(message, edited=True)

    async def _take_comment(self, message: Message, edited: bool) -> None:
        if message.chat.id not in self.groups:
            return
        if message.is_automatic_forward:
            await self._store_forward(message)
            return
        comment = await self.comment_of(message, edited)
        if comment is not None:
            await self._hand_over(self.on_comment, comment, f"комментарий {comment.key}")

    async def _hand_over(self, handler: Callable[[Any], Awaitable[None]], item: Any, what: str) -> None:
        """Until `handler` has it; stopped first: Unhandled, so the update is not confirmed."""
        if not await hand_over(handler, item, what, stop=self._stopping, health=self.health,
                               backoff=self.backoff):  # fmt: skip
            raise Unhandled(what)

    def _prepare(self, update: Update) -> None:
        """Learn a thread from its automatic forward before any handler of a later update runs."""
        message = update.message
        opened = _opened_by(message, self.groups) if message is not None else None
        if opened is not None:
            self._known.setdefault(*opened)

    async def _store_forward(self, forward: Message) -> None:
        opened = _opened_by(forward, self.groups)
        if opened is not None:
            await self._hand_over(self._remember, opened, f"ветка {forward.message_id}")

    async def _remember(self, opened: tuple[tuple[int, int], Thread]) -> None:
        (chat_id, thread_id), thread = opened
        stored = await self.threads.remember(chat_id, thread_id, self.groups[chat_id], thread)
        self._known[(chat_id, thread_id)] = stored

    async def _thread_of(self, message: Message) -> Thread | None:
        """The post a comment belongs to: known to this process, stored, told by the forward a direct comment
        quotes, or a stand-in (never a reason to drop the comment); None outside any thread."""
        thread_id = message.message_thread_id
        if thread_id is None:
            return None
        where = (message.chat.id, thread_id)
        known = self._known.get(where)
        if known is not None:
            return known
        stored = await self.threads.find(*where)
        if stored is None:
            quoted = message.reply_to_message
            opened = _opened_by(quoted, self.groups) if quoted is not None else None
            if opened is None:
                logger.info("thread %s in %s was never seen: its comments get a stand-in post",
                            thread_id, message.chat.id)  # fmt: skip
            thread = opened[1] if opened is not None else stand_in(thread_id)
            stored = await self.threads.remember(*where, self.groups[message.chat.id], thread)
        self._known[where] = stored
        return stored

    async def comment_of(self, message: Message, edited: bool = False) -> IncomingComment | None:
        """Translate a discussion-group message into a comment on its channel post (None: not one)."""
        channel_id = self.groups[message.chat.id]
        sender_chat, user = message.sender_chat, message.from_user
        if sender_chat is not None and sender_chat.id in (channel_id, message.chat.id):
            return None  # the page itself or an anonymous admin of its group: staff, not a commenter
        author_id = sender_chat.id if sender_chat else user.id if user else None
        if author_id is None:
            return None
        thread = await self._thread_of(message)
        if thread is None:
            logger.debug("message %s in %s is outside any thread", message.message_id, message.chat.id)
            return None
        name = sender_chat.title if sender_chat else user.full_name if user else None
        moment = message.edit_date if edited and isinstance(message.edit_date, datetime) else message.date
        return IncomingComment(
            platform=Platform.TELEGRAM,
            page_id=str(channel_id),
            post_id=thread.post_id,
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


def _opened_by(forward: Message, groups: dict[int, int]) -> tuple[tuple[int, int], Thread] | None:
    """The thread a channel post's automatic forward opens in its discussion group, if it is one."""
    origin = forward.forward_origin
    if not forward.is_automatic_forward or not isinstance(origin, MessageOriginChannel):
        return None
    if origin.chat.id != groups.get(forward.chat.id):
        return None
    thread = Thread(str(origin.message_id), message_text(forward) or None)
    return (forward.chat.id, forward.message_id), thread
