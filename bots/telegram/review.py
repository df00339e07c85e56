"""The moderators' queue: review cards with buttons in a Telegram group, and what happens when one is pressed.

Only the DecisionHandler knows who is a moderator and which press was first; this module shows cards, asks
it, and tells every presser the outcome. Cards are closed by editing them, so the group's history shows who
decided what and when (clause 1.2.2).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message

from bots.telegram.actions import install_token_redaction
from bots.telegram.review_render import CardAction, build_keyboard, choice_label, render_card, render_decision
from bots.telegram.sending import OnceSender
from moderation.daemon.outbox import SendJournal
from moderation.daemon.ports import DecisionHandler, DecisionOutcome, DecisionRequest, ReviewCard

logger = logging.getLogger(__name__)
install_token_redaction(logger)

REFUSAL = "Решения по карточкам принимают только модераторы пресс-службы."
FAILURE = "Не удалось записать решение, попробуйте ещё раз."
ACCEPTED = "Решение записано."
DEFAULT_TZ = ZoneInfo("Asia/Barnaul")  # Rubtsovsk, Altai Krai


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TelegramReviewQueue:
    """ReviewQueue on a Telegram group; its `router` must be served by the bot's polling loop."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int | str,
        decisions: DecisionHandler,
        *,
        now: Callable[[], datetime] = _utcnow,
        display_tz: tzinfo = DEFAULT_TZ,
        outbox: SendJournal | None = None,
    ) -> None:
        self.bot = bot
        self.chat_id = int(chat_id)
        self.decisions = decisions
        self._now = now
        self._tz = display_tz
        self._router: Router | None = None
        self._sender = OnceSender(bot, outbox, watch=(self.chat_id,), now=now)  # a card is posted once

    @property
    def router(self) -> Router:
        """The callback handler for card buttons (built once: an aiogram Router has one parent)."""
        if self._router is None:
            router = Router(name="dozor-review-queue")
            router.callback_query.register(self.on_press, CardAction.filter())
            self._router = router
        return self._router

    async def post_card(self, card: ReviewCard) -> str:
        """Send the card (once: see bots.telegram.sending); returns `chat_id:message_id`. Telegram errors
        arrive as PlatformError subclasses."""
        key = f"card:{card.card_id}"
        message_id = await self._sender.send(key, self.chat_id, render_card(card), build_keyboard(card))
        logger.info("posted review card %s as message %s", card.card_id, message_id)
        return f"{self.chat_id}:{message_id}"

    async def on_press(self, query: CallbackQuery, callback_data: CardAction) -> None:
        """A button was pressed: refuse outsiders, let the handler decide, close the card if this won."""
        user = query.from_user
        if not await self.decisions.is_moderator(str(user.id)):
            logger.warning("refused card %s press by non-moderator user %s", callback_data.card, user.id)
            await self._answer(query, REFUSAL, alert=True)
            return
        request = DecisionRequest(
            card_id=callback_data.card,
            choice=callback_data.choice,
            moderator_id=str(user.id),
            at=self._now(),
            restrict_days=callback_data.days or None,
            moderator_name=user.full_name,
        )
        try:
            outcome = await self.decisions.decide(request)
        except Exception:
            logger.exception("decision on card %s could not be recorded", callback_data.card)
            await self._answer(query, FAILURE, alert=True)
            return
        if not outcome.accepted:
            logger.info("card %s: press by %s came after the decision", callback_data.card, user.id)
            await self._answer(query, outcome.answer, alert=True)
            return
        await self._close_card(query, request, outcome)
        await self._answer(query, outcome.answer or ACCEPTED, alert=False)

    async def _close_card(
        self, query: CallbackQuery, request: DecisionRequest, outcome: DecisionOutcome
    ) -> None:
        """Append the decision to the card and remove its buttons, so nobody presses a decided card."""
        who = outcome.decided_by or request.moderator_name or request.moderator_id
        line = render_decision(
            choice_label(request.choice, request.restrict_days),
            who,
            outcome.decided_at or request.at,
            self._tz,
        )
        message = query.message
        try:
            if isinstance(message, Message):
                body = message.html_text
                await message.edit_text(f"{body}\n\n{line}", parse_mode=ParseMode.HTML, reply_markup=None)
            elif message is not None:  # too old for Telegram to show us its text: keep the decision at least
                await self.bot.edit_message_text(
                    chat_id=message.chat.id,
                    message_id=message.message_id,
                    text=line,
                    parse_mode=ParseMode.HTML,
                )
        except TelegramAPIError as error:
            logger.warning("card %s decided but not updated: %s", request.card_id, error.message)

    async def _answer(self, query: CallbackQuery, text: str, alert: bool) -> None:
        try:
            await query.answer(text=text, show_alert=alert)
        except TelegramAPIError as error:
            logger.warning("could not answer a card press: %s", error.message)
