"""The action queue: claim what is due, record how it went. Every transition is a conditional update, so a
runner that lost its lease (it was presumed dead) cannot overwrite the outcome of the one that took over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from models.store_support import audit, comment_of, verdict_of
from models.tables import ActionRow, CommentRow, RestrictionRow, ReviewCardRow, VerdictRow
from moderation.daemon.ports import Restriction, ReviewCard
from moderation.daemon.records import ActionKind, ActionStatus, QueuedAction
from moderation.types import Ground, Platform

PENDING = ActionStatus.PENDING.value
RUNNING = ActionStatus.RUNNING.value


def claim_due(session: Session, now: datetime, limit: int, lease: timedelta) -> list[QueuedAction]:
    """Take up to `limit` due actions (and ones whose runner's lease ran out), counting one attempt each."""
    due = or_(
        (col(ActionRow.status) == PENDING) & (col(ActionRow.next_attempt_at) <= now),
        (col(ActionRow.status) == RUNNING) & (col(ActionRow.lease_until) <= now),
    )
    stmt = (
        select(ActionRow).where(due).order_by(col(ActionRow.next_attempt_at), col(ActionRow.id)).limit(limit)
    )
    claimed: list[QueuedAction] = []
    for row in session.exec(stmt).all():
        assert row.id is not None
        result = session.connection().execute(
            update(ActionRow)
            .where(col(ActionRow.id) == row.id, col(ActionRow.status) == row.status)
            .where(col(ActionRow.attempts) == row.attempts)
            .values(status=RUNNING, lease_until=now + lease, attempts=row.attempts + 1, updated_at=now)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(_queued(session, row, row.attempts + 1))
    return claimed


def _queued(session: Session, row: ActionRow, attempts: int) -> QueuedAction:
    assert row.id is not None
    comment_row = session.get(CommentRow, row.comment_id) if row.comment_id is not None else None
    restriction_row = (
        session.get(RestrictionRow, row.restriction_id) if row.restriction_id is not None else None
    )
    card = _card(session, row.card_id, comment_row) if row.card_id is not None else None
    return QueuedAction(
        id=row.id,
        kind=ActionKind(row.kind),
        attempts=attempts,
        idempotency_key=row.idempotency_key,
        comment=comment_of(comment_row) if comment_row is not None else None,
        restriction=restriction_of(restriction_row) if restriction_row is not None else None,
        restriction_id=row.restriction_id,
        card=card,
    )


def _card(session: Session, card_id: int, comment_row: CommentRow | None) -> ReviewCard | None:
    card_row = session.get(ReviewCardRow, card_id)
    if card_row is None:
        return None
    comment_row = comment_row or session.get(CommentRow, card_row.comment_id)
    verdict_row = session.get(VerdictRow, card_row.verdict_id)
    if comment_row is None or verdict_row is None:
        return None
    return ReviewCard(
        card_id=card_id,
        comment=comment_of(comment_row),
        verdict=verdict_of(verdict_row, comment_row.key),
        auto_deleted=card_row.auto_deleted,
    )


def restriction_of(row: RestrictionRow) -> Restriction:
    """The core's view of a stored restriction."""
    return Restriction(
        platform=Platform(row.platform),
        page_id=row.page_id,
        author_id=row.author_id,
        until=row.until,
        ground=Ground(row.ground),
        comment=row.notice or "",
        author_is_chat=row.author_is_chat,
    )


def _transition(
    session: Session, action_id: int, attempt: int | None, now: datetime, **values: object
) -> ActionRow | None:
    """Move a running action on; None when it is no longer ours.

    `attempt` (the count at claim time) identifies the claim: a runner that lost its lease and was taken over
    cannot overwrite the outcome of the runner that took over, nor one cancelled meanwhile.
    """
    stmt = update(ActionRow).where(col(ActionRow.id) == action_id, col(ActionRow.status) == RUNNING)
    if attempt is not None:
        stmt = stmt.where(col(ActionRow.attempts) == attempt)
    result = session.connection().execute(stmt.values(updated_at=now, lease_until=None, **values))
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(ActionRow, action_id, populate_existing=True)


def complete(
    session: Session,
    action_id: int,
    now: datetime,
    note: str | None,
    message_ref: str | None,
    attempt: int | None,
) -> bool:
    """The action took effect (or its target was gone already); apply its side effects on our records."""
    row = _transition(session, action_id, attempt, now, status=ActionStatus.DONE.value, last_error=note)
    if row is None:
        return False
    if row.kind == ActionKind.CARD.value and row.card_id is not None and message_ref is not None:
        card = session.get(ReviewCardRow, row.card_id)
        if card is not None:
            card.message_ref = message_ref
            session.add(card)
    if row.kind == ActionKind.LIFT.value and row.restriction_id is not None:
        restriction = session.get(RestrictionRow, row.restriction_id)
        if restriction is not None and restriction.lifted_at is None:
            restriction.lifted_at = now
            session.add(restriction)
    audit(session, now, "runner", "action_done", {"action": action_id, "kind": row.kind, "note": note})
    return True


def reschedule(
    session: Session, action_id: int, at: datetime, error: str, now: datetime, attempt: int | None
) -> bool:
    """Try again at `at`; the attempt already counted at claim time."""
    return (
        _transition(session, action_id, attempt, now, status=PENDING, next_attempt_at=at, last_error=error)
        is not None
    )


def defer(session: Session, action_id: int, at: datetime, now: datetime, attempt: int | None) -> bool:
    """Put back unattempted (its platform is rate limited), taking back the attempt counted at claim time."""
    row = session.get(ActionRow, action_id)
    if row is None:
        return False
    attempts = max(row.attempts - 1, 0)
    return (
        _transition(session, action_id, attempt, now, status=PENDING, next_attempt_at=at, attempts=attempts)
        is not None
    )


def give_up(
    session: Session, action_id: int, status: ActionStatus, error: str, now: datetime, attempt: int | None
) -> bool:
    """Stop trying: FAILED when retrying cannot help, PARKED when retries ran out; both show in status."""
    if status not in (ActionStatus.FAILED, ActionStatus.PARKED):
        raise ValueError(f"give_up takes failed or parked, not {status}")
    row = _transition(session, action_id, attempt, now, status=status.value, last_error=error)
    if row is None:
        return False
    audit(
        session,
        now,
        "runner",
        f"action_{status.value}",
        {"action": action_id, "kind": row.kind, "error": error},
    )
    return True


def cancel_pending(
    session: Session, comment_id: int | None, restriction_id: int | None, kind: ActionKind
) -> int:
    """Cancel not-yet-started actions of a kind for a comment or restriction; how many were cancelled."""
    stmt = update(ActionRow).where(col(ActionRow.status) == PENDING, col(ActionRow.kind) == kind.value)
    if comment_id is not None:
        stmt = stmt.where(col(ActionRow.comment_id) == comment_id)
    if restriction_id is not None:
        stmt = stmt.where(col(ActionRow.restriction_id) == restriction_id)
    result = session.connection().execute(stmt.values(status=ActionStatus.CANCELLED.value))
    return int(getattr(result, "rowcount", 0))
