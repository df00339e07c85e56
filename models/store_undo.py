"""Taking decisions back: a card's decision reversed action by action and the card reopened in its message;
a report of automatic deletions acknowledged (its cards closed) or that acknowledgement taken back.

Each function runs inside the caller's transaction (models.store.Store opens and commits it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.store_comments import enqueue
from models.store_decisions import PENDING, UNDER_WAY, add_event, enqueue_refresh, set_lifted
from models.store_support import audit
from models.tables import ActionRow, CommentRow, ReviewCardRow, VerdictRow
from models.tables_workbench import CardEvent, CardReport, ReportItem
from moderation.daemon.ports import DecisionRequest, ReportRequest
from moderation.daemon.records import ActionKind, ActionStatus, CardStatus, DecidedBy, ReportInfo

INVERSE = {
    ActionKind.DELETE.value: ActionKind.RESTORE,
    ActionKind.RESTORE.value: ActionKind.DELETE,
    ActionKind.RESTRICT.value: ActionKind.LIFT,
    ActionKind.LIFT.value: ActionKind.RESTRICT,
}


def undo_decision(session: Session, card_id: int, request: DecisionRequest, now: datetime) -> int | None:
    """Take back a card's decision: reverse what it did and open a new card for the same comment in the same
    message. None when the card is not decided (another press took it back first)."""
    card = session.get(ReviewCardRow, card_id)
    if card is None or card.status != CardStatus.DECIDED.value or card.id is None:
        return None
    event = session.exec(
        select(CardEvent)
        .where(CardEvent.card_id == card_id, CardEvent.kind == "decided")
        .order_by(col(CardEvent.id).desc())
    ).first()
    effects: dict[str, Any] = dict(event.details) if event is not None else {}
    for action_id in effects.get("queued", []):
        _take_back(session, int(action_id), card_id, now)
    for action_id in effects.get("cancelled", []):
        _resume(session, int(action_id), now)
    for restriction_id in effects.get("lifted", []):
        set_lifted(session, int(restriction_id), None)
    comment = session.get(CommentRow, card.comment_id)
    assert comment is not None
    before = effects.get("violation_before")
    comment.violation_at = datetime.fromisoformat(before) if before else None
    session.add(comment)
    session.connection().execute(
        delete(VerdictRow).where(
            col(VerdictRow.comment_id) == card.comment_id,
            col(VerdictRow.decided_by) == DecidedBy.MODERATOR.value,
            col(VerdictRow.at) == card.decided_at,
        )
    )
    return _reopen(session, card, request, now)


def _reopen(session: Session, card: ReviewCardRow, request: DecisionRequest, now: datetime) -> int:
    assert card.id is not None
    card.status = CardStatus.REOPENED.value
    session.add(card)
    fresh = ReviewCardRow(
        comment_id=card.comment_id,
        verdict_id=card.verdict_id,
        message_ref=card.message_ref,
        auto_deleted=card.auto_deleted,
        created_at=now,
    )
    session.add(fresh)
    session.flush()
    assert fresh.id is not None
    item = session.get(ReportItem, card.id)
    if item is not None:
        session.add(ReportItem(card_id=fresh.id, report_id=item.report_id, position=item.position))
    details = {"reopened_as": fresh.id}
    add_event(session, card.id, "undone", request.moderator_id, request.moderator_name, now, details)
    enqueue_refresh(session, fresh.id, "reopened", now)
    audit(session, now, request.moderator_id, "decision_undone", {"card": card.id, "reopened_as": fresh.id})
    return fresh.id


def _take_back(session: Session, action_id: int, card_id: int, now: datetime) -> None:
    """Cancel an action that has not started; queue its inverse when it has (or is running)."""
    row = session.get(ActionRow, action_id)
    if row is None:
        return
    if row.status == PENDING:
        row.status = ActionStatus.CANCELLED.value
        session.add(row)
        if row.kind == ActionKind.RESTRICT.value and row.restriction_id is not None:
            set_lifted(session, row.restriction_id, now)  # it never reached the platform
        return
    inverse = INVERSE.get(row.kind)
    if row.status not in UNDER_WAY or inverse is None:
        return
    if inverse is ActionKind.RESTRICT and row.restriction_id is not None:
        set_lifted(session, row.restriction_id, None)
    key = f"undo:{card_id}:{action_id}"
    enqueue(session, key, inverse, now, comment_id=row.comment_id, restriction_id=row.restriction_id)


def _resume(session: Session, action_id: int, now: datetime) -> None:
    """An action the decision cancelled goes back to the queue (and its restriction back in force)."""
    row = session.get(ActionRow, action_id)
    if row is None or row.status != ActionStatus.CANCELLED.value:
        return
    row.status, row.next_attempt_at, row.updated_at = PENDING, now, now
    session.add(row)
    if row.kind == ActionKind.RESTRICT.value and row.restriction_id is not None:
        set_lifted(session, row.restriction_id, None)


def report_info(session: Session, report_id: int) -> ReportInfo | None:
    report = session.get(CardReport, report_id)
    if report is None or report.id is None:
        return None
    open_items = session.exec(
        select(ReviewCardRow.id)
        .join(ReportItem, col(ReportItem.card_id) == col(ReviewCardRow.id))
        .where(ReportItem.report_id == report_id, ReviewCardRow.status == CardStatus.OPEN.value)
    ).all()
    return ReportInfo(
        report.id,
        report.message_ref,
        len(open_items),
        report.acknowledged_at,
        report.acknowledged_by_name or report.acknowledged_by,
    )


def acknowledge_report(session: Session, request: ReportRequest, now: datetime) -> bool:
    """Close the report's open automatic deletions (or, undoing, reopen those this acknowledgement closed)."""
    report = session.get(CardReport, request.report_id)
    if report is None or report.id is None:
        return False
    cards = session.exec(
        select(ReviewCardRow)
        .join(ReportItem, col(ReportItem.card_id) == col(ReviewCardRow.id))
        .where(ReportItem.report_id == report.id)
    ).all()
    if request.undo:
        if report.acknowledged_at is None:
            return False
        closed_by_it = CardStatus.CLOSED.value, report.acknowledged_at
        targets = [card for card in cards if (card.status, card.decided_at) == closed_by_it]
        status, decided_at, event = CardStatus.OPEN.value, None, "ack_undone"
        report.acknowledged_at = report.acknowledged_by = report.acknowledged_by_name = None
    else:
        if report.acknowledged_at is not None:
            return False
        targets = [card for card in cards if card.status == CardStatus.OPEN.value]
        status, decided_at, event = CardStatus.CLOSED.value, now, "acknowledged"
        report.acknowledged_at, report.acknowledged_by = now, request.moderator_id
        report.acknowledged_by_name = request.moderator_name
    session.add(report)
    for card in targets:
        assert card.id is not None
        card.status, card.decided_at = status, decided_at
        session.add(card)
        add_event(session, card.id, event, request.moderator_id, request.moderator_name, now)
    if cards and cards[0].id is not None:
        enqueue_refresh(session, cards[0].id, event, now)
    audit(session, now, request.moderator_id, f"report_{event}", {"report": report.id, "cards": len(targets)})
    return True
