"""Commands in the moderators' chat, in Russian: /find (a text or an author), /history (an author), /week (the
week's figures), /help. Only the configured moderators get answers; the commands read, they change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, tzinfo
from html import escape
from typing import Protocol

from aiogram import Router
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import LinkPreviewOptions, Message

from bots.telegram.review_render import PLATFORM_LABELS, moment, plain, record_line, short
from models.values import ModerationFigures
from moderation.clauses import SHORT
from moderation.daemon.views import AuthorHistory, FoundComment, Outcome
from moderation.types import Ground

logger = logging.getLogger(__name__)

FIND_LIMIT = 10
HISTORY_LIMIT = 10
HELP = (
    "<b>Команды модераторов</b>\n"
    "/find <i>текст или автор</i> — последние комментарии с этими словами (в тексте или в имени автора)\n"
    "/history <i>id, ссылка на профиль, @имя или имя</i> — что автор писал и что с этим стало, "
    "удаления и ограничения на каждой странице\n"
    "/week — цифры модерации за эту неделю\n"
    "Кнопки на карточках: решение можно отменить в течение нескольких минут после нажатия."
)
OUTCOMES = {
    Outcome.KEPT: "оставлен",
    Outcome.DELETED: "удалён",
    Outcome.RESTORED: "восстановлен",
    Outcome.WAITING: "ждёт решения",
    Outcome.UNDECIDED: "в обработке",
}
ONLY_MODERATORS = "Команды доступны только модераторам пресс-службы."
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Records(Protocol):
    """What the commands read (dozor.cards.Workbench implements it)."""

    async def is_moderator(self, user_id: str) -> bool: ...

    async def find(self, query: str, limit: int) -> list[FoundComment]: ...

    async def history(self, query: str, limit: int) -> list[AuthorHistory]: ...

    async def week(self) -> tuple[datetime, datetime, ModerationFigures]: ...


def message_link(ref: str | None) -> str | None:
    """A link to a message in a supergroup (t.me/c/...), readable by the group's members."""
    if not ref:
        return None
    chat, _, message = ref.rpartition(":")
    if not chat.startswith("-100"):
        return None
    return f"https://t.me/c/{chat.removeprefix('-100')}/{message}"


def found_line(item: FoundComment, tz: tzinfo) -> str:
    who = plain(short(item.author_name, 40)) if item.author_name else f"id {plain(item.author_id)}"
    grounds = ", ".join(SHORT[g] for g in item.grounds)
    outcome = OUTCOMES[item.outcome] + (f" ({grounds})" if grounds else "")
    line = (
        f"• {moment(item.created_at, tz)} · {PLATFORM_LABELS[item.platform]} · {who}: "
        f"«{plain(short(item.text, 100))}» — {outcome}"
    )
    link = message_link(item.card_ref)
    if link:
        line += f' · <a href="{escape(link, quote=True)}">карточка</a>'
    return line


def render_found(query: str, found: list[FoundComment], tz: tzinfo) -> str:
    if not found:
        return f"По запросу «{plain(short(query, 60))}» ничего не нашлось."
    lines = [f"<b>Найдено по «{plain(short(query, 60))}»</b> (последние {len(found)}):"]
    lines.extend(found_line(item, tz) for item in found)
    return "\n".join(lines)


def render_history(query: str, histories: list[AuthorHistory], tz: tzinfo) -> str:
    if not histories:
        return f"Автор «{plain(short(query, 60))}» не найден."
    parts = []
    for history in histories[:3]:
        name = plain(history.name) if history.name else "без имени"
        platform = PLATFORM_LABELS[history.platform] if history.platform else ""
        lines = [f"<b>{name}</b> (id {plain(history.author_id)}, {platform})"]
        for (_, page_id), record in history.records.items():
            lines.append(f"Страница {plain(page_id)}: " + record_line(record, tz).split("</b> ", 1)[-1])
        lines.append("<b>Последние комментарии:</b>")
        lines.extend(found_line(item, tz) for item in history.comments)
        parts.append("\n".join(lines))
    if len(histories) > 3:
        parts.append(f"…и ещё авторов: {len(histories) - 3}; уточните запрос.")
    return "\n\n".join(parts)


CODES = {ground.value: ground for ground in Ground}


def _by_ground(counts: Mapping[str, int]) -> str:
    """«ненормативная лексика — 3, спам — 1» from counts by ground code."""
    if not counts:
        return "—"
    named = [(SHORT[CODES[code]] if code in CODES else "решение модератора", n) for code, n in counts.items()]
    return ", ".join(f"{name} — {n}" for name, n in sorted(named, key=lambda pair: -pair[1]))


def render_week(since: datetime, until: datetime, figures: ModerationFigures, tz: tzinfo) -> str:
    decisions = figures.decisions
    lines = [
        f"<b>Модерация за неделю с {since.astimezone(tz):%d.%m.%Y} по "
        f"{(until - timedelta(seconds=1)).astimezone(tz):%d.%m.%Y}</b>",
        f"Проверено комментариев: {figures.comments_checked}",
        f"Удалено: {figures.deleted} ({_by_ground(figures.deleted_by_ground)})",
        f"На проверку модераторам: {figures.sent_to_review} ({_by_ground(figures.review_by_ground)})",
        f"Решений модераторов: {sum(decisions.values())}",
        f"Автоматических удалений отменено: {figures.overturned_auto_deletions}",
        f"Ограничено авторов: {figures.restrictions}",
    ]
    waiting = f"Ждут решения сейчас: {figures.waiting_cards}"
    if figures.oldest_waiting_since is not None:
        waiting += f" (самая давняя с {moment(figures.oldest_waiting_since, tz)})"
    lines.append(waiting)
    return "\n".join(lines)


class ModeratorCommands:
    """/find, /history, /week and /help in the moderators' chat."""

    def __init__(self, chat_id: int, records: Records, tz: tzinfo) -> None:
        self.chat_id = chat_id
        self.records = records
        self.tz = tz

    def router(self) -> Router:
        router = Router(name="dozor-moderator-commands")
        for name, handler in (
            ("find", self.find),
            ("history", self.history),
            ("week", self.week),
            ("help", self.help),
            ("start", self.help),
        ):
            router.message.register(handler, Command(name), _in_chat(self.chat_id))
        return router

    async def find(self, message: Message, command: CommandObject) -> None:
        query = await self._query(message, command, "Напишите, что искать: /find <i>текст или автор</i>")
        if query:
            found = await self.records.find(query, FIND_LIMIT)
            await self._reply(message, render_found(query, found, self.tz))

    async def history(self, message: Message, command: CommandObject) -> None:
        query = await self._query(
            message, command, "Укажите автора: /history <i>id, ссылка, @имя или имя</i>"
        )
        if query:
            histories = await self.records.history(query, HISTORY_LIMIT)
            await self._reply(message, render_history(query, histories, self.tz))

    async def _query(self, message: Message, command: CommandObject, usage: str) -> str | None:
        """The command's argument from a moderator, or None (the moderator is told how to use it)."""
        if not await self._allowed(message):
            return None
        query = (command.args or "").strip()
        if not query:
            await self._reply(message, usage)
            return None
        return query

    async def week(self, message: Message) -> None:
        if await self._allowed(message):
            since, until, figures = await self.records.week()
            await self._reply(message, render_week(since, until, figures, self.tz))

    async def help(self, message: Message) -> None:
        if await self._allowed(message):
            await self._reply(message, HELP)

    async def _allowed(self, message: Message) -> bool:
        user = message.from_user
        if user is not None and await self.records.is_moderator(str(user.id)):
            return True
        await self._reply(message, ONLY_MODERATORS)
        return False

    async def _reply(self, message: Message, html: str) -> None:
        try:
            await message.answer(html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
        except TelegramAPIError as error:
            logger.warning("could not answer a command: %s", error.message)


def _in_chat(chat_id: int) -> Callable[[Message], bool]:
    def check(message: Message) -> bool:
        return message.chat.id == chat_id

    return check
