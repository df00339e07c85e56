"""Moderators' decisions: one per card (the database refuses a second), recorded with the actions they cause
(and what they cancelled), so that models.store_undo can take a decision back exactly.

Each function runs inside the caller's transaction (models.store.Store opens and commits it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.store_comments import add_restriction, enqueue, enqueue_notice
from models.store_support import audit, comment_of, verdict_of
from models.tables import (
    ActionRow,
    CommentRow,
    DecisionRow,
    Moderator,
    RestrictionRow,
    ReviewCardRow,
    VerdictRow,
)
from models.tables_workbench import CardEvent, CardReport, ReportItem
from moderation.daemon.ports import DecisionRequest, ModeratorChoice
from moderation.daemon.records import (
    ActionKind,
    ActionStatus,
    CardInfo,
    CardStatus,
    DecidedBy,
    DecisionPlan,
    PriorDecision,
)
from moderation.types import Action

DELETING = frozenset({ModeratorChoice.DELETE, ModeratorChoice.DELETE_RESTRICT})
#: Choices that leave the comment deleted: the machine (or the moderator) was right to delete it.
UPHELD = DELETING | {ModeratorChoice.LIFT}
PENDING = ActionStatus.PENDING.value
UNDER_WAY = (ActionStatus.RUNNING.value, ActionStatus.DONE.value)


def active_restrictions(session: Session, comment: CommentRow, now: datetime) -> list[RestrictionRow]:
    """The author's restrictions on the comment's page in force now."""
    stmt = select(RestrictionRow).where(
        RestrictionRow.platform == comment.platform,
        RestrictionRow.page_id == comment.page_id,
        RestrictionRow.author_id == comment.author_id,
        col(RestrictionRow.lifted_at).is_(None),
        (col(RestrictionRow.until).is_(None)) | (col(RestrictionRow.until) > now),
    )
    return list(session.exec(stmt).all())


def card_info(session: Session, card_id: int, now: datetime, since: datetime | None) -> CardInfo | None:
    """What a card is about, which restrictions of its author on that page are in force now, where it is shown
    and what was decided."""
    card = session.get(ReviewCardRow, card_id)
    if card is None:
        return None
    comment = session.get(CommentRow, card.comment_id)
    verdict = session.get(VerdictRow, card.verdict_id)
    if comment is None or verdict is None or comment.id is None:
        return None
    active = [(row.id, row.comment_id) for row in active_restrictions(session, comment, now) if row.id]
    decision = session.exec(select(DecisionRow).where(DecisionRow.card_id == card_id)).first()
    item = session.get(ReportItem, card_id)
    report = session.get(CardReport, item.report_id) if item is not None else None
    return CardInfo(
        card_id=card_id,
        comment=comment_of(comment),
        verdict=verdict_of(verdict, comment.key),
        auto_deleted=card.auto_deleted,
        status=CardStatus(card.status),
        active_restriction_ids=tuple(rid for rid, _ in active),
        own_restriction_ids=tuple(rid for rid, cid in active if cid == comment.id),
        message_ref=card.message_ref,
        report_ref=report.message_ref if report is not None else None,
        report_id=report.id if report is not None else None,
        decision=ModeratorChoice(decision.choice) if decision is not None else None,
        decided_at=card.decided_at,
        deletion_done=deletion_under_way(session, comment.id),
        prior_violations=_prior_violations(session, comment, since) if since is not None else 0,
    )


def deletion_under_way(session: Session, comment_id: int) -> bool:
    """True once a deletion of the comment has reached the platform (or is being sent to it)."""
    stmt = select(ActionRow.kind).where(
        col(ActionRow.comment_id) == comment_id,
        col(ActionRow.kind).in_((ActionKind.DELETE.value, ActionKind.RESTORE.value)),
        col(ActionRow.status).in_(UNDER_WAY),
    )
    kinds = list(session.exec(stmt.order_by(col(ActionRow.id))).all())
    return bool(kinds) and kinds[-1] == ActionKind.DELETE.value


def _prior_violations(session: Session, comment: CommentRow, since: datetime) -> int:
    stmt = select(CommentRow.id).where(
        CommentRow.platform == comment.platform,
        CommentRow.page_id == comment.page_id,
        CommentRow.author_id == comment.author_id,
        col(CommentRow.violation_at) >= since,
        col(CommentRow.id) != comment.id,
    )
    return len(session.exec(stmt).all())


def record_decision(session: Session, request: DecisionRequest, plan: DecisionPlan, now: datetime) -> bool:
    """Insert the decision first: the unique card constraint makes a concurrent second one fail right here.

    Returns False (and changes nothing) when the card is no longer open; raises IntegrityError when another
    decision for the card exists, which the caller turns into "already decided by ...". What the decision did
    is written down with it (a card event), so that taking it back reverses exactly that.
    """
    card = session.get(ReviewCardRow, request.card_id)
    if card is None or card.status != CardStatus.OPEN.value or card.id is None:
        return False
    session.add(
        DecisionRow(
            card_id=request.card_id,
            choice=request.choice.value,
            moderator_id=request.moderator_id,
            moderator_name=request.moderator_name,
            restrict_days=request.restrict_days,
            at=request.at,
        )
    )
    session.flush()
    card.status = CardStatus.DECIDED.value
    card.decided_at = now
    session.add(card)
    comment = session.get(CommentRow, card.comment_id)
    machine = session.get(VerdictRow, card.verdict_id)
    assert comment is not None and comment.id is not None and machine is not None
    violation_before = comment.violation_at
    _record_moderator_verdict(session, comment, machine, request, now)
    effects = _apply_plan(session, comment, plan, request, now)
    effects["violation_before"] = violation_before.isoformat() if violation_before else None
    effects["choice"] = request.choice.value
    effects["days"] = request.restrict_days
    add_event(session, card.id, "decided", request.moderator_id, request.moderator_name, now, effects)
    enqueue_refresh(session, card.id, "decided", now)
    audit(session, now, request.moderator_id, "decision", _details(comment, request))
    return True


def _details(comment: CommentRow, request: DecisionRequest) -> dict[str, Any]:
    return {
        "card": request.card_id,
        "comment": comment.key,
        "choice": request.choice.value,
        "restrict_days": request.restrict_days,
        "moderator_name": request.moderator_name,
    }


def _record_moderator_verdict(
    session: Session, comment: CommentRow, machine: VerdictRow, request: DecisionRequest, now: datetime
) -> None:
    """The moderator's word becomes the comment's latest verdict: the label `dozor train` learns from."""
    deleting = request.choice in UPHELD
    assert comment.id is not None
    session.add(
        VerdictRow(
            comment_id=comment.id,
            revision=machine.revision,
            action=(Action.DELETE if deleting else Action.KEEP).value,
            grounds=list(machine.grounds) if deleting else [],
            scores={},
            evidence=[],
            decided_by=DecidedBy.MODERATOR.value,
            model_version=None,
            at=now,
        )
    )


def _apply_plan(
    session: Session, comment: CommentRow, plan: DecisionPlan, request: DecisionRequest, now: datetime
) -> dict[str, Any]:
    """Queue the plan's actions; undoing what has not run yet cancels it rather than queueing a reversal.

    Returns the effects: actions queued and cancelled, restrictions marked lifted without a platform call.
    """
    assert comment.id is not None
    prefix = f"decision:{request.card_id}"
    queued: list[int] = []
    cancelled: list[int] = []
    lifted: list[int] = []

    def queue(
        key: str, kind: ActionKind, comment_id: int | None = None, restriction_id: int | None = None
    ) -> None:
        action_id = enqueue_id(
            session, f"{prefix}:{key}", kind, now, comment_id=comment_id, restriction_id=restriction_id
        )
        if action_id is not None:
            queued.append(action_id)

    if plan.delete:
        queue("delete", ActionKind.DELETE, comment_id=comment.id)
    if plan.restore:
        pending = cancel_pending_ids(session, ActionKind.DELETE, comment_id=comment.id)
        cancelled.extend(pending)
        if not pending:
            queue("restore", ActionKind.RESTORE, comment_id=comment.id)
    rid = None
    if plan.restriction is not None:
        rid = add_restriction(session, plan.restriction, comment.id, request.moderator_id, now)
        queue("restrict", ActionKind.RESTRICT, restriction_id=rid)
    for lift_id in plan.lift_restriction_ids:
        pending = cancel_pending_ids(session, ActionKind.RESTRICT, restriction_id=lift_id)
        if pending:
            cancelled.extend(pending)
            set_lifted(session, lift_id, now)
            lifted.append(lift_id)
        else:
            queue(f"lift:{lift_id}", ActionKind.LIFT, restriction_id=lift_id)
    if plan.notice:
        enqueue_notice(session, comment, rid, now)
    if plan.violation is True and comment.violation_at is None:
        comment.violation_at = now
    elif plan.violation is False:
        comment.violation_at = None
    session.add(comment)
    return {"queued": queued, "cancelled": cancelled, "lifted": lifted}


def set_lifted(session: Session, restriction_id: int, at: datetime | None) -> None:
    row = session.get(RestrictionRow, restriction_id)
    if row is not None:
        row.lifted_at = at
        session.add(row)


def cancel_pending_ids(
    session: Session, kind: ActionKind, *, comment_id: int | None = None, restriction_id: int | None = None
) -> list[int]:
    """Cancel not-yet-started actions of a kind for a comment or restriction; their ids."""
    stmt = select(ActionRow.id).where(col(ActionRow.status) == PENDING, col(ActionRow.kind) == kind.value)
    if comment_id is not None:
        stmt = stmt.where(col(ActionRow.comment_id) == comment_id)
    if restriction_id is not None:
        stmt = stmt.where(col(ActionRow.restriction_id) == restriction_id)
    ids = [i for i in session.exec(stmt).all() if i is not None]
    if ids:
        session.connection().execute(
            update(ActionRow)
            .where(col(ActionRow.id).in_(ids), col(ActionRow.status) == PENDING)
            .values(status=ActionStatus.CANCELLED.value)
        )
    return ids


def enqueue_id(
    session: Session,
    key: str,
    kind: ActionKind,
    now: datetime,
    *,
    comment_id: int | None = None,
    restriction_id: int | None = None,
) -> int | None:
    """Enqueue (a no-op for a known key) and return the action's id."""
    enqueue(session, key, kind, now, comment_id=comment_id, restriction_id=restriction_id)
    return session.exec(select(ActionRow.id).where(ActionRow.idempotency_key == key)).first()


def enqueue_refresh(session: Session, card_id: int, why: str, now: datetime) -> None:
    """Redraw the card once what was decided has run (the workbench waits for the actions to settle)."""
    enqueue(session, f"refresh:{card_id}:{why}:{now.isoformat()}", ActionKind.REFRESH, now, card_id=card_id)


def add_event(
    session: Session,
    card_id: int,
    kind: str,
    actor: str,
    actor_name: str | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        CardEvent(
            card_id=card_id, kind=kind, actor=actor, actor_name=actor_name, at=now, details=details or {}
        )
    )


def prior_decision(session: Session, card_id: int) -> PriorDecision | None:
    """The decision already recorded for a card, if any."""
    row = session.exec(select(DecisionRow).where(DecisionRow.card_id == card_id)).first()
    if row is None:
        return None
    return PriorDecision(
        moderator_id=row.moderator_id,
        moderator_name=row.moderator_name,
        choice=ModeratorChoice(row.choice),
        at=row.at,
    )


def labelled_examples(session: Session) -> list[dict[str, Any]]:
    """Moderators' decisions as training rows: {"text", "grounds", "action"}, oldest first; decisions taken
    back (the card was reopened) teach nothing."""
    stmt = (
        select(CommentRow.text, DecisionRow.choice, VerdictRow.grounds)
        .join(ReviewCardRow, col(ReviewCardRow.id) == col(DecisionRow.card_id))
        .join(CommentRow, col(CommentRow.id) == col(ReviewCardRow.comment_id))
        .join(VerdictRow, col(VerdictRow.id) == col(ReviewCardRow.verdict_id))
        .where(col(ReviewCardRow.status) != CardStatus.REOPENED.value)
        .order_by(col(DecisionRow.at), col(DecisionRow.id))
    )
    rows: list[dict[str, Any]] = []
    for text, choice, grounds in session.exec(stmt).all():
        deleting = ModeratorChoice(choice) in UPHELD
        rows.append(
            {
                "text": text,
                "grounds": list(grounds) if deleting else [],
                "action": (Action.DELETE if deleting else Action.KEEP).value,
            }
        )
    return rows


def is_moderator(session: Session, platform: str, user_id: str) -> bool:
    """True when the user is an active moderator in the table."""
    stmt = select(Moderator.id).where(
        Moderator.platform == platform, Moderator.user_id == user_id, col(Moderator.active).is_(True)
    )
    return session.exec(stmt).first() is not None


def set_moderator(session: Session, platform: str, user_id: str, name: str | None, active: bool) -> None:
    """Add, rename, enable or disable a moderator."""
    stmt = select(Moderator).where(Moderator.platform == platform, Moderator.user_id == user_id)
    row = session.exec(stmt).first() or Moderator(platform=platform, user_id=user_id)
    row.name = name if name is not None else row.name
    row.active = active
    session.add(row)
