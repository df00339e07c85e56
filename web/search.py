"""The decision log as staff search it: every comment with its latest verdict, filtered by page, ground, who
decided, date, author and text; an author's history across pages; the review queue as it stands.

Each function runs inside a caller's read-only session. Search text goes to the database only as a bound LIKE
parameter with its wildcards escaped, so quotes, SQL and HTML in it are plain characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from models.registry import RegistryOrganisation, RegistryPage
from models.tables import ActionRow, CommentRow, ReviewCardRow, VerdictRow
from moderation.daemon.records import ActionKind, ActionStatus, CardStatus
from moderation.types import Ground
from monitor.digest.labels import GROUND_LABEL, PLATFORM_LABEL

PER_PAGE = 50
DECIDED_BY_LABEL = {"rules": "правила", "model": "модель", "moderator": "модератор"}
ACTION_LABEL = {"keep": "оставить", "review": "модераторам", "delete": "удалить"}


@dataclass(frozen=True)
class LogFilter:
    """What the person typed in the search form; empty means 'any'."""

    page: str = ""
    ground: str = ""
    decided_by: str = ""
    date_from: date | None = None
    date_to: date | None = None
    author: str = ""
    text: str = ""
    number: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> LogFilter:
        """Read the query string leniently: an unknown ground or a bad date is ignored, not an error page."""
        ground = params.get("ground", "")
        decided = params.get("decided_by", "")
        try:
            number = max(1, int(params.get("p", "1")))
        except ValueError:
            number = 1
        return cls(
            page=params.get("page", "")[:200],
            ground=ground if ground in {g.value for g in Ground} else "",
            decided_by=decided if decided in DECIDED_BY_LABEL else "",
            date_from=_date(params.get("from", "")),
            date_to=_date(params.get("to", "")),
            author=params.get("author", "").strip()[:200],
            text=params.get("q", "").strip()[:500],
            number=number,
        )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class LogRow:
    """One comment in the log: when, where, who, what, and what was decided and done."""

    id: int
    at: datetime
    page: str
    author: str
    author_id: str
    platform: str
    text: str
    action: str
    grounds: tuple[str, ...]
    decided_by: str
    state: str


def page_labels(session: Session) -> dict[str, str]:
    """`platform:page_id` -> "Organisation (network)", from the registry's platform ids."""
    rows = session.exec(
        select(RegistryPage, RegistryOrganisation).where(
            RegistryPage.organisation_id == RegistryOrganisation.id
        )
    ).all()
    labels: dict[str, str] = {}
    for page, org in rows:
        if page.platform_id:
            network = PLATFORM_LABEL.get(page.network, page.network)
            labels[f"{page.network}:{page.platform_id.lstrip('-')}"] = (
                f"{org.short_name or org.name} ({network})"
            )
    return labels


def known_pages(session: Session, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Pages that have comments, as (value, label) for the filter's list."""
    pairs = session.exec(select(CommentRow.platform, CommentRow.page_id).distinct()).all()
    return sorted(((f"{p}:{i}", label_of(labels, p, i)) for p, i in pairs), key=lambda pair: pair[1])


def label_of(labels: Mapping[str, str], platform: str, page_id: str) -> str:
    return (
        labels.get(f"{platform}:{page_id.lstrip('-')}")
        or f"{PLATFORM_LABEL.get(platform, platform)} {page_id}"
    )


def _latest_verdicts() -> Any:
    return select(func.max(VerdictRow.id).label("vid")).group_by(col(VerdictRow.comment_id)).subquery()


def _filtered(query: Any, f: LogFilter) -> Any:
    if f.page and ":" in f.page:
        platform, page_id = f.page.split(":", 1)
        query = query.where(CommentRow.platform == platform, CommentRow.page_id == page_id)
    if f.ground:  # a known code (checked in from_query), matched inside the JSON list as its quoted self
        query = query.where(cast(VerdictRow.grounds, String).contains(f'"{f.ground}"'))
    if f.decided_by:
        query = query.where(VerdictRow.decided_by == f.decided_by)
    if f.date_from:
        query = query.where(CommentRow.received_at >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to:
        query = query.where(
            CommentRow.received_at < datetime.combine(f.date_to + timedelta(days=1), time(), UTC)
        )
    if f.author:
        query = query.where(
            or_(
                col(CommentRow.author_id) == f.author,
                col(CommentRow.author_name).icontains(f.author, autoescape=True),
            )
        )
    if f.text:
        query = query.where(col(CommentRow.text).icontains(f.text, autoescape=True))
    return query


def search_log(session: Session, f: LogFilter, labels: Mapping[str, str]) -> tuple[list[LogRow], int]:
    """One page of matching comments, newest first, and how many match in all."""
    latest = _latest_verdicts()
    base = (
        select(CommentRow, VerdictRow)
        .join(VerdictRow, col(VerdictRow.comment_id) == col(CommentRow.id))
        .join(latest, col(VerdictRow.id) == latest.c.vid)
    )
    base = _filtered(base, f)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(col(CommentRow.received_at).desc(), col(CommentRow.id).desc())
        .offset((f.number - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    states = comment_states(session, [c.id for c, _ in rows if c.id is not None])
    return [_row(c, v, labels, states) for c, v in rows], int(total)


def _row(
    comment: CommentRow, verdict: VerdictRow, labels: Mapping[str, str], states: Mapping[int, str]
) -> LogRow:
    assert comment.id is not None
    return LogRow(
        id=comment.id,
        at=comment.received_at,
        page=label_of(labels, comment.platform, comment.page_id),
        author=comment.author_name or comment.author_id,
        author_id=comment.author_id,
        platform=comment.platform,
        text=comment.text,
        action=verdict.action,
        grounds=tuple(verdict.grounds),
        decided_by=verdict.decided_by,
        state=states.get(comment.id, "оставлен"),
    )


def comment_states(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Where each comment stands on the platform: deleted, restored, waiting for a moderator, kept."""
    if not ids:
        return {}
    states: dict[int, str] = {}
    actions = session.exec(
        select(ActionRow)
        .where(col(ActionRow.comment_id).in_(ids))
        .where(col(ActionRow.kind).in_([ActionKind.DELETE.value, ActionKind.RESTORE.value]))
        .order_by(col(ActionRow.id))
    ).all()
    for action in actions:
        assert action.comment_id is not None
        if action.status == ActionStatus.CANCELLED.value:
            continue
        done = action.status == ActionStatus.DONE.value
        if action.kind == ActionKind.DELETE.value:
            states[action.comment_id] = "удалён" if done else "удаляется"
        else:
            states[action.comment_id] = "восстановлен" if done else "восстанавливается"
    cards = session.exec(
        select(ReviewCardRow.comment_id).where(
            col(ReviewCardRow.comment_id).in_(ids),
            ReviewCardRow.status == CardStatus.OPEN.value,
            ~col(ReviewCardRow.auto_deleted),  # an automatic deletion waits for no one
        )
    ).all()
    for comment_id in cards:
        states[comment_id] = states.get(comment_id, "оставлен") + ", ждёт модератора"
    return states


def author_history(
    session: Session, platform: str, author_id: str, labels: Mapping[str, str]
) -> list[LogRow]:
    """Every comment of one author on every page, newest first (the author is one platform's user id)."""
    latest = _latest_verdicts()
    rows = session.exec(
        select(CommentRow, VerdictRow)
        .join(VerdictRow, col(VerdictRow.comment_id) == col(CommentRow.id))
        .join(latest, col(VerdictRow.id) == latest.c.vid)
        .where(CommentRow.platform == platform, CommentRow.author_id == author_id)
        .order_by(col(CommentRow.received_at).desc())
        .limit(500)
    ).all()
    states = comment_states(session, [c.id for c, _ in rows if c.id is not None])
    return [_row(c, v, labels, states) for c, v in rows]


def review_queue(session: Session, labels: Mapping[str, str]) -> list[tuple[LogRow, datetime, bool]]:
    """Open cards, oldest first: the comment, when the card was made, whether it was deleted already."""
    rows = session.exec(
        select(ReviewCardRow, CommentRow, VerdictRow)
        .join(CommentRow, col(CommentRow.id) == col(ReviewCardRow.comment_id))
        .join(VerdictRow, col(VerdictRow.id) == col(ReviewCardRow.verdict_id))
        .where(ReviewCardRow.status == CardStatus.OPEN.value)
        .order_by(col(ReviewCardRow.created_at))
    ).all()
    states = comment_states(session, [c.id for _, c, _ in rows if c.id is not None])
    return [(_row(c, v, labels, states), card.created_at, card.auto_deleted) for card, c, v in rows]


def ground_choices() -> list[tuple[str, str]]:
    return [(g.value, GROUND_LABEL.get(g.value, g.value)) for g in Ground]
