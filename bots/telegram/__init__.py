"""Telegram adapter: intake of channel posts and comments, moderation actions, the moderators' queue.

The loopback Bot API emulator lives in `bots.telegram.emulator`; it is imported only by tests and the demo.
"""

from bots.telegram.actions import TelegramActions, map_telegram_error, telegram_errors
from bots.telegram.review import TelegramReviewQueue
from bots.telegram.worker import ChannelPost, CommentHandler, PostKind, PostSink, TelegramWorker

__all__ = [
    "ChannelPost",
    "CommentHandler",
    "PostKind",
    "PostSink",
    "TelegramActions",
    "TelegramReviewQueue",
    "TelegramWorker",
    "map_telegram_error",
    "telegram_errors",
]
