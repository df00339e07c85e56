"""Console accounts: argon2 password hashes, sessions behind random tokens, throttled logins.

Nothing here keeps a secret the database could give away: passwords only as argon2 hashes, session tokens only
as SHA-256 digests. Functions take a Session and flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from models.console import ConsoleSession, ConsoleUser, LoginAttempt, Role
from models.store_support import audit

MIN_PASSWORD = 10
_hasher = PasswordHasher()
# verifying against this when the name is unknown costs the same time as a real check: no name probing
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """A refusal in Russian, fit to show to the person as it is."""


@dataclass(frozen=True)
class CurrentUser:
    """Who is logged in to a request, and the CSRF token their forms must carry."""

    id: int
    name: str
    role: Role
    csrf: str

    @property
    def can_act(self) -> bool:
        return self.role is not Role.VIEWER

    @property
    def is_it(self) -> bool:
        return self.role is Role.IT


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def check_password(password: str) -> None:
    """A password a person chose, not a placeholder: long enough and not all one character."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"пароль короче {MIN_PASSWORD} символов")
    if len(set(password)) < 4:
        raise AccountError("пароль слишком простой: в нём меньше четырёх разных символов")


def add_user(session: Session, name: str, role: str, password: str, now: datetime) -> ConsoleUser:
    """A new account; the name is unique, the role one of moderator, it, viewer."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("имя учётной записи — от 1 до 100 символов")
    try:
        chosen = Role(role)
    except ValueError as exc:
        raise AccountError(f"неизвестная роль «{role}»: moderator, it или viewer") from exc
    check_password(password)
    if session.exec(select(ConsoleUser).where(ConsoleUser.name == name)).first() is not None:
        raise AccountError(f"учётная запись «{name}» уже есть")
    user = ConsoleUser(name=name, role=chosen.value, password_hash=_hasher.hash(password), created_at=now)
    session.add(user)
    session.flush()
    audit(session, now, "console-admin", "console_user_added", {"user": name, "role": chosen.value})
    return user


def set_password(session: Session, name: str, password: str, now: datetime) -> None:
    """Replace a password; every session of the account ends."""
    user = _user(session, name)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.user_id) == user.id))
    audit(session, now, "console-admin", "console_password_set", {"user": name})


def set_active(session: Session, name: str, active: bool, now: datetime) -> None:
    """Disable (or enable again) an account; disabling ends its sessions."""
    user = _user(session, name)
    user.active = active
    session.add(user)
    if not active:
        session.exec(delete(ConsoleSession).where(col(ConsoleSession.user_id) == user.id))
    audit(
        session,
        now,
        "console-admin",
        "console_user_enabled" if active else "console_user_disabled",
        {"user": name},
    )


def _user(session: Session, name: str) -> ConsoleUser:
    user = session.exec(select(ConsoleUser).where(ConsoleUser.name == name.strip())).first()
    if user is None:
        raise AccountError(f"учётной записи «{name}» нет")
    return user


def list_users(session: Session) -> list[ConsoleUser]:
    return list(session.exec(select(ConsoleUser).order_by(col(ConsoleUser.name))))


def throttled(session: Session, name: str, remote: str, now: datetime, limit: int, minutes: int) -> int:
    """Minutes left before this name (or this address) may try again; 0 when it may try now."""
    since = now - timedelta(minutes=minutes)
    by_name = select(func.count(), func.min(LoginAttempt.at)).where(
        LoginAttempt.name == name, LoginAttempt.at >= since
    )
    by_remote = select(func.count(), func.min(LoginAttempt.at)).where(
        LoginAttempt.remote == remote, LoginAttempt.at >= since
    )
    wait = 0
    for query, allowed in ((by_name, limit), (by_remote, limit * 4)):
        count, first = session.exec(query).one()
        if count >= allowed and first is not None:
            left = _aware(first) + timedelta(minutes=minutes) - now
            wait = max(wait, int(left.total_seconds() // 60) + 1)
    return wait


def log_in(
    session: Session, name: str, password: str, remote: str, now: datetime, hours: float
) -> tuple[str, CurrentUser] | None:
    """A new session token for a right name and password of an active account; None otherwise (recorded)."""
    user = session.exec(select(ConsoleUser).where(ConsoleUser.name == name.strip())).first()
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or user.id is None:
        session.add(LoginAttempt(name=name.strip()[:100], remote=remote[:64], at=now))
        audit(session, now, "console", "console_login_failed", {"user": name.strip()[:100], "remote": remote})
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    session.add(
        ConsoleSession(
            token_hash=_digest(token), user_id=user.id, csrf_token=csrf, created_at=now, expires_at=expires
        )
    )
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.add(user)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.name) == user.name))
    audit(session, now, f"console:{user.name}", "console_login", {"remote": remote})
    return token, CurrentUser(user.id, user.name, Role(user.role), csrf)


def session_user(session: Session, token: str, now: datetime) -> CurrentUser | None:
    """The logged-in user behind a cookie's token, if the session is alive and the account active."""
    row = session.exec(select(ConsoleSession).where(ConsoleSession.token_hash == _digest(token))).first()
    if row is None or _aware(row.expires_at) <= now:
        return None
    user = session.get(ConsoleUser, row.user_id)
    if user is None or not user.active or user.id is None:
        return None
    return CurrentUser(user.id, user.name, Role(user.role), row.csrf_token)


def log_out(session: Session, token: str, now: datetime) -> None:
    """End the session behind the token."""
    row = session.exec(select(ConsoleSession).where(ConsoleSession.token_hash == _digest(token))).first()
    if row is not None:
        user = session.get(ConsoleUser, row.user_id)
        session.delete(row)
        audit(session, now, f"console:{user.name if user else '?'}", "console_logout", {})
