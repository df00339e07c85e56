"""Retention: a comment's text and its author's name are purged once the configured period has passed.

What stays is the decision record: the comment's ids, page, post and author id, its status and violation
time, every verdict (grounds, scores, rules, spans), cards, moderators' decisions, restrictions, actions and
the audit log. A personal-data finding's masked detail (the last digits of a phone, a name's initials) is
part of the text and goes with it. A comment still needed is left for a later run: one not yet decided, one
with a card open for moderators, one with an action not yet done.

`comment_purges` remembers which comments were purged, so that a later redelivery of one (a catch-up
reading an old thread) is not mistaken for an edit of its text and decided, and acted on, again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.store_support import audit, upsert
from models.tables import ActionRow, CommentRow, ReviewCardRow, VerdictRow

log = logging.getLogger(__name__)

PURGED_DETAIL = "удалено по сроку хранения"
BATCH = 500
_RECEIVED = "received"  # not yet decided (models.store_comments.RECEIVED)
_UNFINISHED_ACTIONS = ("pending", "running")
_OPEN_CARD = "open"
_PERSONAL_DATA = "personal_data"


class CommentPurge(SQLModel, table=True):
    """A comment whose text and author's name were purged, and when (again after an edit)."""

    __tablename__ = "comment_purges"

    comment_id: int = Field(primary_key=True, foreign_key="comments.id")
    purged_at: datetime


@dataclass(frozen=True)
class PurgeReport:
    """One purge: texts removed now, and older ones kept because they are still needed."""

    cutoff: datetime
    purged: int
    waiting: int


def was_purged(session: Session, comment_id: int) -> bool:
    """Whether the comment's text was purged (its stored text is empty, not the comment's)."""
    return session.get(CommentPurge, comment_id) is not None


def purge_expired(engine: Engine, cutoff: datetime, now: datetime, batch: int = BATCH) -> PurgeReport:
    """Purge every comment received before `cutoff` that is no longer needed, `batch` rows a transaction."""
    purged = 0
    while True:
        with Session(engine) as session:
            ids = [cid for cid in session.exec(_expired(cutoff).limit(batch)).all() if cid is not None]
            if not ids:
                break
            _purge(session, ids, now)
            purged += len(ids)
            session.commit()
    with Session(engine) as session:
        waiting = int(session.exec(select(func.count()).where(*_holding_data(cutoff))).one())
        if purged:
            audit(session, now, "retention", "purged", {"comments": purged, "cutoff": cutoff.isoformat()})
            session.commit()
    return PurgeReport(cutoff, purged, waiting)


def _holding_data(cutoff: datetime) -> tuple[Any, ...]:
    return (
        col(CommentRow.received_at) < cutoff,
        or_(col(CommentRow.text) != "", col(CommentRow.author_name).is_not(None)),
    )


def _expired(cutoff: datetime) -> Any:
    """Ids of comments past the period, still holding a text or a name, and needed by nothing."""
    unfinished = select(ActionRow.comment_id).where(
        col(ActionRow.status).in_(_UNFINISHED_ACTIONS), col(ActionRow.comment_id).is_not(None)
    )
    open_cards = select(ReviewCardRow.comment_id).where(col(ReviewCardRow.status) == _OPEN_CARD)
    return (
        select(CommentRow.id)
        .where(*_holding_data(cutoff), col(CommentRow.status) != _RECEIVED)
        .where(col(CommentRow.id).not_in(unfinished), col(CommentRow.id).not_in(open_cards))
        .order_by(col(CommentRow.id))
    )


def _purge(session: Session, ids: list[int], now: datetime) -> None:
    session.connection().execute(
        update(CommentRow).where(col(CommentRow.id).in_(ids)).values(text="", author_name=None)
    )
    for row in session.exec(select(VerdictRow).where(col(VerdictRow.comment_id).in_(ids))).all():
        scrubbed = [_without_text(item) for item in row.evidence]
        if scrubbed != row.evidence:
            row.evidence = scrubbed
            session.add(row)
    for comment_id in ids:
        upsert(session, CommentPurge, {"comment_id": comment_id, "purged_at": now}, ("comment_id",))


def _without_text(item: dict[str, Any]) -> dict[str, Any]:
    """Evidence as kept: rule, ground, score and spans; a personal-data detail quotes the text, so it goes."""
    if item.get("ground") == _PERSONAL_DATA and item.get("detail") not in (None, "", PURGED_DETAIL):
        return {**item, "detail": PURGED_DETAIL}
    return item


@dataclass(frozen=True)
class RetentionJob:
    """The scheduled purge: texts older than `days` go, as of the moment the scheduler gives."""

    engine: Engine
    days: int

    async def __call__(self, now: datetime) -> PurgeReport:
        report = await asyncio.to_thread(purge_expired, self.engine, now - timedelta(days=self.days), now)
        log.info(
            "retention: texts of %d comments received before %s purged; %d older ones still needed",
            report.purged, report.cutoff.isoformat(), report.waiting,
        )  # fmt: skip
        return report
