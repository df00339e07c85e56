"""The whole Telegram loop over the wire: a comment arrives, a card is shown, a moderator deletes it."""

from __future__ import annotations

from datetime import timedelta

from bots.telegram.actions import TelegramActions
from bots.telegram.review import TelegramReviewQueue
from moderation.daemon.ports import (
    DecisionOutcome,
    DecisionRequest,
    IncomingComment,
    ModeratorChoice,
    Restriction,
    ReviewCard,
)
from moderation.types import Action, Evidence, Ground, Platform, Span, Verdict
from tests.test_tg_support import CollectingSink, World, running_worker, tg_world


class ActingDecisions:
    """A stand-in for the real DecisionHandler that carries the decision out through TelegramActions."""

    def __init__(self, world: World, actions: TelegramActions) -> None:
        self.world = world
        self.actions = actions
        self.cards: dict[int, IncomingComment] = {}

    async def is_moderator(self, user_id: str) -> bool:
        return user_id == str(self.world.moderator.id)

    async def decide(self, request: DecisionRequest) -> DecisionOutcome:
        comment = self.cards.pop(request.card_id, None)
        if comment is None:
            return DecisionOutcome(False, "Карточка закрыта")
        if request.choice is ModeratorChoice.DELETE_RESTRICT:
            await self.actions.delete_comment(comment)
            until = request.at + timedelta(days=request.restrict_days or 1)
            await self.actions.restrict(
                Restriction(Platform.TELEGRAM, comment.page_id, comment.author_id, until, Ground.OBSCENITY)
            )
        return DecisionOutcome(True, "Удалено, автор ограничен", request.moderator_name, request.at)


async def test_comment_to_card_to_deletion_and_restriction() -> None:
    async with tg_world() as world:
        actions = TelegramActions(world.bot)
        decisions = ActingDecisions(world, actions)
        queue = TelegramReviewQueue(world.bot, world.moderators_chat.id, decisions)
        sink = CollectingSink()

        async def on_comment(comment: IncomingComment) -> None:
            start = comment.text.find("блин")
            verdict = Verdict(
                comment.comment_id,
                Action.REVIEW,
                (Ground.OBSCENITY,),
                {Ground.OBSCENITY: 0.62},
                (Evidence("obscene_roots", Ground.OBSCENITY, 0.62, (Span(start, start + 4),)),),
            )
            card_id = len(decisions.cards) + 1
            decisions.cards[card_id] = comment
            await queue.post_card(ReviewCard(card_id, comment, verdict, page_title="Администрация"))

        async with running_worker(world, sink, [queue.router], on_comment):
            post = world.emu.post_to_channel(world.channel, "Уборка снега: график на неделю")
            comment = world.emu.post_comment(post, "Да блин, опять не почистили двор", user=world.citizen)
            await world.emu.wait_until(lambda: world.emu.sent_by_bots(world.moderators_chat))
            card = world.emu.sent_by_bots(world.moderators_chat)[-1]
            assert card.html is not None and "<u>блин</u>" in card.html
            press = world.emu.press_button(card, world.moderator, text="Удалить и ограничить 1 д")
            await world.emu.wait_until(lambda: world.emu.answer_to(press) is not None)
        assert world.emu.answer_to(press) == "Удалено, автор ограничен"
        assert world.emu.is_deleted(comment)
        restriction = world.emu.restriction(world.group, world.citizen.id)
        assert restriction is not None and restriction.until_date > 0
        assert card.text is not None and "Решение: Удалить и ограничить на 1 д — Мария Иванова" in card.text
