"""Moderators' decisions: one per card (the database refuses a second), recorded with the actions they cause.

Each function runs inside the caller's transaction (models.store.Store opens and commits it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.store_actions import cancel_pending
from models.store_comments import add_restriction, enqueue
from models.store_support import audit, comment_of, verdict_of
from models.tables import CommentRow, DecisionRow, Moderator, RestrictionRow, ReviewCardRow, VerdictRow
from moderation.daemon.ports import DecisionRequest, ModeratorChoice
from moderation.daemon.records import ActionKind, CardInfo, CardStatus, DecidedBy, DecisionPlan, PriorDecision
from moderation.types import Action

DELETING = frozenset({ModeratorChoice.DELETE, ModeratorChoice.DELETE_RESTRICT})


def card_info(session: Session, card_id: int, now: datetime) -> CardInfo | None:
    """What a card is about, and which restrictions of its author on that page are in force now."""
    card = session.get(ReviewCardRow, card_id)
    if card is None:
        return None
    comment = session.get(CommentRow, card.comment_id)
    verdict = session.get(VerdictRow, card.verdict_id)
    if comment is None or verdict is None:
        return None
    active = select(RestrictionRow.id, RestrictionRow.comment_id).where(
        RestrictionRow.platform == comment.platform,
        RestrictionRow.page_id == comment.page_id,
        RestrictionRow.author_id == comment.author_id,
        col(RestrictionRow.lifted_at).is_(None),
        (col(RestrictionRow.until).is_(None)) | (col(RestrictionRow.until) > now),
    )
    rows = [(rid, cid) for rid, cid in session.exec(active).all() if rid is not None]
    return CardInfo(
        card_id=card_id,
        comment=comment_of(comment),
        verdict=verdict_of(verdict, comment.key),
        auto_deleted=card.auto_deleted,
        status=CardStatus(card.status),
        active_restriction_ids=tuple(rid for rid, _ in rows),
        own_restriction_ids=tuple(rid for rid, cid in rows if cid == comment.id),
    )


def record_decision(session: Session, request: DecisionRequest, plan: DecisionPlan, now: datetime) -> bool:
    """Insert the decision first: the unique card constraint makes a concurrent second one fail right here.

    Returns False (and changes nothing) when the card is no longer open; raises IntegrityError when another
    decision for the card exists, which the caller turns into "already decided by ...".
    """
    card = session.get(ReviewCardRow, request.card_id)
    if card is None or card.status != CardStatus.OPEN.value:
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
    _record_moderator_verdict(session, comment, machine, request, now)
    _apply_plan(session, comment, plan, request, now)
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
    deleting = request.choice in DELETING
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
) -> None:
    """Queue the plan's actions; undoing what has not run yet cancels it rather than queueing a reversal."""
    assert comment.id is not None
    prefix = f"decision:{request.card_id}"
    if plan.delete:
        enqueue(session, f"{prefix}:delete", ActionKind.DELETE, now, comment_id=comment.id)
    if plan.restore and cancel_pending(session, comment.id, None, ActionKind.DELETE) == 0:
        enqueue(session, f"{prefix}:restore", ActionKind.RESTORE, now, comment_id=comment.id)
    if plan.restriction is not None:
        rid = add_restriction(session, plan.restriction, comment.id, request.moderator_id, now)
        enqueue(session, f"{prefix}:restrict", ActionKind.RESTRICT, now, restriction_id=rid)
    for rid in plan.lift_restriction_ids:
        if cancel_pending(session, None, rid, ActionKind.RESTRICT) > 0:
            _mark_lifted(session, rid, now)
        else:
            enqueue(session, f"{prefix}:lift:{rid}", ActionKind.LIFT, now, restriction_id=rid)
    if plan.violation is True and comment.violation_at is None:
        comment.violation_at = now
    elif plan.violation is False:
        comment.violation_at = None
    session.add(comment)


def _mark_lifted(session: Session, restriction_id: int, now: datetime) -> None:
    row = session.get(RestrictionRow, restriction_id)
    if row is not None and row.lifted_at is None:
        row.lifted_at = now
        session.add(row)


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
    """Moderators' decisions as training rows: {"text", "grounds", "action"}, oldest first."""
    stmt = (
        select(CommentRow.text, DecisionRow.choice, VerdictRow.grounds)
        .join(ReviewCardRow, col(ReviewCardRow.id) == col(DecisionRow.card_id))
        .join(CommentRow, col(CommentRow.id) == col(ReviewCardRow.comment_id))
        .join(VerdictRow, col(VerdictRow.id) == col(ReviewCardRow.verdict_id))
        .order_by(col(DecisionRow.at), col(DecisionRow.id))
    )
    rows: list[dict[str, Any]] = []
    for text, choice, grounds in session.exec(stmt).all():
        deleting = ModeratorChoice(choice) in DELETING
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
