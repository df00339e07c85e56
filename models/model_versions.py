"""Every classifier version the deployment trained from its moderators' decisions, and which one is in use.

A version is recorded once judged: promoted (in use now), rejected (worse than the model in use),
superseded (was in use until a later one was promoted) or rolled back (taken out of use by `dozor model
rollback`). At most one version is promoted; none promoted means the shipped model (version 0, `BASELINE`) is
in use. Verdicts name the version that produced them (`verdicts.model_version`). Promotions and rollbacks also
go to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.store_support import audit

BASELINE = "v0"
PROMOTED = "promoted"
REJECTED = "rejected"
SUPERSEDED = "superseded"
ROLLED_BACK = "rolled_back"
STATES = (PROMOTED, REJECTED, SUPERSEDED, ROLLED_BACK)


class ModelVersionRow(SQLModel, table=True):
    """One trained candidate: its data, its scores against the model then in use, and its fate."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("version", name="uq_model_versions_version"),)

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=64)
    created_at: datetime
    data_hash: str = Field(max_length=64)
    rows: int
    decision_rows: int = 0
    scores: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    state: str = Field(max_length=32)
    reason: str = ""
    path: str = Field(max_length=1000)
    promoted_at: datetime | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True)
class ModelVersion:
    """A recorded version as commands and the daemon see it."""

    version: str
    created_at: datetime
    data_hash: str
    rows: int
    decision_rows: int
    scores: dict[str, Any]
    state: str
    reason: str
    path: str
    promoted_at: datetime | None


class RollbackError(ValueError):
    """A rollback that cannot be done; the message says why, in Russian."""


def _view(row: ModelVersionRow) -> ModelVersion:
    return ModelVersion(
        row.version,
        row.created_at,
        row.data_hash,
        row.rows,
        row.decision_rows,
        dict(row.scores),
        row.state,
        row.reason,
        row.path,
        row.promoted_at,
    )


def next_version(engine: Engine) -> str:
    """The id the next candidate gets: v1, v2, ..."""
    with Session(engine) as session:
        ids = session.exec(select(ModelVersionRow.id).order_by(col(ModelVersionRow.id).desc())).first()
    return f"v{(ids or 0) + 1}"


def record_version(engine: Engine, version: ModelVersion, now: datetime) -> None:
    """Record a judged candidate; a promoted one supersedes the version in use, in one transaction."""
    with Session(engine) as session:
        if version.state == PROMOTED:
            _retire_current(session, SUPERSEDED, now)
        session.add(
            ModelVersionRow(
                version=version.version,
                created_at=version.created_at,
                data_hash=version.data_hash,
                rows=version.rows,
                decision_rows=version.decision_rows,
                scores=version.scores,
                state=version.state,
                reason=version.reason,
                path=version.path,
                promoted_at=now if version.state == PROMOTED else None,
                changed_at=now,
            )
        )
        event = "model_promoted" if version.state == PROMOTED else "model_rejected"
        audit(session, now, "learning", event, {"version": version.version, "reason": version.reason})
        session.commit()


def _retire_current(session: Session, state: str, now: datetime) -> str:
    """Take the promoted version out of use (marking it `state`); its id, or BASELINE when none was."""
    current = session.exec(select(ModelVersionRow).where(ModelVersionRow.state == PROMOTED)).first()
    if current is None:
        return BASELINE
    current.state = state
    current.changed_at = now
    session.add(current)
    return current.version


def versions(engine: Engine) -> list[ModelVersion]:
    """Every recorded version, oldest first."""
    with Session(engine) as session:
        rows = session.exec(select(ModelVersionRow).order_by(col(ModelVersionRow.id))).all()
        return [_view(row) for row in rows]


def current(engine: Engine) -> ModelVersion | None:
    """The promoted version, or None when the shipped model (version 0) is in use."""
    with Session(engine) as session:
        row = session.exec(select(ModelVersionRow).where(ModelVersionRow.state == PROMOTED)).first()
        return _view(row) if row is not None else None


def rollback(engine: Engine, now: datetime, actor: str, to: str | None = None) -> tuple[str, str]:
    """Put the previously promoted version (or `to`) back in use; returns (from, to) version ids.

    Without `to`, the version promoted before the current one (the latest superseded), or the shipped model
    when there was none. `to` may name any recorded version (or v0): a rejected one only if asked by name.
    """
    with Session(engine) as session:
        in_use = session.exec(select(ModelVersionRow).where(ModelVersionRow.state == PROMOTED)).first()
        from_id = in_use.version if in_use is not None else BASELINE
        target = _target(session, in_use, to)
        if (target.version if target is not None else BASELINE) == from_id:
            raise RollbackError(f"версия {from_id} уже используется")
        _retire_current(session, ROLLED_BACK, now)
        if target is not None:
            target.state = PROMOTED
            target.promoted_at = now
            target.changed_at = now
            session.add(target)
        to_id = target.version if target is not None else BASELINE
        audit(session, now, actor, "model_rollback", {"from": from_id, "to": to_id})
        session.commit()
        return from_id, to_id


def _target(session: Session, in_use: ModelVersionRow | None, to: str | None) -> ModelVersionRow | None:
    if to is not None:
        if to == BASELINE:
            return None
        row = session.exec(select(ModelVersionRow).where(ModelVersionRow.version == to)).first()
        if row is None:
            raise RollbackError(f"версии {to} нет; список: dozor model list")
        return row
    if in_use is None:
        raise RollbackError("откатывать некуда: используется исходная модель v0")
    stmt = (
        select(ModelVersionRow)
        .where(ModelVersionRow.state == SUPERSEDED, col(ModelVersionRow.id) < in_use.id)
        .order_by(col(ModelVersionRow.promoted_at).desc(), col(ModelVersionRow.id).desc())
    )
    return session.exec(stmt).first()
