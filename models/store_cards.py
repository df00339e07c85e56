"""What a card shows from the records: the author's past on the page, the card's history, the comment's and
the author's state as far as our actions went; the reports that list automatic deletions; keeping the queue.

Each function runs inside the caller's transaction (models.store.Store opens and commits it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models.store_comments import enqueue
from models.store_decisions import active_restrictions, card_info
from models.store_support import insert_ignoring_conflict
from models.tables import ActionRow, CommentRow, ReviewCardRow, VerdictRow
from models.tables_workbench import CardEvent, CardReminder, CardReport, ReportItem
from moderation.daemon.ports import ModeratorChoice, ReviewCard
from moderation.daemon.records import ActionKind, ActionStatus, CardStatus, DecidedBy
from moderation.daemon.views import (
    AuthorRecord,
    CardFacts,
    CardView,
    EventKind,
    HistoryEntry,
    LiveState,
    ReportView,
)
from moderation.types import Ground, Platform

UNFINISHED = (ActionStatus.PENDING.value, ActionStatus.RUNNING.value)
PLATFORM_KINDS = (ActionKind.DELETE.value, ActionKind.RESTORE.value)
RESTRICTION_KINDS = (ActionKind.RESTRICT.value, ActionKind.LIFT.value)
HISTORY_EVENTS = {e.value for e in EventKind}
SEALED = "sealed"  # the card's undo window has passed and its message was redrawn without the button
RECORD_SCAN = 200  # an author's latest deleted comments read for their record


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """A report as the store knows it: the report (items empty) and its cards' facts, in order."""

    report: ReportView
    items: tuple[CardFacts, ...]


def card_facts(session: Session, card_id: int, now: datetime, since: datetime | None) -> CardFacts | None:
    """A card with the author's record, its history and the state our records give."""
    info = card_info(session, card_id, now, since)
    card = session.get(ReviewCardRow, card_id)
    if info is None or card is None:
        return None
    comment = session.get(CommentRow, card.comment_id)
    assert comment is not None and comment.id is not None
    item = session.get(ReportItem, card_id)
    view = CardView(
        card=ReviewCard(card_id, info.comment, info.verdict, info.auto_deleted),
        status=info.status,
        record=author_record(session, comment.platform, comment.page_id, comment.author_id, now, comment.id),
        state=recorded_state(session, comment, now),
        history=_history(session, card),
        message_ref=card.message_ref,
        report_id=item.report_id if item is not None else None,
        position=item.position if item is not None else None,
        now=now,
    )
    return CardFacts(info, view)


def author_record(
    session: Session, platform: str, page_id: str, author_id: str, now: datetime, exclude: int | None = None
) -> AuthorRecord:
    """The author's deletions on the page by ground (all time), the last one, a restriction in force."""
    stmt = (
        select(CommentRow.id, CommentRow.violation_at)
        .where(
            CommentRow.platform == platform,
            CommentRow.page_id == page_id,
            CommentRow.author_id == author_id,
            col(CommentRow.violation_at).is_not(None),
        )
        .order_by(col(CommentRow.violation_at).desc())
        .limit(RECORD_SCAN)
    )
    rows = [(cid, at) for cid, at in session.exec(stmt).all() if cid is not None and cid != exclude]
    deletions = Counter(_deletion_ground(session, cid) for cid, _ in rows)
    probe = CommentRow(
        key="", platform=platform, page_id=page_id, comment_id="", post_id="", author_id=author_id,
        text="", created_at=now, received_at=now,
    )  # fmt: skip
    active = active_restrictions(session, probe, now)
    ends = [row.until for row in active]
    return AuthorRecord(
        deletions=dict(deletions),
        last_deletion_at=rows[0][1] if rows else None,
        restricted=bool(active),
        restricted_until=None if any(end is None for end in ends) else max(ends, default=None),  # type: ignore[type-var]
    )


def _deletion_ground(session: Session, comment_id: int) -> Ground:
    """The machine's strongest ground for a deleted comment (the moderator's verdicts carry no scores)."""
    stmt = (
        select(VerdictRow)
        .where(VerdictRow.comment_id == comment_id, VerdictRow.decided_by != DecidedBy.MODERATOR.value)
        .order_by(col(VerdictRow.id).desc())
    )
    verdict = session.exec(stmt).first()
    if verdict is None or not verdict.grounds:
        return Ground.OFF_TOPIC
    return Ground(max(verdict.grounds, key=lambda g: verdict.scores.get(g, 0.0)))


def recorded_state(session: Session, comment: CommentRow, now: datetime) -> LiveState:
    """Deleted or not and restricted until when, by our records; `pending` while actions are under way."""
    assert comment.id is not None
    actions = session.exec(
        select(ActionRow)
        .where(col(ActionRow.comment_id) == comment.id, col(ActionRow.kind).in_(PLATFORM_KINDS))
        .order_by(col(ActionRow.id))
    ).all()
    done = [a.kind for a in actions if a.status == ActionStatus.DONE.value]
    pending = any(a.status in UNFINISHED for a in actions)
    active = active_restrictions(session, comment, now)
    restriction_ids = [row.id for row in active]
    if restriction_ids:
        pending = pending or _unfinished(session, restriction_ids)
    ends = [row.until for row in active]
    return LiveState(
        comment_deleted=bool(done) and done[-1] == ActionKind.DELETE.value,
        restricted=bool(active),
        restricted_until=None if any(end is None for end in ends) else max(ends, default=None),  # type: ignore[type-var]
        pending=pending,
    )


def _unfinished(session: Session, restriction_ids: list[int | None]) -> bool:
    stmt = select(ActionRow.id).where(
        col(ActionRow.restriction_id).in_([rid for rid in restriction_ids if rid is not None]),
        col(ActionRow.kind).in_(RESTRICTION_KINDS),
        col(ActionRow.status).in_(UNFINISHED),
    )
    return session.exec(stmt).first() is not None


def _history(session: Session, card: ReviewCardRow) -> tuple[HistoryEntry, ...]:
    """Decisions, undos, acknowledgements and closings of every card this comment's verdict had."""
    chain = select(ReviewCardRow.id).where(
        ReviewCardRow.comment_id == card.comment_id, ReviewCardRow.verdict_id == card.verdict_id
    )
    events = session.exec(
        select(CardEvent)
        .where(col(CardEvent.card_id).in_(chain))
        .order_by(col(CardEvent.at), col(CardEvent.id))
    ).all()
    entries = []
    for event in events:
        if event.kind not in HISTORY_EVENTS:
            continue
        choice = event.details.get("choice")
        entries.append(
            HistoryEntry(
                kind=EventKind(event.kind),
                at=event.at,
                who=event.actor_name or event.actor,
                choice=ModeratorChoice(choice) if choice else None,
                days=event.details.get("days"),
            )
        )
    return tuple(entries)


def settled(session: Session, card_id: int, now: datetime) -> bool:
    """True when nothing the card's comment waits for (deletion, restoration, restriction) is unfinished."""
    card = session.get(ReviewCardRow, card_id)
    comment = session.get(CommentRow, card.comment_id) if card is not None else None
    if comment is None:
        return True
    return not recorded_state(session, comment, now).pending


# --- reports of automatic deletions ------------------------------------------------------------------------


def _unreported(platform: str, page_id: str) -> SelectOfScalar[ReviewCardRow]:
    listed = exists().where(col(ReportItem.card_id) == col(ReviewCardRow.id))
    return (
        select(ReviewCardRow)
        .join(CommentRow, col(CommentRow.id) == col(ReviewCardRow.comment_id))
        .where(
            col(ReviewCardRow.auto_deleted),
            col(ReviewCardRow.status) == CardStatus.OPEN.value,
            CommentRow.platform == platform,
            CommentRow.page_id == page_id,
            ~listed,
        )
        .order_by(col(ReviewCardRow.created_at), col(ReviewCardRow.id))
    )


def report_due(
    session: Session, platform: str, page_id: str, interval: timedelta, gather: timedelta
) -> datetime | None:
    """When the page's next report may go: a while after the oldest unlisted deletion (so that a burst
    goes in one message), and not sooner than `interval` after the last report. None: nothing to report."""
    oldest = session.exec(_unreported(platform, page_id).limit(1)).first()
    if oldest is None:
        return None
    last = session.exec(
        select(CardReport.created_at)
        .where(CardReport.platform == platform, CardReport.page_id == page_id)
        .where(col(CardReport.message_ref).is_not(None))
        .order_by(col(CardReport.created_at).desc())
    ).first()
    due = oldest.created_at + gather
    return max(due, last + interval) if last is not None else due


def open_report(session: Session, platform: str, page_id: str, now: datetime, limit: int) -> int | None:
    """A report listing up to `limit` unlisted automatic deletions of the page, oldest first; a report left
    unsent by a crash is reused. None when there is nothing to list."""
    report = session.exec(
        select(CardReport).where(
            CardReport.platform == platform,
            CardReport.page_id == page_id,
            col(CardReport.message_ref).is_(None),
        )
    ).first()
    if report is not None and report.id is not None:
        return report.id
    cards = session.exec(_unreported(platform, page_id).limit(limit)).all()
    if not cards:
        return None
    report = CardReport(platform=platform, page_id=page_id, created_at=now)
    session.add(report)
    session.flush()
    assert report.id is not None
    for position, card in enumerate(cards, start=1):
        assert card.id is not None
        session.add(ReportItem(card_id=card.id, report_id=report.id, position=position))
    return report.id


def set_report_message(session: Session, report_id: int, message_ref: str) -> None:
    report = session.get(CardReport, report_id)
    if report is not None:
        report.message_ref = message_ref
        session.add(report)


def unreported_count(session: Session, platform: str, page_id: str) -> int:
    return len(session.exec(_unreported(platform, page_id)).all())


def cards_waiting_to_be_posted(session: Session) -> int:
    """Review cards queued for the moderators' chat and not yet sent: reports give way to them."""
    stmt = select(ActionRow.id).where(
        col(ActionRow.kind) == ActionKind.CARD.value, col(ActionRow.status).in_(UNFINISHED)
    )
    return len(session.exec(stmt).all())


def report_facts(
    session: Session, report_id: int, now: datetime, since: datetime | None
) -> ReportFacts | None:
    """A report with the current card at each of its positions (a reopened card replaces its predecessor)."""
    report = session.get(CardReport, report_id)
    if report is None or report.id is None:
        return None
    rows = session.exec(
        select(ReportItem.position, ReviewCardRow.id)
        .join(ReviewCardRow, col(ReviewCardRow.id) == col(ReportItem.card_id))
        .where(ReportItem.report_id == report_id, ReviewCardRow.status != CardStatus.REOPENED.value)
        .order_by(col(ReportItem.position))
    ).all()
    items = tuple(f for _, cid in rows if cid is not None and (f := card_facts(session, cid, now, since)))
    view = ReportView(
        report_id=report.id,
        platform=Platform(report.platform),
        page_id=report.page_id,
        items=(),
        created_at=report.created_at,
        message_ref=report.message_ref,
        acknowledged_by=report.acknowledged_by_name or report.acknowledged_by,
        acknowledged_at=report.acknowledged_at,
        now=now,
    )
    return ReportFacts(view, items)


# --- keeping the queue ---------------------------------------------------------------------------------


def close_stale_deletions(session: Session, now: datetime, older_than: datetime) -> list[int]:
    """Close automatic deletions nobody acknowledged since `older_than`; the cards closed."""
    stale = session.exec(
        select(ReviewCardRow).where(
            col(ReviewCardRow.auto_deleted),
            ReviewCardRow.status == CardStatus.OPEN.value,
            col(ReviewCardRow.created_at) < older_than,
        )
    ).all()
    closed = []
    for card in stale:
        assert card.id is not None
        card.status, card.decided_at = CardStatus.CLOSED.value, now
        session.add(card)
        session.add(CardEvent(card_id=card.id, kind=EventKind.CLOSED.value, actor="auto", at=now))
        closed.append(card.id)
    _redraw_once(session, closed, "closed", now)
    return closed


def seal_expired_undo(session: Session, now: datetime, window: timedelta) -> int:
    """Redraw what shows an undo button whose window has just passed, so the button goes; once per card."""
    horizon = now - window
    sealed = exists().where(col(CardEvent.card_id) == col(ReviewCardRow.id), col(CardEvent.kind) == SEALED)
    cards = [
        card_id
        for card_id in session.exec(
            select(ReviewCardRow.id).where(
                col(ReviewCardRow.status).in_((CardStatus.DECIDED.value, CardStatus.CLOSED.value)),
                col(ReviewCardRow.decided_at) <= horizon,
                col(ReviewCardRow.decided_at) > horizon - timedelta(days=1),
                ~sealed,
            )
        ).all()
        if card_id is not None
    ]
    for card_id in cards:
        session.add(CardEvent(card_id=card_id, kind=SEALED, actor="auto", at=now))
    return _redraw_once(session, cards, "sealed", now)


def _redraw_once(session: Session, card_ids: list[int], why: str, now: datetime) -> int:
    """One refresh per message: a report shows many cards, and is redrawn once for all of them."""
    targets: dict[str, int] = {}
    for card_id in card_ids:
        item = session.get(ReportItem, card_id)
        targets.setdefault(f"r{item.report_id}" if item is not None else f"c{card_id}", card_id)
    for target, card_id in targets.items():
        key = f"refresh:{target}:{why}:{now.isoformat()}"
        enqueue(session, key, ActionKind.REFRESH, now, card_id=card_id)
    return len(targets)


def claim_reminders(
    session: Session, now: datetime, every: timedelta
) -> list[tuple[int, str | None, datetime]]:
    """Review cards waiting longer than `every` and not brought up for as long: claimed for one reminder
    (a conditional write, so two daemons never remind of the same card twice)."""
    claimed = []
    for card_id, ref, since in waiting_cards(session, now - every):
        if session.get(CardReminder, card_id) is None:
            took = insert_ignoring_conflict(session, CardReminder, {"card_id": card_id, "reminded_at": now})
        else:
            result = session.connection().execute(
                update(CardReminder)
                .where(col(CardReminder.card_id) == card_id, col(CardReminder.reminded_at) <= now - every)
                .values(reminded_at=now)
            )
            took = getattr(result, "rowcount", 0) == 1
        if took:
            claimed.append((card_id, ref, since))
    return claimed


def waiting_cards(session: Session, older_than: datetime) -> list[tuple[int, str | None, datetime]]:
    """Review cards waiting for a decision since before `older_than`: (id, message, since), oldest first."""
    rows = session.exec(
        select(ReviewCardRow.id, ReviewCardRow.message_ref, ReviewCardRow.created_at)
        .where(
            ~col(ReviewCardRow.auto_deleted),
            ReviewCardRow.status == CardStatus.OPEN.value,
            col(ReviewCardRow.created_at) < older_than,
        )
        .order_by(col(ReviewCardRow.created_at))
    ).all()
    return [(cid, ref, at) for cid, ref, at in rows if cid is not None]
