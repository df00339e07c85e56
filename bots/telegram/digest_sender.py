"""The weekly digest to the press service's chat: a short message and the HTML report as a document."""

from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import BufferedInputFile, LinkPreviewOptions

from bots.telegram.actions import telegram_errors


class TelegramDigestSender:
    """monitor.ports.DigestSender over the bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_message(self, chat_id: str, html_text: str) -> None:
        with telegram_errors("sendMessage (digest)"):
            await self.bot.send_message(
                int(chat_id),
                html_text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )

    async def send_document(self, chat_id: str, filename: str, content: bytes, caption: str = "") -> None:
        with telegram_errors("sendDocument (digest)"):
            await self.bot.send_document(
                int(chat_id), BufferedInputFile(content, filename), caption=caption or None
            )
