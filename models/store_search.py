"""The moderators' chat commands over the records: /find (a text or an author) and /history (an author).

Matching is done in Python over the latest comments, case-insensitively in any script: SQLite's LOWER() knows
only ASCII letters, and a city's pages hold few enough comments for a scan of the latest ones.
Each function runs inside the caller's transaction (models.store.Store opens and commits it).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select

from models.store_cards import author_record
from models.tables import ActionRow, CommentRow, ReviewCardRow, VerdictRow
from models.tables_workbench import CardReport, ReportItem
from moderation.daemon.records import ActionKind, ActionStatus, CardStatus, DecidedBy
from moderation.daemon.views import AuthorHistory, AuthorRecord, FoundComment, Outcome
from moderation.types import Action, Ground, Platform

SCAN = 20_000  # latest comments a search looks through
_PROFILE = re.compile(r"(?:vk\.(?:com|ru)/id|^id|tg://user\?id=)(-?\d+)$")
_USERNAME = re.compile(r"(?:t\.me/|^@)([A-Za-z0-9_]{3,})$")


def find_comments(session: Session, query: str, limit: int, scan: int = SCAN) -> list[FoundComment]:
    """The latest comments whose text or author (name or id) contains every word of the query."""
    words = query.casefold().split()
    if not words:
        return []
    rows = session.exec(select(CommentRow).order_by(col(CommentRow.id).desc()).limit(scan)).all()
    found = []
    for row in rows:
        haystack = f"{row.text} {row.author_name or ''} {row.author_id}".casefold()
        if all(word in haystack for word in words):
            found.append(found_comment(session, row))
            if len(found) >= limit:
                break
    return found


def author_ids(session: Session, query: str, scan: int = SCAN) -> list[tuple[str, str, str | None]]:
    """(platform, author id, name) of the authors a /history query names: an id, a profile link, a Telegram
    username, or (part of) a name."""
    text = query.strip()
    profile = _PROFILE.search(text)
    wanted_id = profile.group(1) if profile else text if re.fullmatch(r"-?\d+", text) else None
    username = _USERNAME.search(text)
    needle = (username.group(1) if username else text).casefold()
    rows = session.exec(
        select(CommentRow.platform, CommentRow.author_id, CommentRow.author_name)
        .order_by(col(CommentRow.id).desc())
        .limit(scan)
    ).all()
    seen: dict[tuple[str, str], str | None] = {}
    for platform, author_id, name in rows:
        match = author_id == wanted_id if wanted_id is not None else needle in (name or "").casefold()
        if match and (platform, author_id) not in seen:
            seen[(platform, author_id)] = name
    return [(platform, author_id, name) for (platform, author_id), name in seen.items()]


def author_history(
    session: Session, platform: str, author_id: str, now: datetime, limit: int
) -> AuthorHistory:
    """An author's record on each page they wrote on, and their latest comments with what became of them."""
    rows = session.exec(
        select(CommentRow)
        .where(CommentRow.platform == platform, CommentRow.author_id == author_id)
        .order_by(col(CommentRow.id).desc())
    ).all()
    records: dict[tuple[Platform, str], AuthorRecord] = {}
    for row in rows:
        key = (Platform(row.platform), row.page_id)
        if key not in records:
            records[key] = author_record(session, row.platform, row.page_id, author_id, now)
    name = next((row.author_name for row in rows if row.author_name), None)
    comments = tuple(found_comment(session, row) for row in rows[:limit])
    return AuthorHistory(author_id, Platform(platform), name, records, comments)


def found_comment(session: Session, row: CommentRow) -> FoundComment:
    """A comment with what became of it, its grounds, and the message showing its card."""
    assert row.id is not None
    verdict = session.exec(
        select(VerdictRow).where(VerdictRow.comment_id == row.id).order_by(col(VerdictRow.id).desc())
    ).first()
    card = session.exec(
        select(ReviewCardRow).where(ReviewCardRow.comment_id == row.id).order_by(col(ReviewCardRow.id).desc())
    ).first()
    return FoundComment(
        platform=Platform(row.platform),
        page_id=row.page_id,
        author_id=row.author_id,
        author_name=row.author_name,
        text=row.text,
        created_at=row.created_at,
        outcome=_outcome(session, row.id, verdict, card),
        grounds=_grounds(session, row.id),
        card_ref=_card_ref(session, card),
    )


def _outcome(
    session: Session, comment_id: int, verdict: VerdictRow | None, card: ReviewCardRow | None
) -> Outcome:
    done = session.exec(
        select(ActionRow.kind)
        .where(
            col(ActionRow.comment_id) == comment_id,
            col(ActionRow.kind).in_((ActionKind.DELETE.value, ActionKind.RESTORE.value)),
            col(ActionRow.status) == ActionStatus.DONE.value,
        )
        .order_by(col(ActionRow.id).desc())
    ).first()
    if done == ActionKind.DELETE.value:
        return Outcome.DELETED
    if done == ActionKind.RESTORE.value:
        return Outcome.RESTORED
    if card is not None and not card.auto_deleted and card.status == CardStatus.OPEN.value:
        return Outcome.WAITING
    if verdict is None:
        return Outcome.UNDECIDED
    if verdict.action == Action.DELETE.value and verdict.decided_by != DecidedBy.MODERATOR.value:
        return Outcome.UNDECIDED  # queued, not done yet
    return Outcome.KEPT if verdict.action != Action.DELETE.value else Outcome.DELETED


def _grounds(session: Session, comment_id: int) -> tuple[Ground, ...]:
    machine = session.exec(
        select(VerdictRow)
        .where(VerdictRow.comment_id == comment_id, VerdictRow.decided_by != DecidedBy.MODERATOR.value)
        .order_by(col(VerdictRow.id).desc())
    ).first()
    return tuple(Ground(g) for g in machine.grounds) if machine is not None else ()


def _card_ref(session: Session, card: ReviewCardRow | None) -> str | None:
    if card is None or card.id is None:
        return None
    if card.message_ref is not None:
        return card.message_ref
    item = session.get(ReportItem, card.id)
    report = session.get(CardReport, item.report_id) if item is not None else None
    return report.message_ref if report is not None else None
