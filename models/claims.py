"""Several daemons on one database: which daemon holds which page's intake, and which scheduled run is done.

`cluster_claims` has one row per claim (a VK page's long poll and catch-up, a Telegram bot token's getUpdates
loop with the moderators' buttons). A daemon holds a claim under a lease it renews; a claim whose lease ran
out (its holder died without a word) or whose holder is a dead process of the same host is taken by the next
daemon that asks. On PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED` and then changed by a conditional
UPDATE in the same transaction; SQLite has one writer, so the conditional UPDATE alone is atomic there.

`cluster_runs` has one row per scheduled job and period (a check slot, a week's digest, a night's purge),
inserted before the job runs: whoever inserts it runs the job; a row whose holder died before marking it done
is taken over, so a run is never made twice by live daemons and never lost to a dead one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.store_support import insert_ignoring_conflict
from moderation.daemon.queue import Owner

NAME = 200
HOLDER = 200


class ClusterClaim(SQLModel, table=True):
    """One claim (`vk:<group id>`, `telegram:<bot id>`) and the daemon process holding it, if any."""

    __tablename__ = "cluster_claims"

    name: str = Field(primary_key=True, max_length=NAME)
    holder: str | None = Field(default=None, max_length=HOLDER)  # host:pid:nonce (moderation.daemon.queue)
    host: str | None = Field(default=None, max_length=NAME)
    pid: int | None = None
    started_at: datetime | None = None  # when the holding daemon started
    claimed_at: datetime | None = None  # when it took the claim
    lease_until: datetime | None = None
    renewed_at: datetime | None = None


class ClusterRun(SQLModel, table=True):
    """One run of a scheduled job for one period, by the daemon that inserted (or took over) the row."""

    __tablename__ = "cluster_runs"

    job: str = Field(primary_key=True, max_length=NAME)
    period: str = Field(primary_key=True, max_length=NAME)
    holder: str = Field(max_length=HOLDER)
    started_at: datetime
    lease_until: datetime
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    """The daemon process as `dozor status` shows it: the claim key, its host and pid, when it started."""

    owner: Owner
    started_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimState:
    """A claim as read back for `dozor status`."""

    name: str
    holder: str | None
    host: str | None
    pid: int | None
    started_at: datetime | None
    claimed_at: datetime | None
    lease_until: datetime | None
    renewed_at: datetime | None


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _takeable(owner: Owner, now: datetime, dead: Sequence[str]) -> ColumnElement[bool]:
    """Free, ours already, run out, or held by a process of this host that is gone."""
    expired = or_(
        col(ClusterClaim.holder).is_(None),
        col(ClusterClaim.holder) == owner.key,
        col(ClusterClaim.lease_until).is_(None),
        col(ClusterClaim.lease_until) <= now,
    )
    return or_(expired, col(ClusterClaim.holder).in_(dead)) if dead else expired


def _dead(owner: Owner, holders: Sequence[str | None]) -> list[str]:
    dead = []
    for holder in holders:
        parsed = Owner.parse(holder) if holder else None
        if holder and parsed is not None and owner.is_dead_peer(parsed):
            dead.append(holder)
    return dead


def acquire(
    session: Session, names: Sequence[str], me: Identity, now: datetime, lease: timedelta
) -> set[str]:
    """Renew the claims among `names` this daemon holds and take those free or run out; the names held now.

    One call is one transaction: a claim another daemon is renewing at this very moment is skipped (its row is
    locked), never waited for, and one whose lease is still running is left alone.
    """
    if not names:
        return set()
    for name in names:
        insert_ignoring_conflict(session, ClusterClaim, {"name": name})
    stmt = select(ClusterClaim.name, ClusterClaim.holder).where(col(ClusterClaim.name).in_(list(names)))
    if _postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    rows = session.exec(stmt).all()
    owner = me.owner
    dead = _dead(owner, [holder for _, holder in rows])
    held: set[str] = set()
    for name, holder in rows:
        values: dict[str, object] = {"lease_until": now + lease, "renewed_at": now}
        if holder != owner.key:
            values |= {"holder": owner.key, "host": owner.host, "pid": owner.pid,
                       "started_at": me.started_at, "claimed_at": now}  # fmt: skip
        result = session.connection().execute(
            update(ClusterClaim)
            .where(col(ClusterClaim.name) == name, _takeable(owner, now, dead))
            .values(**values)
        )
        if getattr(result, "rowcount", 0) == 1:
            held.add(name)
    return held


def release(session: Session, names: Sequence[str], owner: Owner) -> int:
    """Give up claims (a clean stop): another daemon takes them at its next look, without waiting."""
    if not names:
        return 0
    result = session.connection().execute(
        update(ClusterClaim)
        .where(col(ClusterClaim.name).in_(list(names)), col(ClusterClaim.holder) == owner.key)
        .values(holder=None, host=None, pid=None, started_at=None, claimed_at=None, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0))


def claims(session: Session) -> list[ClaimState]:
    """Every claim and its holder, by name."""
    rows = session.exec(select(ClusterClaim).order_by(col(ClusterClaim.name))).all()
    return [
        ClaimState(r.name, r.holder, r.host, r.pid, r.started_at, r.claimed_at, r.lease_until, r.renewed_at)
        for r in rows
    ]


# --- scheduled runs, once across daemons


def _run_takeable(owner: Owner, now: datetime, dead: Sequence[str]) -> ColumnElement[bool]:
    lapsed = (
        or_(col(ClusterRun.lease_until) <= now, col(ClusterRun.holder).in_(dead))
        if dead
        else (col(ClusterRun.lease_until) <= now)
    )
    return and_(col(ClusterRun.done_at).is_(None), col(ClusterRun.holder) != owner.key, lapsed)


def begin_run(session: Session, job: str, period: str, owner: Owner, now: datetime, lease: timedelta) -> bool:
    """True when this daemon is to run `job` for `period`: it inserted the row, or took over one whose holder
    died before finishing. False: done already, or being run by a live daemon."""
    values = {
        "job": job,
        "period": period,
        "holder": owner.key,
        "started_at": now,
        "lease_until": now + lease,
    }
    if insert_ignoring_conflict(session, ClusterRun, values):
        return True
    holders = session.exec(
        select(ClusterRun.holder).where(col(ClusterRun.job) == job, col(ClusterRun.period) == period)
    ).all()
    result = session.connection().execute(
        update(ClusterRun)
        .where(col(ClusterRun.job) == job, col(ClusterRun.period) == period)
        .where(_run_takeable(owner, now, _dead(owner, list(holders))))
        .values(holder=owner.key, started_at=now, lease_until=now + lease)
    )
    return getattr(result, "rowcount", 0) == 1


def renew_runs(session: Session, owner: Owner, until: datetime) -> int:
    """Extend the lease of the runs this daemon is making."""
    result = session.connection().execute(
        update(ClusterRun)
        .where(col(ClusterRun.holder) == owner.key, col(ClusterRun.done_at).is_(None))
        .values(lease_until=until)
    )
    return int(getattr(result, "rowcount", 0))


def finish_run(session: Session, job: str, period: str, owner: Owner, now: datetime) -> bool:
    """Mark the run done (only by its holder: one that lost it to a takeover records nothing)."""
    result = session.connection().execute(
        update(ClusterRun)
        .where(col(ClusterRun.job) == job, col(ClusterRun.period) == period)
        .where(col(ClusterRun.holder) == owner.key, col(ClusterRun.done_at).is_(None))
        .values(done_at=now)
    )
    return getattr(result, "rowcount", 0) == 1


def orphaned_runs(session: Session, owner: Owner, now: datetime) -> list[tuple[str, str]]:
    """Runs begun by a daemon that died before finishing them (their lease ran out): to take over."""
    rows = session.exec(
        select(ClusterRun.job, ClusterRun.period, ClusterRun.holder).where(col(ClusterRun.done_at).is_(None))
    ).all()
    dead = set(_dead(owner, [holder for _, _, holder in rows]))
    stale = session.exec(
        select(ClusterRun.job, ClusterRun.period).where(_run_takeable(owner, now, sorted(dead)))
    ).all()
    return [(str(job), str(period)) for job, period in stale]


def missed_runs(session: Session, due: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of the runs that were `due`, those nobody began although an earlier run of the same job was recorded
    (so the job was being recorded when this one fell due: it was lost, not made before recording began)."""
    missed = []
    for job, period in due:
        rows = session.exec(select(ClusterRun.period).where(col(ClusterRun.job) == job)).all()
        if period not in rows and any(str(earlier) < period for earlier in rows):
            missed.append((job, period))
    return missed
