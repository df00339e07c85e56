"""Moderation figures for the weekly digest, read from the pipeline's tables
(monitor.ports.ModerationStats)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models.tables import ActionRow, DecisionRow, RestrictionRow, ReviewCardRow, VerdictRow
from models.values import ModerationFigures
from moderation.daemon.records import ActionKind, ActionStatus, CardStatus

OVERTURNING = frozenset({"keep", "restore"})


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _main_ground(session: Session, verdict_id: int | None, comment_id: int | None) -> str:
    """The strongest ground of the verdict behind a card or a deletion ("moderator" when none was named);
    for a deletion, the latest verdict that names one (a later restore does not unname it)."""
    query = select(VerdictRow)
    if verdict_id is not None:
        query = query.where(VerdictRow.id == verdict_id)
    else:
        query = query.where(VerdictRow.comment_id == comment_id).order_by(col(VerdictRow.id).desc())
    for verdict in session.exec(query.limit(5)).all():
        if verdict.grounds:
            return max(verdict.grounds, key=lambda g: verdict.scores.get(g, 0.0))
    return "moderator"


def figures(engine: Engine, since: datetime, until: datetime) -> ModerationFigures:
    with Session(engine) as session:
        checked = session.exec(
            select(func.count(func.distinct(VerdictRow.comment_id))).where(
                VerdictRow.at >= since, VerdictRow.at < until
            )
        ).one()
        deletes = session.exec(
            select(ActionRow).where(
                ActionRow.kind == ActionKind.DELETE.value,
                ActionRow.status == ActionStatus.DONE.value,
                ActionRow.updated_at >= since,
                ActionRow.updated_at < until,
            )
        ).all()
        deleted = Counter(_main_ground(session, None, a.comment_id) for a in deletes)
        cards = session.exec(
            select(ReviewCardRow).where(ReviewCardRow.created_at >= since, ReviewCardRow.created_at < until)
        ).all()
        # a card whose decision was taken back (reopened) is counted once, by the card that replaced it
        taken_back = CardStatus.REOPENED.value
        review = Counter(
            _main_ground(session, c.verdict_id, None)
            for c in cards
            if not c.auto_deleted and c.status != taken_back
        )
        reopened = {
            c.id for c in session.exec(select(ReviewCardRow).where(ReviewCardRow.status == taken_back))
        }
        decisions = [
            d
            for d in session.exec(select(DecisionRow).where(DecisionRow.at >= since, DecisionRow.at < until))
            if d.card_id not in reopened
        ]
        auto = {
            c.id for c in session.exec(select(ReviewCardRow).where(col(ReviewCardRow.auto_deleted))).all()
        }
        overturned = sum(1 for d in decisions if d.card_id in auto and d.choice in OVERTURNING)
        restrictions = session.exec(
            select(func.count())
            .select_from(RestrictionRow)
            .where(RestrictionRow.start >= since, RestrictionRow.start < until)
        ).one()
        waiting = session.exec(
            select(ReviewCardRow).where(
                ReviewCardRow.status == CardStatus.OPEN.value, ~col(ReviewCardRow.auto_deleted)
            )
        ).all()
    return ModerationFigures(
        comments_checked=int(checked),
        deleted_by_ground=dict(deleted),
        review_by_ground=dict(review),
        decisions=dict(Counter(d.choice for d in decisions)),
        overturned_auto_deletions=overturned,
        restrictions=int(restrictions),
        waiting_cards=len(waiting),
        oldest_waiting_since=min((_aware(c.created_at) for c in waiting), default=None),  # type: ignore[type-var]
    )


class SqlModerationStats:
    """ModerationStats over the pipeline's tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def figures(self, since: datetime, until: datetime) -> ModerationFigures:
        return await asyncio.to_thread(figures, self.engine, since, until)
