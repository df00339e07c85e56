"""Comments in, verdicts and their planned consequences recorded: the transactional heart of the pipeline.

Each function runs inside the caller's transaction (models.store.Store opens and commits it).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from models.retention import was_purged
from models.store_support import (
    audit,
    comment_of,
    comment_values,
    evidence_json,
    insert_ignoring_conflict,
    upsert,
)
from models.tables import ActionRow, CommentRow, Post, RestrictionRow, ReviewCardRow, VerdictRow
from moderation.daemon.ports import IncomingComment, Restriction
from moderation.daemon.records import ActionKind, CardStatus, DecidedBy, Plan
from moderation.daemon.restrictions import restriction_for
from moderation.types import Platform, Verdict

RECEIVED = "received"
DECIDED = "decided"


def record_comment(session: Session, comment: IncomingComment, now: datetime) -> int | None:
    """The revision to decide, or None when there is nothing to do (a redelivery of a decided comment).

    A new comment is stored as received; one stored but never decided (the process died in between) is
    decided now; one whose text changed (an edit) gets a new revision and is decided again.
    """
    row = session.exec(select(CommentRow).where(CommentRow.key == comment.key)).first()
    if row is None:
        if not insert_ignoring_conflict(session, CommentRow, comment_values(comment, now)):
            return None  # another worker stored it a moment ago and will decide it
        return 1
    if row.text == comment.text:
        return row.revision if row.status == RECEIVED else None
    if not comment.edited and row.id is not None and was_purged(session, row.id):
        return None  # the stored text was purged for retention, not changed: a redelivery
    # The text changed (an edit, possibly before the old text was even decided): a decision in flight for the
    # old revision will no longer match and is discarded by commit_verdict.
    row.text = comment.text
    row.revision += 1
    row.status = RECEIVED
    row.received_at = now
    session.add(row)
    return row.revision


def commit_verdict(
    session: Session,
    key: str,
    revision: int,
    verdict: Verdict,
    decided_by: DecidedBy,
    model_version: str | None,
    plan: Plan,
    now: datetime,
) -> bool:
    """Record the verdict and every intent it leads to; nothing (False) if this revision is decided.

    An escalating plan counts the author's earlier violations here, under a per-author lock, so that two
    violations decided at once are counted one after the other (the second sees the first) and the
    restriction intent is committed with the verdict that causes it.
    """
    row = session.exec(select(CommentRow).where(CommentRow.key == key)).first()
    if row is None:
        return False
    if plan.escalation is not None:
        lock_author(session, row.platform, row.page_id, row.author_id)
    claimed = session.connection().execute(
        update(CommentRow)
        .where(
            col(CommentRow.key) == key,
            col(CommentRow.revision) == revision,
            col(CommentRow.status) == RECEIVED,
        )
        .values(status=DECIDED, **({"violation_at": now} if plan.violation else {}))
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return False
    session.refresh(row)
    assert row.id is not None
    plan = _escalated(session, row, plan, now)
    verdict_row = _verdict_row(row.id, revision, verdict, decided_by, model_version, now)
    session.add(verdict_row)
    session.flush()
    _supersede_open_cards(session, row.id)
    _enqueue_plan(session, row, verdict_row, plan, now)
    audit(session, now, decided_by.value, "verdict", _verdict_details(row, verdict, plan))
    return True


#: The first key of PostgreSQL's two-key advisory locks that serialise one author's verdicts ("DZ").
AUTHOR_LOCK_CLASS = 0x445A


def lock_author(session: Session, platform: str, page_id: str, author_id: str) -> None:
    """Hold a lock on one author of one page until the transaction ends (PostgreSQL).

    On SQLite the store already runs one write transaction at a time, which serialises authors too.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"{platform}:{page_id}:{author_id}".encode(), digest_size=4).digest()
    key = int.from_bytes(digest, "big", signed=True)
    session.connection().execute(
        text("SELECT pg_advisory_xact_lock(:cls, :key)"), {"cls": AUTHOR_LOCK_CLASS, "key": key}
    )


def _escalated(session: Session, row: CommentRow, plan: Plan, now: datetime) -> Plan:
    """The plan with the restriction its escalation comes to, counting the author's earlier violations."""
    escalation = plan.escalation
    if escalation is None:
        return plan
    since = escalation.policy.window_start(now)
    prior = count_violations(session, Platform(row.platform), row.page_id, row.author_id, since, row.key)
    restriction = restriction_for(
        escalation.policy, prior, comment_of(row), escalation.ground, now, escalation.texts, escalation.tz
    )
    if restriction is None:
        return plan
    return replace(plan, restriction=restriction, notice=True)  # a restricted author is told why


def _verdict_row(
    comment_id: int,
    revision: int,
    verdict: Verdict,
    decided_by: DecidedBy,
    model_version: str | None,
    now: datetime,
) -> VerdictRow:
    return VerdictRow(
        comment_id=comment_id,
        revision=revision,
        action=verdict.action.value,
        grounds=[ground.value for ground in verdict.grounds],
        scores={ground.value: score for ground, score in verdict.scores.items()},
        evidence=evidence_json(verdict),
        decided_by=decided_by.value,
        model_version=model_version,
        at=now,
    )


def _verdict_details(row: CommentRow, verdict: Verdict, plan: Plan) -> dict[str, Any]:
    return {
        "comment": row.key,
        "revision": row.revision,
        "author_id": row.author_id,
        "action": verdict.action.value,
        "grounds": [ground.value for ground in verdict.grounds],
        "delete": plan.delete,
        "card": plan.card,
        "restrict_until": plan.restriction.until.isoformat()
        if plan.restriction and plan.restriction.until
        else None,
    }


def _supersede_open_cards(session: Session, comment_id: int) -> None:
    """An edited comment gets a fresh card; buttons on the card about its old text no longer apply."""
    session.connection().execute(
        update(ReviewCardRow)
        .where(
            col(ReviewCardRow.comment_id) == comment_id, col(ReviewCardRow.status) == CardStatus.OPEN.value
        )
        .values(status=CardStatus.SUPERSEDED.value)
    )


def _enqueue_plan(
    session: Session, row: CommentRow, verdict_row: VerdictRow, plan: Plan, now: datetime
) -> None:
    assert row.id is not None and verdict_row.id is not None
    prefix = f"{row.key}:r{row.revision}"
    if plan.delete:
        enqueue(session, f"delete:{prefix}", ActionKind.DELETE, now, comment_id=row.id)
    restriction_id = None
    if plan.restriction is not None:
        restriction_id = add_restriction(session, plan.restriction, row.id, "auto", now)
        # No wait behind the deletion: a lane takes due deletions first (models.store_actions.claim), so in a
        # raid the comments go before the bans, and in a steady stream a ban shares its deletion's request.
        enqueue(session, f"restrict:{prefix}", ActionKind.RESTRICT, now, restriction_id=restriction_id)
    if plan.notice:
        enqueue_notice(session, row, restriction_id, now)
    if plan.card:
        card = ReviewCardRow(
            comment_id=row.id, verdict_id=verdict_row.id, auto_deleted=plan.auto_deleted, created_at=now
        )
        session.add(card)
        session.flush()
        if plan.auto_deleted:  # needs no one: listed in the page's next report, not a card of its own
            enqueue_report(session, row, now)
        else:
            enqueue(session, f"card:{prefix}", ActionKind.CARD, now, comment_id=row.id, card_id=card.id)


def enqueue_report(session: Session, row: CommentRow, now: datetime) -> None:
    """Make sure a report of the page's automatic deletions is on its way (one waiting per page is enough)."""
    waiting = session.exec(
        select(ActionRow.id)
        .join(CommentRow, col(CommentRow.id) == col(ActionRow.comment_id))
        .where(
            col(ActionRow.kind) == ActionKind.REPORT.value,
            col(ActionRow.status) == "pending",
            col(CommentRow.platform) == row.platform,
            col(CommentRow.page_id) == row.page_id,
        )
    ).first()
    if waiting is None:
        enqueue(session, f"report:{row.key}:r{row.revision}", ActionKind.REPORT, now, comment_id=row.id)


def enqueue_notice(session: Session, row: CommentRow, restriction_id: int | None, now: datetime) -> None:
    """Tell the author why their comment went: at most once a day per author and page."""
    day = now.date().isoformat()
    key = f"notice:{row.platform}:{row.page_id}:{row.author_id}:{day}"
    enqueue(session, key, ActionKind.NOTICE, now, comment_id=row.id, restriction_id=restriction_id)


def enqueue(
    session: Session,
    idempotency_key: str,
    kind: ActionKind,
    now: datetime,
    *,
    comment_id: int | None = None,
    restriction_id: int | None = None,
    card_id: int | None = None,
    due: datetime | None = None,
) -> bool:
    """Persist an intent to act (due at `due`, now by default); the same key twice is a no-op."""
    return insert_ignoring_conflict(
        session,
        ActionRow,
        {
            "idempotency_key": idempotency_key,
            "kind": kind.value,
            "status": "pending",
            "comment_id": comment_id,
            "restriction_id": restriction_id,
            "card_id": card_id,
            "attempts": 0,
            "next_attempt_at": due or now,
            "created_at": now,
            "updated_at": now,
        },
    )


def add_restriction(
    session: Session, restriction: Restriction, comment_id: int | None, by: str, now: datetime
) -> int:
    """Record a restriction (before the platform is asked to apply it) and return its id."""
    row = RestrictionRow(
        platform=restriction.platform.value,
        page_id=restriction.page_id,
        author_id=restriction.author_id,
        author_is_chat=restriction.author_is_chat,
        comment_id=comment_id,
        ground=restriction.ground.value,
        start=now,
        until=restriction.until,
        by=by,
        notice=restriction.comment or None,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def count_violations(
    session: Session, platform: Platform, page_id: str, author_id: str, since: datetime, exclude_key: str
) -> int:
    """How many of the author's other comments on the page count as violations since `since`."""
    stmt = select(func.count()).where(
        col(CommentRow.platform) == platform.value,
        col(CommentRow.page_id) == page_id,
        col(CommentRow.author_id) == author_id,
        col(CommentRow.violation_at) >= since,
        col(CommentRow.key) != exclude_key,
    )
    return int(session.exec(stmt).one())


def undecided_comments(session: Session, limit: int) -> list[IncomingComment]:
    """Comments stored but never decided: the process stopped between recording and deciding."""
    stmt = select(CommentRow).where(CommentRow.status == RECEIVED).order_by(col(CommentRow.id)).limit(limit)
    return [comment_of(row) for row in session.exec(stmt).all()]


def record_post(
    session: Session,
    platform: Platform,
    page_id: str,
    post_id: str,
    text: str,
    kind: str,
    posted_at: datetime,
) -> None:
    """Remember a page's post (its text is the context comments are judged against)."""
    values = {
        "platform": platform.value,
        "page_id": page_id,
        "post_id": post_id,
        "text": text,
        "kind": kind,
        "posted_at": posted_at,
    }
    upsert(session, Post, values, ("platform", "page_id", "post_id"))


def post_text(session: Session, platform: Platform, page_id: str, post_id: str) -> str | None:
    """The stored text of a post, when the comment arrived without it."""
    stmt = select(Post.text).where(
        Post.platform == platform.value, Post.page_id == page_id, Post.post_id == post_id
    )
    return session.exec(stmt).first()
