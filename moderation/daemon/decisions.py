"""Moderators' button presses turned into one recorded decision per card and the actions it requires.

The first press on a card wins (the store's unique constraint decides, not a check-then-act in Python);
a later press is told who was first. Decisions are recorded before anything is done, like verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from moderation.config import EscalationPolicy
from moderation.daemon.ports import DecisionOutcome, DecisionRequest, ModeratorChoice
from moderation.daemon.records import CardInfo, CardStatus, DecisionPlan, PriorDecision
from moderation.daemon.restrictions import restriction_of_days
from moderation.daemon.runner import Clock, utc_now
from moderation.types import Ground, Platform


class ModeratorStore(Protocol):
    """What deciding needs from storage (models.store.Store implements it)."""

    async def is_moderator(self, platform: Platform, user_id: str) -> bool: ...

    async def card_info(self, card_id: int, now: datetime) -> CardInfo | None: ...

    async def record_decision(
        self, request: DecisionRequest, plan: DecisionPlan, now: datetime
    ) -> tuple[bool, PriorDecision | None]: ...


ANSWERS: dict[ModeratorChoice, str] = {
    ModeratorChoice.KEEP: "Оставлено",
    ModeratorChoice.DELETE: "Удалено",
    ModeratorChoice.DELETE_RESTRICT: "Удалено, автор ограничен",
    ModeratorChoice.RESTORE: "Восстановлено",
    ModeratorChoice.LIFT: "Ограничение снято",
}


def plan_decision(
    request: DecisionRequest, card: CardInfo, policy: EscalationPolicy, now: datetime
) -> DecisionPlan:
    """What a choice means for this card: keeping an auto-deleted comment restores it and lifts its ban."""
    choice = request.choice
    if choice is ModeratorChoice.KEEP:
        if card.auto_deleted:
            return DecisionPlan(
                choice, restore=True, lift_restriction_ids=card.own_restriction_ids, violation=False
            )
        return DecisionPlan(choice, violation=False)
    if choice is ModeratorChoice.RESTORE:
        return DecisionPlan(choice, restore=True, violation=False)
    if choice is ModeratorChoice.LIFT:
        return DecisionPlan(choice, lift_restriction_ids=card.active_restriction_ids)
    delete = not card.auto_deleted
    if choice is ModeratorChoice.DELETE:
        return DecisionPlan(choice, delete=delete, violation=True)
    days = request.restrict_days
    if days is None:
        days = 0 if card.own_restriction_ids else policy.days_for(1)
    ground = _ground(card)
    restriction = restriction_of_days(card.comment, ground, days, now) if days > 0 else None
    return DecisionPlan(choice, delete=delete, restriction=restriction, violation=True)


def _ground(card: CardInfo) -> Ground:
    """The machine's strongest ground (cards always have one; off_topic guards against an empty verdict)."""
    grounds = card.verdict.grounds
    if not grounds:
        return Ground.OFF_TOPIC
    return max(grounds, key=lambda ground: card.verdict.scores.get(ground, 0.0))


class StoreDecisionHandler:
    """The DecisionHandler port over the store: moderators from config plus the moderators table."""

    def __init__(
        self,
        store: ModeratorStore,
        moderators: Iterable[str] = (),
        platform: Platform = Platform.TELEGRAM,
        escalation: EscalationPolicy | None = None,
        clock: Clock = utc_now,
        on_decided: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._configured = frozenset(moderators)
        self._platform = platform
        self._escalation = escalation or EscalationPolicy()
        self._clock = clock
        self._on_decided = on_decided

    async def is_moderator(self, user_id: str) -> bool:
        """Listed in config, or active in the moderators table."""
        return user_id in self._configured or await self._store.is_moderator(self._platform, user_id)

    async def decide(self, request: DecisionRequest) -> DecisionOutcome:
        """Record the first decision on a card with its actions; refuse later ones, naming who was first."""
        if not await self.is_moderator(request.moderator_id):
            return DecisionOutcome(accepted=False, answer="Решения принимают только модераторы")
        now = self._clock()
        card = await self._store.card_info(request.card_id, now)
        if card is None:
            return DecisionOutcome(accepted=False, answer="Карточка не найдена")
        if card.status is CardStatus.SUPERSEDED:
            return DecisionOutcome(accepted=False, answer="Комментарий изменён: решайте по новой карточке")
        plan = plan_decision(request, card, self._escalation, now)
        accepted, prior = await self._store.record_decision(request, plan, now)
        if accepted:
            if self._on_decided is not None:
                self._on_decided()
            who = request.moderator_name or request.moderator_id
            return DecisionOutcome(True, ANSWERS[request.choice], decided_by=who, decided_at=request.at)
        if prior is None:
            return DecisionOutcome(accepted=False, answer="Карточка закрыта")
        who = prior.moderator_name or prior.moderator_id
        answer = f"Уже решено: {ANSWERS[prior.choice].lower()} ({who}, {prior.at:%d.%m %H:%M} UTC)"
        return DecisionOutcome(False, answer, decided_by=who, decided_at=prior.at)
