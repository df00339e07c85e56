"""Small helpers the store modules share: row <-> core conversions, portable upserts, audit redaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from models.tables import AuditEntry, CommentRow, VerdictRow
from moderation.daemon.ports import IncomingComment
from moderation.types import Action, Evidence, Ground, Platform, Span, Verdict

#: Keys whose values are personal data (names, free text) and never reach the audit log.
PERSONAL_KEYS = frozenset({"author_name", "moderator_name", "name", "text", "post_text", "phone", "email"})
REDACTED = "[redacted]"


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class (for dialect-specific inserts)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def insert_ignoring_conflict(session: Session, model: type[SQLModel], values: Mapping[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True when a row was inserted.

    RETURNING tells whether the row went in (an INSERT's rowcount is not reliable across drivers).
    """
    table = table_of(model)
    keys = list(table.primary_key.columns)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(**values).on_conflict_do_nothing().returning(*keys)
        return session.connection().execute(pg).first() is not None
    if dialect == "sqlite":
        lite = sqlite.insert(table).values(**values).on_conflict_do_nothing().returning(*keys)
        return session.connection().execute(lite).first() is not None
    raise NotImplementedError(f"unsupported database dialect: {dialect}")


def upsert(session: Session, model: type[SQLModel], values: Mapping[str, Any], key: Sequence[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE on SQLite and PostgreSQL."""
    table = table_of(model)
    dialect = session.get_bind().dialect.name
    changes = {name: value for name, value in values.items() if name not in key}
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(**values)
        session.connection().execute(pg.on_conflict_do_update(index_elements=list(key), set_=changes))
    elif dialect == "sqlite":
        lite = sqlite.insert(table).values(**values)
        session.connection().execute(lite.on_conflict_do_update(index_elements=list(key), set_=changes))
    else:
        raise NotImplementedError(f"unsupported database dialect: {dialect}")


def comment_values(comment: IncomingComment, received_at: datetime) -> dict[str, Any]:
    """The columns of a new comments row."""
    return {
        "key": comment.key,
        "platform": comment.platform.value,
        "page_id": comment.page_id,
        "post_id": comment.post_id,
        "comment_id": comment.comment_id,
        "chat_id": comment.chat_id,
        "author_id": comment.author_id,
        "author_name": comment.author_name,
        "author_is_chat": comment.author_is_chat,
        "text": comment.text,
        "post_text": comment.post_text,
        "created_at": comment.created_at,
        "received_at": received_at,
    }


def comment_of(row: CommentRow) -> IncomingComment:
    """The core's view of a stored comment, enough to act on it again after a restart."""
    return IncomingComment(
        platform=Platform(row.platform),
        page_id=row.page_id,
        post_id=row.post_id,
        comment_id=row.comment_id,
        author_id=row.author_id,
        text=row.text,
        created_at=row.created_at,
        author_name=row.author_name,
        post_text=row.post_text,
        chat_id=row.chat_id,
        edited=row.revision > 1,
        author_is_chat=row.author_is_chat,
    )


def evidence_json(verdict: Verdict) -> list[dict[str, Any]]:
    """Evidence as JSON: rule, ground, score, spans as [start, end] pairs, detail."""
    return [
        {
            "rule": item.rule,
            "ground": item.ground.value,
            "score": item.score,
            "spans": [[span.start, span.end] for span in item.spans],
            "detail": item.detail,
        }
        for item in verdict.evidence
    ]


def verdict_of(row: VerdictRow, comment_key: str) -> Verdict:
    """Rebuild the core verdict from its row (for cards posted after a restart)."""
    evidence = tuple(
        Evidence(
            rule=str(item["rule"]),
            ground=Ground(item["ground"]),
            score=float(item["score"]),
            spans=tuple(Span(int(start), int(end)) for start, end in item.get("spans", [])),
            detail=str(item.get("detail", "")),
        )
        for item in row.evidence
    )
    return Verdict(
        comment_id=comment_key,
        action=Action(row.action),
        grounds=tuple(Ground(code) for code in row.grounds),
        scores={Ground(code): float(score) for code, score in row.scores.items()},
        evidence=evidence,
    )


def redact(details: Any) -> Any:
    """Personal data never enters the audit log: values under personal keys are replaced, recursively."""
    if isinstance(details, Mapping):
        return {
            str(key): REDACTED if str(key) in PERSONAL_KEYS and value is not None else redact(value)
            for key, value in details.items()
        }
    if isinstance(details, list | tuple):
        return [redact(item) for item in details]
    if isinstance(details, str | int | float | bool) or details is None:
        return details
    return str(details)


def audit(session: Session, at: datetime, actor: str, event: str, details: Mapping[str, Any]) -> None:
    """Append to the audit log inside the caller's transaction, so the log and the change agree."""
    session.add(AuditEntry(at=at, actor=actor, event=event, details=redact(dict(details))))
