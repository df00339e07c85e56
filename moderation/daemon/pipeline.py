"""From an incoming comment to a recorded verdict and the actions, restriction and card it leads to.

The order is what makes it safe: the comment is recorded first, then the verdict and every intent it implies
are recorded in one transaction, and only then does the runner act. A crash before the verdict's transaction
leaves the comment undecided (decided on redelivery or by `recover`); a crash after it leaves intents the
runner performs. Idempotency keys make a second recording of the same intent a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Protocol

from moderation.config import REVIEW_ONLY, CitizenTexts, EscalationPolicy, Mode, RetryPolicy
from moderation.daemon.ports import IncomingComment, PlatformActions, ReviewQueue
from moderation.daemon.records import DecidedBy, Escalation, Plan
from moderation.daemon.restrictions import DEFAULT_TEXTS
from moderation.daemon.runner import ActionQueue, ActionRunner, Clock, utc_now
from moderation.daemon.waves import WaveMemory
from moderation.types import Action, Comment, Ground, Platform, Verdict

log = logging.getLogger(__name__)

#: Evidence from rules whose names start so came from the statistical model rather than the rule lists.
MODEL_RULE_PREFIXES: tuple[str, ...] = ("model", "classifier", "ml:")


class DecisionStore(ActionQueue, Protocol):
    """What the pipeline needs from storage (models.store.Store implements it)."""

    async def record_comment(self, comment: IncomingComment, now: datetime) -> int | None: ...

    async def commit_verdict(
        self,
        key: str,
        revision: int,
        verdict: Verdict,
        decided_by: DecidedBy,
        model_version: str | None,
        plan: Plan,
        now: datetime,
    ) -> bool: ...

    async def undecided_comments(self, limit: int = 1000) -> list[IncomingComment]: ...

    async def post_text(self, platform: Platform, page_id: str, post_id: str) -> str | None: ...


class Outcome(StrEnum):
    """What handling one delivery amounted to."""

    DUPLICATE = "duplicate"  # redelivery of a decided comment (or decided concurrently): nothing done
    RECORDED = "recorded"  # verdict recorded, nothing to do (keep, or dry mode)
    REVIEW = "review"  # a card for moderators
    DELETED = "deleted"  # deletion queued (with a card offering restore)


@dataclass(frozen=True, slots=True)
class Handled:
    outcome: Outcome
    verdict: Verdict | None = None
    plan: Plan | None = None


def decided_by(verdict: Verdict) -> DecidedBy:
    """MODEL when evidence from the model supports a ground of the verdict; otherwise the rules decided."""
    for item in verdict.evidence:
        if item.ground in verdict.grounds and item.rule.startswith(MODEL_RULE_PREFIXES):
            return DecidedBy.MODEL
    return DecidedBy.RULES


def effective_action(verdict: Verdict) -> Action:
    """The verdict's action, but DELETE on grounds a machine never deletes on alone becomes REVIEW."""
    if verdict.action is Action.DELETE and all(ground in REVIEW_ONLY for ground in verdict.grounds):
        return Action.REVIEW
    return verdict.action


def main_ground(verdict: Verdict) -> Ground | None:
    """The ground a restriction is recorded under: the strongest one that may delete on its own."""
    grounds = [ground for ground in verdict.grounds if ground not in REVIEW_ONLY]
    if not grounds:
        return None
    return max(grounds, key=lambda ground: verdict.scores.get(ground, 0.0))


def plan_for(mode: Mode, action: Action, escalation: Escalation | None, reply: bool = False) -> Plan:
    """What a verdict leads to in each mode (pure, so the table of cases is easy to test). The author is told
    why when a reply is configured; the store adds the notice when the escalation comes to a restriction."""
    if mode is Mode.DRY or action is Action.KEEP:
        return Plan()
    if action is Action.REVIEW or mode is Mode.REVIEW:
        return Plan(card=True)
    return Plan(
        delete=True, card=True, auto_deleted=True, violation=True, escalation=escalation, notice=reply
    )


class Pipeline:
    """Decides each incoming comment once, durably, and queues what the decision requires."""

    def __init__(
        self,
        classify: Callable[[Comment], Verdict],
        store: DecisionStore,
        actions: Mapping[Platform, PlatformActions],
        review: ReviewQueue,
        mode: Mode,
        escalation: EscalationPolicy | None = None,
        clock: Clock = utc_now,
        retry: RetryPolicy | None = None,
        model_version: str | None = None,
        texts: CitizenTexts = DEFAULT_TEXTS,
        tz: tzinfo | None = None,
        waves: WaveMemory | None = None,
    ) -> None:
        self._classify = classify
        self._waves = waves
        self._store = store
        self._mode = mode
        self._escalation = escalation or EscalationPolicy()
        self._clock = clock
        self.model_version = model_version  # the classifier's version; swapped with it (dozor.learning.live)
        self._texts = texts
        self._tz = tz
        self.runner = ActionRunner(store, actions, review, retry, clock)

    async def handle(self, incoming: IncomingComment) -> Handled:
        """Decide one delivered comment; a redelivery of a decided one is a no-op, an edit is decided anew."""
        revision = await self._store.record_comment(incoming, self._clock())
        if revision is None:
            return Handled(Outcome.DUPLICATE)
        post_text = incoming.post_text
        if post_text is None:
            post_text = await self._store.post_text(incoming.platform, incoming.page_id, incoming.post_id)
        verdict = self._classify(Comment(id=incoming.key, text=incoming.text, post_text=post_text))
        now = self._clock()
        if self._waves is not None:
            verdict = await self._waves.amend(incoming, verdict, now)
        action = effective_action(verdict)
        plan = plan_for(self._mode, action, self._escalation_for(verdict, action), bool(self._texts.reply))
        recorded = await self._store.commit_verdict(
            incoming.key, revision, verdict, decided_by(verdict), self.model_version, plan, now
        )
        if not recorded:
            return Handled(Outcome.DUPLICATE, verdict)
        if self._waves is not None and plan.auto_deleted and decided_by(verdict) is DecidedBy.RULES:
            await self._waves.learn_automatic(incoming, verdict, now)
        if plan.delete or plan.card:
            self.runner.wake()
        return Handled(_outcome(plan), verdict, plan)

    def _escalation_for(self, verdict: Verdict, action: Action) -> Escalation | None:
        """Escalation applies only where the machine deletes on its own; the store counts the author's
        earlier violations when it records the verdict."""
        ground = main_ground(verdict)
        if self._mode is not Mode.ENFORCE or action is not Action.DELETE or ground is None:
            return None
        return Escalation(self._escalation, ground, self._texts, self._tz)

    async def recover(self, limit: int = 1000) -> int:
        """Decide comments recorded before a crash but never decided; call once at start-up before readers."""
        pending = await self._store.undecided_comments(limit)
        for incoming in pending:
            try:
                await self.handle(incoming)
            except Exception:
                log.exception("could not decide recovered comment %s", incoming.key)
        return len(pending)


def _outcome(plan: Plan) -> Outcome:
    if plan.delete:
        return Outcome.DELETED
    if plan.card:
        return Outcome.REVIEW
    return Outcome.RECORDED
