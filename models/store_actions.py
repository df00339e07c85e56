"""The action queue: claim a lane's due work, renew leases, record how it went.

Claims use the database's row locking where it has one (PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, and a
transaction-scoped advisory lock for a lane one process holds at a time); SQLite has one writer, so its
transaction is the lock. Every transition is conditional on the claim (running, with the attempt count it
was claimed with), so a holder that lost its claim cannot overwrite the outcome recorded by the one that took
over.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, not_, or_, text, true, update
from sqlmodel import Session, col, select

from models.store_support import audit, comment_of, table_of, verdict_of
from models.tables import ActionRow, CommentRow, RestrictionRow, ReviewCardRow, VerdictRow
from moderation.daemon.ports import Restriction, ReviewCard
from moderation.daemon.queue import ON_PLATFORM_KINDS, LaneSpec, Owner, Settlement
from moderation.daemon.records import ActionKind, ActionStatus, QueuedAction
from moderation.types import Ground, Platform

PENDING = ActionStatus.PENDING.value
RUNNING = ActionStatus.RUNNING.value
ENDED = frozenset({ActionStatus.DONE, ActionStatus.FAILED, ActionStatus.PARKED})


def claim(
    session: Session, lane: LaneSpec | None, owner: Owner, now: datetime, limit: int, lease: timedelta
) -> list[QueuedAction]:
    """Take up to `limit` due actions of `lane` (None: any), counting one attempt each.

    Due: pending and scheduled by now, or running under a lease that ran out or a holder that is dead.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    dead = _dead_holders(session, owner, now)
    if lane is not None and lane.exclusive:
        if postgres:
            session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(lane)})
        if _held_elsewhere(session, lane, owner, dead, now):
            return []
    _settle_unknown_notices(session, lane, now, dead)
    due = _due(now, dead)
    stmt = (
        select(ActionRow.id)
        .where(due, _lane_filter(lane))
        .order_by(_deletions_first(), col(ActionRow.next_attempt_at), col(ActionRow.id))
        .limit(limit)
    )
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True, of=ActionRow)
    ids = [found for found in session.exec(stmt).all() if found is not None]
    if not ids:
        return []
    claimed = session.connection().execute(
        update(ActionRow)
        .where(col(ActionRow.id).in_(ids), due)
        .values(
            status=RUNNING,
            lease_until=now + lease,
            claimed_by=owner.key,
            attempts=col(ActionRow.attempts) + 1,
            updated_at=now,
        )
        .returning(table_of(ActionRow).c.id, table_of(ActionRow).c.attempts)
    )
    attempts: dict[int, int] = {int(row[0]): int(row[1]) for row in claimed.all()}
    return _load(session, [i for i in ids if i in attempts], attempts)


#: A notice to an author is sent at most once: one whose sender died (or whose outcome was never recorded)
#: may have reached the author, and a second copy of the same message is worse than none.
NOTICE_UNKNOWN = "исход неизвестен (отправитель остановился): уведомление не повторяется"


def _settle_unknown_notices(
    session: Session, lane: LaneSpec | None, now: datetime, dead: Sequence[str]
) -> None:
    """Notices left running by a holder that is gone are closed as done, never sent again."""
    session.connection().execute(
        update(ActionRow)
        .where(
            col(ActionRow.kind) == ActionKind.NOTICE.value,
            col(ActionRow.status) == RUNNING,
            _lapsed(now, dead),
            _lane_filter(lane),
        )
        .values(status=ActionStatus.DONE.value, lease_until=None, last_error=NOTICE_UNKNOWN, updated_at=now)
    )


def _deletions_first() -> ColumnElement[int]:
    """A due deletion is taken before anything else due on its token: in a raid every comment goes before
    its author's restriction (which then shares a batch with later ones), in a steady stream a restriction
    goes in the same batch as its deletion."""
    return case((col(ActionRow.kind) == ActionKind.DELETE.value, 0), else_=1)


def _lapsed(now: datetime, dead: Sequence[str]) -> ColumnElement[bool]:
    lapsed = or_(col(ActionRow.lease_until).is_(None), col(ActionRow.lease_until) <= now)
    if dead:
        lapsed = or_(lapsed, col(ActionRow.claimed_by).in_(dead))
    return lapsed


def _due(now: datetime, dead: Sequence[str]) -> ColumnElement[bool]:
    return or_(
        and_(col(ActionRow.status) == PENDING, col(ActionRow.next_attempt_at) <= now),
        and_(col(ActionRow.status) == RUNNING, _lapsed(now, dead)),
    )


def _lane_filter(lane: LaneSpec | None) -> ColumnElement[bool]:
    if lane is None:
        return true()
    pages = true() if lane.pages is None else _about(lane.pages)
    if lane.platform is None and not lane.served:
        return pages
    if lane.platform is not None:
        kinds = col(ActionRow.kind).in_([kind.value for kind in lane.kinds])
        return and_(kinds, _acts_on([lane.platform]), pages)
    on_platform = col(ActionRow.kind).in_([kind.value for kind in ON_PLATFORM_KINDS])
    return and_(or_(not_(on_platform), not_(_acts_on(lane.served))), pages)


def _acts_on(platforms: Iterable[Platform]) -> ColumnElement[bool]:
    values = [platform.value for platform in platforms]
    comment = exists().where(
        col(CommentRow.id) == col(ActionRow.comment_id), col(CommentRow.platform).in_(values)
    )
    restriction = exists().where(
        col(RestrictionRow.id) == col(ActionRow.restriction_id), col(RestrictionRow.platform).in_(values)
    )
    return or_(comment, restriction)


def _about(pages: frozenset[tuple[Platform, str]]) -> ColumnElement[bool]:
    """The action's comment, restriction or card is about one of `pages`."""
    by_platform: dict[str, list[str]] = {}
    for platform, page_id in pages:
        by_platform.setdefault(platform.value, []).append(page_id)
    comment = or_(
        false(),
        *(
            and_(col(CommentRow.platform) == p, col(CommentRow.page_id).in_(ids))
            for p, ids in by_platform.items()
        ),
    )
    restriction = or_(
        false(),
        *(
            and_(col(RestrictionRow.platform) == p, col(RestrictionRow.page_id).in_(ids))
            for p, ids in by_platform.items()
        ),
    )
    by_card = exists().where(
        col(ReviewCardRow.id) == col(ActionRow.card_id),
        col(CommentRow.id) == col(ReviewCardRow.comment_id),
        comment,
    )  # a card's redraw names only its card
    return or_(
        exists().where(col(CommentRow.id) == col(ActionRow.comment_id), comment),
        exists().where(col(RestrictionRow.id) == col(ActionRow.restriction_id), restriction),
        by_card,
    )


def _live_holders(session: Session, owner: Owner, now: datetime) -> list[str]:
    rows = session.exec(
        select(ActionRow.claimed_by)
        .where(col(ActionRow.status) == RUNNING, col(ActionRow.lease_until) > now)
        .where(col(ActionRow.claimed_by).is_not(None), col(ActionRow.claimed_by) != owner.key)
        .distinct()
    ).all()
    return [str(holder) for holder in rows if holder]


def _dead_holders(session: Session, owner: Owner, now: datetime) -> list[str]:
    """Holders of unexpired claims that are dead processes of this host: their claims are taken at once."""
    dead = []
    for holder in _live_holders(session, owner, now):
        parsed = Owner.parse(holder)
        if parsed is not None and owner.is_dead_peer(parsed):
            dead.append(holder)
    return dead


def _held_elsewhere(
    session: Session, lane: LaneSpec, owner: Owner, dead: Sequence[str], now: datetime
) -> bool:
    """True when another live process holds running actions of the lane, about any page (one chat)."""
    stmt = select(ActionRow.id).where(
        col(ActionRow.status) == RUNNING,
        col(ActionRow.lease_until) > now,
        col(ActionRow.claimed_by) != owner.key,
        _lane_filter(dataclasses.replace(lane, pages=None)),
    )
    if dead:
        stmt = stmt.where(col(ActionRow.claimed_by).not_in(dead))
    return session.exec(stmt.limit(1)).first() is not None


def _lock_key(lane: LaneSpec) -> int:
    digest = hashlib.sha256(f"dozor-lane:{lane.name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _load(session: Session, ids: Sequence[int], attempts: dict[int, int]) -> list[QueuedAction]:
    """The claimed rows with everything needed to perform them, read in a few queries, in claim order."""
    rows = {row.id: row for row in session.exec(select(ActionRow).where(col(ActionRow.id).in_(ids))).all()}
    cards = _by_id(session, ReviewCardRow, {row.card_id for row in rows.values()})
    comment_ids = {row.comment_id for row in rows.values()} | {card.comment_id for card in cards.values()}
    comments = _by_id(session, CommentRow, comment_ids)
    restrictions = _by_id(session, RestrictionRow, {row.restriction_id for row in rows.values()})
    verdicts = _by_id(session, VerdictRow, {card.verdict_id for card in cards.values()})
    out = []
    for action_id in ids:
        row = rows[action_id]
        comment_row = comments.get(row.comment_id)
        restriction_row = restrictions.get(row.restriction_id)
        card_row = cards.get(row.card_id)
        out.append(
            QueuedAction(
                id=action_id,
                kind=ActionKind(row.kind),
                attempts=attempts[action_id],
                idempotency_key=row.idempotency_key,
                comment=comment_of(comment_row) if comment_row is not None else None,
                restriction=restriction_of(restriction_row) if restriction_row is not None else None,
                restriction_id=row.restriction_id,
                card=_card(card_row, comments, verdicts) if card_row is not None else None,
            )
        )
    return out


def _by_id(session: Session, model: Any, ids: Iterable[int | None]) -> dict[int | None, Any]:
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted))).all()}


def _card(
    card_row: ReviewCardRow, comments: dict[int | None, Any], verdicts: dict[int | None, Any]
) -> ReviewCard | None:
    comment_row, verdict_row = comments.get(card_row.comment_id), verdicts.get(card_row.verdict_id)
    if card_row.id is None or comment_row is None or verdict_row is None:
        return None
    return ReviewCard(
        card_id=card_row.id,
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


def renew(session: Session, action_ids: Sequence[int], owner: Owner, until: datetime) -> int:
    """Extend the lease of the actions `owner` still holds."""
    if not action_ids:
        return 0
    result = session.connection().execute(
        update(ActionRow)
        .where(col(ActionRow.id).in_(list(action_ids)), col(ActionRow.status) == RUNNING)
        .where(col(ActionRow.claimed_by) == owner.key)
        .values(lease_until=until)
    )
    return int(getattr(result, "rowcount", 0))


def settle(session: Session, settlements: Sequence[Settlement], now: datetime) -> int:
    """Record each outcome if the claim is still ours; how many were."""
    return sum(_settle_one(session, item, now) for item in settlements)


def _settle_one(session: Session, item: Settlement, now: datetime) -> bool:
    status = item.status
    if status not in ENDED and status is not ActionStatus.PENDING:
        raise ValueError(f"an action settles as done, pending, failed or parked, not {status}")
    values: dict[str, Any] = {"status": status.value, "last_error": item.error}
    if status is ActionStatus.PENDING:
        values["next_attempt_at"] = item.at or now
        if not item.counted:
            values["attempts"] = max(item.attempt - 1, 0)
            values.pop("last_error")  # waiting out a rate limit is not an error to show
    row = _transition(session, item.action_id, item.attempt, now, **values)
    if row is None:
        return False
    if status is ActionStatus.DONE:
        _apply_done(session, row, item.message_ref, now)
        audit(session, now, "runner", "action_done", {"action": row.id, "kind": row.kind, "note": item.error})
    elif status in (ActionStatus.FAILED, ActionStatus.PARKED):
        event = f"action_{status.value}"
        audit(session, now, "runner", event, {"action": row.id, "kind": row.kind, "error": item.error})
    return True


def _transition(
    session: Session, action_id: int, attempt: int | None, now: datetime, **values: object
) -> ActionRow | None:
    """Move a running action on; None when it is no longer ours (see the module docstring)."""
    stmt = update(ActionRow).where(col(ActionRow.id) == action_id, col(ActionRow.status) == RUNNING)
    if attempt is not None:
        stmt = stmt.where(col(ActionRow.attempts) == attempt)
    result = session.connection().execute(
        stmt.values(updated_at=now, lease_until=None, claimed_by=None, **values)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(ActionRow, action_id, populate_existing=True)


def _apply_done(session: Session, row: ActionRow, message_ref: str | None, now: datetime) -> None:
    """A card's message reference; a lifted restriction's end."""
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


def attempts_of(session: Session, action_id: int) -> int:
    """An action's attempt count now (0 when there is no such action)."""
    row = session.get(ActionRow, action_id)
    return row.attempts if row is not None else 0
