"""Shared set-up for the Telegram tests: a running emulator with the administration's channel, and fakes.

Not a test module by content; named test_tg_* so that it sits with the tests it serves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiogram import Bot, Router

from bots.telegram.worker import ChannelPost, CommentHandler, TelegramWorker
from emulators.telegram.demo import seed_city_pages
from emulators.telegram.model import EmuChat, EmuUser
from emulators.telegram.server import TelegramEmulator
from moderation.daemon.ports import IncomingComment

TOKEN = "5000001:AAHdozor-test_token-Rubtsovsk"


@dataclass
class World:
    """The emulated Telegram of the tests: one official channel with comments, a moderators' group."""

    emu: TelegramEmulator
    bot: Bot
    bot_user: EmuUser
    channel: EmuChat
    group: EmuChat
    moderators_chat: EmuChat
    citizen: EmuUser
    moderator: EmuUser
    second_moderator: EmuUser
    outsider: EmuUser


@asynccontextmanager
async def tg_world(per_chat_per_minute: int = 20) -> AsyncIterator[World]:
    async with TelegramEmulator(per_chat_per_minute=per_chat_per_minute) as emu:
        pages = seed_city_pages(emu, TOKEN)
        bot = emu.make_bot(TOKEN)
        try:
            yield World(
                emu,
                bot,
                pages.bot_user,
                pages.channel,
                pages.group,
                pages.moderators_chat,
                pages.citizen,
                pages.moderator,
                pages.second_moderator,
                pages.outsider,
            )
        finally:
            await bot.session.close()


@dataclass
class CollectingSink:
    """PostSink and comment handler that keep what they get."""

    posts: list[ChannelPost] = field(default_factory=list)
    comments: list[IncomingComment] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)

    async def save_channel_post(self, post: ChannelPost) -> None:
        self.posts.append(post)

    async def on_comment(self, comment: IncomingComment) -> None:
        if comment.text in self.fail_on:
            raise RuntimeError("хранилище недоступно")
        self.comments.append(comment)


@asynccontextmanager
async def running_worker(
    world: World,
    sink: CollectingSink,
    routers: Iterable[Router] = (),
    on_comment: CommentHandler | None = None,
) -> AsyncIterator[TelegramWorker]:
    handler = on_comment or sink.on_comment
    worker = TelegramWorker(
        world.bot, [world.channel.id], handler, sink, routers=list(routers), polling_timeout=1
    )
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
