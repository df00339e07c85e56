"""The moderators' queue in a Telegram group: cards and reports with buttons, and what happens when one is
pressed.

Only the desk (dozor.cards.Workbench over the DecisionHandler) knows who is a moderator, which press was first
and whether a button applies to the card it came from; this module sends and redraws messages, passes each
press on with the message it came from, and tells every presser the outcome. After a press the message is
redrawn from the records, so the group's history shows who decided what and when (clause 1.2.2) and the state
now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters

from bots.telegram.actions import install_token_redaction, telegram_errors
from bots.telegram.review_commands import Records
from bots.telegram.review_render import CardAction, build_keyboard, render_card
from bots.telegram.review_report import ReportAction, build_report_keyboard, render_report
from bots.telegram.sending import OnceSender
from moderation.daemon.decisions import DEFAULT_TZ
from moderation.daemon.outbox import SendJournal
from moderation.daemon.ports import (
    DecisionHandler,
    DecisionOutcome,
    DecisionRequest,
    ReportRequest,
)
from moderation.daemon.views import CardView, ReportView

logger = logging.getLogger(__name__)
install_token_redaction(logger)

REFUSAL = "Решения по карточкам принимают только модераторы пресс-службы."
FAILURE = "Не удалось записать решение, попробуйте ещё раз."
ACCEPTED = "Решение записано."
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Desk(DecisionHandler, Records, Protocol):
    """What the queue needs behind it: decisions, cards and reports as they read now, the records."""

    async def card_view(self, card_id: int) -> CardView | None: ...

    async def report_view(self, report_id: int) -> ReportView | None: ...


def split_ref(ref: str) -> tuple[int, int]:
    """`chat_id:message_id` as two numbers."""
    chat, _, message = ref.rpartition(":")
    return int(chat), int(message)


class TelegramReviewQueue:
    """Cards and reports in a Telegram group; its `router` must be served by the bot's polling loop."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int | str,
        desk: Desk,
        *,
        now: Callable[[], datetime] = _utcnow,
        display_tz: tzinfo = DEFAULT_TZ,
        outbox: SendJournal | None = None,
    ) -> None:
        self.bot = bot
        self.chat_id = int(chat_id)
        self.desk = desk
        self._now = now
        self.tz = display_tz
        self._router: Router | None = None
        self.extra_routers: list[Router] = []
        # Cards and reports are posted once (see bots.telegram.sending); other sends to the chat are noted.
        self._sender = OnceSender(bot, outbox, watch=(self.chat_id,), now=now)

    @property
    def router(self) -> Router:
        """The callback handlers for card and report buttons (built once: a Router has one parent)."""
        if self._router is None:
            router = Router(name="dozor-review-queue")
            router.callback_query.register(self.on_press, CardAction.filter())
            router.callback_query.register(self.on_report_press, ReportAction.filter())
            for extra in self.extra_routers:
                router.include_router(extra)
            self._router = router
        return self._router

    # --- sending and redrawing

    async def send_card(self, view: CardView) -> str:
        """Send a card (once); returns `chat_id:message_id`. Telegram errors arrive as PlatformError
        subclasses."""
        html, keyboard = render_card(view, self.tz), build_keyboard(view)
        ref = await self._send_once(f"card:{view.card_id}", html, keyboard)
        logger.info("posted review card %s as %s", view.card_id, ref)
        return ref

    async def send_report(self, view: ReportView) -> str:
        """Send a report of automatic deletions (once); returns `chat_id:message_id`."""
        html, keyboard = render_report(view, self.tz), build_report_keyboard(view)
        ref = await self._send_once(f"report:{view.report_id}", html, keyboard)
        logger.info("posted report %s of %d deletions as %s", view.report_id, len(view.items), ref)
        return ref

    async def send_text(self, html: str, reply_to: str | None = None) -> str:
        """A plain message in the moderators' chat (a reminder), optionally as a reply to a card."""
        reply = None
        if reply_to:
            reply = ReplyParameters(message_id=split_ref(reply_to)[1], allow_sending_without_reply=True)
        return await self._send(html, None, "moderators' chat", reply)

    async def edit_card(self, view: CardView) -> None:
        if view.message_ref is not None:
            await self._edit(view.message_ref, render_card(view, self.tz), build_keyboard(view))

    async def edit_report(self, view: ReportView) -> None:
        if view.message_ref is not None:
            await self._edit(view.message_ref, render_report(view, self.tz), build_report_keyboard(view))

    async def _send_once(self, key: str, html: str, keyboard: InlineKeyboardMarkup | None) -> str:
        """A message the outbox posts exactly once for `key`, even across a lost answer or a restart."""
        message_id = await self._sender.send(key, self.chat_id, html, keyboard)
        return f"{self.chat_id}:{message_id}"

    async def _send(
        self,
        html: str,
        keyboard: InlineKeyboardMarkup | None,
        what: str,
        reply: ReplyParameters | None = None,
    ) -> str:
        with telegram_errors(f"sendMessage ({what})"):
            message = await self.bot.send_message(
                chat_id=self.chat_id,
                text=html,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                link_preview_options=NO_PREVIEW,
                reply_parameters=reply,
            )
        return f"{self.chat_id}:{message.message_id}"

    async def _edit(self, ref: str, html: str, keyboard: InlineKeyboardMarkup | None) -> None:
        """Redraw a message; "not modified" is success, a message gone is NotFound."""
        chat_id, message_id = split_ref(ref)
        with telegram_errors("editMessageText"):
            try:
                await self.bot.edit_message_text(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    link_preview_options=NO_PREVIEW,
                )
            except TelegramBadRequest as error:
                if "message is not modified" not in error.message:
                    raise

    # --- presses

    async def on_press(self, query: CallbackQuery, callback_data: CardAction) -> None:
        """A card button: refuse outsiders, let the desk decide (it checks the button against its message),
        then redraw what the decision changed."""
        user = query.from_user
        if not await self._moderator(query, f"card {callback_data.card}"):
            return
        request = DecisionRequest(
            card_id=callback_data.card,
            choice=callback_data.choice,
            moderator_id=str(user.id),
            at=self._now(),
            restrict_days=callback_data.days or None,
            moderator_name=user.full_name,
            message_ref=_message_ref(query),
        )
        await self._settle(query, self.desk.decide(request), f"card {callback_data.card}")

    async def on_report_press(self, query: CallbackQuery, callback_data: ReportAction) -> None:
        """«Принято» on a report (or its undo)."""
        user = query.from_user
        if not await self._moderator(query, f"report {callback_data.report}"):
            return
        request = ReportRequest(
            report_id=callback_data.report,
            moderator_id=str(user.id),
            at=self._now(),
            moderator_name=user.full_name,
            message_ref=_message_ref(query),
            undo=bool(callback_data.undo),
        )
        await self._settle(query, self.desk.acknowledge(request), f"report {callback_data.report}")

    async def _moderator(self, query: CallbackQuery, what: str) -> bool:
        """Outsiders are refused, and the refusal logged with who pressed."""
        if await self.desk.is_moderator(str(query.from_user.id)):
            return True
        logger.warning("refused %s press by non-moderator user %s", what, query.from_user.id)
        await self._answer(query, REFUSAL, alert=True)
        return False

    async def _settle(self, query: CallbackQuery, deciding: Awaitable[DecisionOutcome], what: str) -> None:
        try:
            outcome = await deciding
        except Exception:
            logger.exception("decision on %s could not be recorded", what)
            await self._answer(query, FAILURE, alert=True)
            return
        if not outcome.accepted:
            logger.info("%s: press refused or too late", what)
            await self._answer(query, outcome.answer, alert=True)
            return
        await self.redraw(outcome)
        await self._answer(query, outcome.answer or ACCEPTED, alert=False)

    async def redraw(self, outcome: DecisionOutcome) -> None:
        """Show the decision at once (the platform's state follows when the actions have run)."""
        try:
            if outcome.report_id is not None:
                report = await self.desk.report_view(outcome.report_id)
                if report is not None:
                    await self.edit_report(report)
            elif outcome.card_id is not None:
                card = await self.desk.card_view(outcome.card_id)
                if card is not None:
                    await self.edit_card(card)
        except Exception as error:  # the decision stands; the refresh after the actions redraws again
            logger.warning("decision recorded but its message not redrawn: %s", type(error).__name__)

    async def _answer(self, query: CallbackQuery, text: str, alert: bool) -> None:
        try:
            await query.answer(text=text[:200], show_alert=alert)
        except TelegramAPIError as error:
            logger.warning("could not answer a press: %s", error.message)


def _message_ref(query: CallbackQuery) -> str | None:
    """Where the pressed button was: the server honours a button only on its own card's message."""
    message = query.message
    if message is None:
        return None
    return f"{message.chat.id}:{message.message_id}"
