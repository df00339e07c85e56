"""Moderators' button presses turned into one recorded decision per card and the actions it requires.

The first press on a card wins (the store's unique constraint decides, not a check-then-act in Python);
a later press is told who was first. Decisions are recorded before anything is done, like verdicts. A press is
honoured only for what applies to the card it came from: a button's data is the moderator's to forge, so the
card is checked against the message the button was on, the choice against the card (restore and lift only
for automatic deletions, lift only where this comment's deletion restricted the author), and a restriction's
length against the configured choices. Any decision can be taken back within the configured window, which
reopens the card.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from moderation.config import CitizenTexts, EscalationPolicy, WorkbenchPolicy
from moderation.daemon.ports import DecisionOutcome, DecisionRequest, ModeratorChoice, ReportRequest
from moderation.daemon.records import CardInfo, CardStatus, DecisionPlan, PriorDecision, ReportInfo
from moderation.daemon.restrictions import DEFAULT_TEXTS, restriction_of_days
from moderation.daemon.runner import Clock, utc_now
from moderation.daemon.waves import WaveMemory
from moderation.types import Ground, Platform

DEFAULT_TZ = ZoneInfo("Asia/Barnaul")  # Rubtsovsk; the daemon passes the configured zone


class ModeratorStore(Protocol):
    """What deciding needs from storage (models.store.Store implements it)."""

    async def is_moderator(self, platform: Platform, user_id: str) -> bool: ...

    async def card_info(
        self, card_id: int, now: datetime, since: datetime | None = None
    ) -> CardInfo | None: ...

    async def record_decision(
        self, request: DecisionRequest, plan: DecisionPlan, now: datetime
    ) -> tuple[bool, PriorDecision | None]: ...

    async def undo_decision(self, card_id: int, request: DecisionRequest, now: datetime) -> int | None: ...

    async def report_info(self, report_id: int) -> ReportInfo | None: ...

    async def acknowledge_report(self, request: ReportRequest, now: datetime) -> bool: ...


ANSWERS: dict[ModeratorChoice, str] = {
    ModeratorChoice.KEEP: "Оставлено",
    ModeratorChoice.DELETE: "Удалено",
    ModeratorChoice.DELETE_RESTRICT: "Удалено, автор ограничен",
    ModeratorChoice.RESTORE: "Восстановлено, ограничение за него снято",
    ModeratorChoice.LIFT: "Ограничение снято",
    ModeratorChoice.UNDO: "Решение отменено, карточка открыта заново",
}
REVIEW_CHOICES = frozenset({ModeratorChoice.KEEP, ModeratorChoice.DELETE, ModeratorChoice.DELETE_RESTRICT})
DELETING = frozenset({ModeratorChoice.DELETE, ModeratorChoice.DELETE_RESTRICT})
NOT_THIS_CARD = "Эта кнопка не от этой карточки: нажмите кнопку на самой карточке"
#: A press on a message sent a moment ago may come before the daemon has recorded that message as the card's
#: (or the report's): the reference is read again after these pauses (s) before the press is refused.
SETTLING = (0.1, 0.2, 0.4, 0.8, 1.5)
CLOSED_STATES = {
    CardStatus.SUPERSEDED: "Комментарий изменён: решайте по новой карточке",
    CardStatus.REOPENED: "Решение по этой карточке отменено: она открыта заново",
    CardStatus.CLOSED: "Автоматическое удаление уже принято, карточка закрыта",
}


def can_restore(platform: Platform) -> bool:
    """Telegram cannot bring a deleted message back; VK can (wall.restoreComment)."""
    return platform is not Platform.TELEGRAM


def main_ground(card: CardInfo) -> Ground:
    """The machine's strongest ground (cards always have one; off_topic guards against an empty verdict)."""
    grounds = card.verdict.grounds
    if not grounds:
        return Ground.OFF_TOPIC
    return max(grounds, key=lambda ground: card.verdict.scores.get(ground, 0.0))


def in_flight(request: DecisionRequest, card: CardInfo) -> bool:
    """The press names a message this card does not know yet, and the card's own message or its report's is
    still being recorded (sent, reference not written): wait for it rather than refuse a real button."""
    if request.message_ref in (card.message_ref, card.report_ref):
        return False
    return card.message_ref is None or (card.report_id is not None and card.report_ref is None)


def refusal(
    request: DecisionRequest, card: CardInfo, workbench: WorkbenchPolicy, now: datetime
) -> str | None:
    """Why this press cannot be honoured on this card, or None when it can (the decision race aside)."""
    refs = {ref for ref in (card.message_ref, card.report_ref) if ref is not None}
    if request.message_ref not in refs:
        return NOT_THIS_CARD
    return applicability(request, card, workbench, now)


def applicability(
    request: DecisionRequest, card: CardInfo, workbench: WorkbenchPolicy, now: datetime
) -> str | None:
    """Why the choice does not apply to this card now (the buttons a card shows are those it applies to)."""
    if card.status in CLOSED_STATES:
        return CLOSED_STATES[card.status]
    choice = request.choice
    if choice is ModeratorChoice.UNDO:
        return _undo_refusal(card, workbench, now)
    if card.status is CardStatus.DECIDED:
        return None  # the store answers who was first
    return _choice_refusal(request, card, workbench)


def _choice_refusal(request: DecisionRequest, card: CardInfo, workbench: WorkbenchPolicy) -> str | None:
    """Whether the choice applies to an open card of this kind."""
    choice = request.choice
    if choice in REVIEW_CHOICES and card.auto_deleted:
        return "Комментарий уже удалён автоматически: здесь можно только восстановить или снять ограничение"
    if choice is ModeratorChoice.DELETE_RESTRICT and request.restrict_days not in workbench.restrict_days:
        offered = ", ".join(str(days) for days in workbench.restrict_days)
        return f"Такого срока ограничения нет; можно: {offered} дн."
    if choice is ModeratorChoice.RESTORE:
        if not card.auto_deleted:
            return "Восстанавливать можно только удалённое автоматически"
        if not can_restore(card.comment.platform):
            return "Telegram не восстанавливает удалённые сообщения"
    if choice is ModeratorChoice.LIFT:
        if not card.auto_deleted:
            return "Снять ограничение можно только с карточки автоматического удаления"
        if not card.own_restriction_ids:
            return "За этот комментарий автор не ограничен"
    return None


def _undo_refusal(card: CardInfo, workbench: WorkbenchPolicy, now: datetime) -> str | None:
    if card.status is not CardStatus.DECIDED or card.decided_at is None:
        return "Отменять нечего: решения по карточке ещё нет"
    if now > card.decided_at + workbench.undo_window:
        return f"Решение можно отменить только в течение {workbench.undo_minutes:g} мин"
    deleted_by_decision = card.decision in DELETING
    if deleted_by_decision and card.deletion_done and not can_restore(card.comment.platform):
        return "Комментарий уже удалён, а Telegram не восстанавливает сообщения: удаление не отменить"
    return None


def plan_decision(
    request: DecisionRequest,
    card: CardInfo,
    policy: EscalationPolicy,
    now: datetime,
    texts: CitizenTexts = DEFAULT_TEXTS,
    tz: tzinfo | None = None,
) -> DecisionPlan:
    """What a choice means for this card (`refusal` has accepted it): restoring lifts this comment's
    restriction; «Удалить» restricts as the escalation rules say, «Удалить и ограничить» for the days
    chosen."""
    choice = request.choice
    if choice is ModeratorChoice.KEEP:
        return DecisionPlan(choice, violation=False)
    if choice is ModeratorChoice.RESTORE:
        return DecisionPlan(
            choice, restore=True, lift_restriction_ids=card.own_restriction_ids, violation=False
        )
    if choice is ModeratorChoice.LIFT:
        return DecisionPlan(choice, lift_restriction_ids=card.own_restriction_ids)
    ground = main_ground(card)
    if choice is ModeratorChoice.DELETE:
        days = policy.days_for(card.prior_violations, ground)
    else:
        days = request.restrict_days or 0
    restriction = restriction_of_days(card.comment, ground, days, now, texts, tz) if days > 0 else None
    notice = restriction is not None or bool(texts.reply)
    return DecisionPlan(choice, delete=True, restriction=restriction, violation=True, notice=notice)


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
        workbench: WorkbenchPolicy | None = None,
        texts: CitizenTexts = DEFAULT_TEXTS,
        tz: tzinfo = DEFAULT_TZ,
        waves: WaveMemory | None = None,
    ) -> None:
        self._store = store
        self._waves = waves
        self._configured = frozenset(moderators)
        self._platform = platform
        self._escalation = escalation or EscalationPolicy()
        self._workbench = workbench or WorkbenchPolicy()
        self._texts = texts
        self._tz = tz
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
        card = await self._store.card_info(request.card_id, now, self._escalation.window_start(now))
        for pause in SETTLING:
            if card is None or not in_flight(request, card):
                break
            await asyncio.sleep(pause)
            card = await self._store.card_info(request.card_id, now, self._escalation.window_start(now))
        if card is None:
            return DecisionOutcome(accepted=False, answer="Карточка не найдена")
        refused = refusal(request, card, self._workbench, now)
        if refused is not None:
            return DecisionOutcome(False, refused, card_id=card.card_id, report_id=card.report_id)
        if request.choice is ModeratorChoice.UNDO:
            return await self._undo(request, card, now)
        plan = plan_decision(request, card, self._escalation, now, self._texts, self._tz)
        accepted, prior = await self._store.record_decision(request, plan, now)
        if accepted:
            self._woken()
            if self._waves is not None:
                await self._waves.learn_decision(card, request.choice, now)
            who = request.moderator_name or request.moderator_id
            return DecisionOutcome(
                True, _answer(plan, now), who, request.at, card_id=card.card_id, report_id=card.report_id
            )
        if prior is None:
            return DecisionOutcome(False, "Карточка закрыта", card_id=card.card_id)
        who = prior.moderator_name or prior.moderator_id
        answer = f"Уже решено: {ANSWERS[prior.choice].lower()} ({who}, {self.moment(prior.at)})"
        return DecisionOutcome(False, answer, who, prior.at, card_id=card.card_id, report_id=card.report_id)

    async def _undo(self, request: DecisionRequest, card: CardInfo, now: datetime) -> DecisionOutcome:
        reopened = await self._store.undo_decision(card.card_id, request, now)
        if reopened is None:
            return DecisionOutcome(False, "Решение уже отменено", card_id=card.card_id)
        self._woken()
        if self._waves is not None:
            await self._waves.learn_decision(card, ModeratorChoice.UNDO, now)
        who = request.moderator_name or request.moderator_id
        answer = ANSWERS[ModeratorChoice.UNDO]
        return DecisionOutcome(True, answer, who, request.at, card_id=reopened, report_id=card.report_id)

    async def acknowledge(self, request: ReportRequest) -> DecisionOutcome:
        """Accept a report of automatic deletions (closing its cards), or take the acceptance back."""
        if not await self.is_moderator(request.moderator_id):
            return DecisionOutcome(accepted=False, answer="Решения принимают только модераторы")
        now = self._clock()
        report = await self._store.report_info(request.report_id)
        for pause in SETTLING:
            if report is None or report.message_ref is not None:
                break
            await asyncio.sleep(pause)  # the report was sent a moment ago: its reference is being recorded
            report = await self._store.report_info(request.report_id)
        if report is None:
            return DecisionOutcome(accepted=False, answer="Сводка не найдена")
        if report.message_ref is None or request.message_ref != report.message_ref:
            return DecisionOutcome(False, NOT_THIS_CARD, report_id=report.report_id)
        refused = self._ack_refusal(request, report, now)
        if refused is not None:
            return DecisionOutcome(False, refused, report_id=report.report_id)
        if not await self._store.acknowledge_report(request, now):
            return DecisionOutcome(False, "Сводку уже приняли", report_id=report.report_id)
        self._woken()
        answer = "Принятие отменено" if request.undo else "Принято: карточки закрыты"
        who = request.moderator_name or request.moderator_id
        return DecisionOutcome(True, answer, who, request.at, report_id=report.report_id)

    def _ack_refusal(self, request: ReportRequest, report: ReportInfo, now: datetime) -> str | None:
        if request.undo:
            if report.acknowledged_at is None:
                return "Сводку ещё не принимали"
            if now > report.acknowledged_at + self._workbench.undo_window:
                return f"Отменить можно только в течение {self._workbench.undo_minutes:g} мин"
            return None
        if report.acknowledged_at is not None:
            who = report.acknowledged_by or "модератор"
            return f"Уже принято ({who}, {self.moment(report.acknowledged_at)})"
        if report.open_items == 0:
            return "В сводке не осталось открытых карточек"
        return None

    def moment(self, at: datetime) -> str:
        """A time as every moderator-facing text shows it: in the configured zone."""
        return at.astimezone(self._tz).strftime("%d.%m %H:%M")

    def _woken(self) -> None:
        if self._on_decided is not None:
            self._on_decided()


def _answer(plan: DecisionPlan, now: datetime) -> str:
    restriction = plan.restriction
    if plan.choice not in DELETING or restriction is None:
        return ANSWERS[plan.choice]
    if restriction.until is None:
        length = "бессрочно"
    else:
        length = f"на {max(round((restriction.until - now).total_seconds() / 86400), 1)} дн."
    rules = " по правилам" if plan.choice is ModeratorChoice.DELETE else ""
    return f"Удалено, автор ограничен{rules} {length}"
