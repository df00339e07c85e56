"""The web console's own tables: staff accounts, their sessions, login attempts (throttling) and appeals.

Passwords are stored only as argon2 hashes and session tokens only as SHA-256 digests, so a copy of the
database opens no account. Every action taken through the console also goes to the shared audit log.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    """What a console user may do: moderators decide on comments, IT keeps the registry, viewers only read."""

    MODERATOR = "moderator"
    IT = "it"
    VIEWER = "viewer"


class ConsoleUser(SQLModel, table=True):
    """A member of staff who logs in to the console."""

    __tablename__ = "console_users"
    __table_args__ = (UniqueConstraint("name", name="uq_console_users_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=300)
    active: bool = True
    created_at: datetime
    last_login_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A logged-in browser: the cookie holds a random token, the table only its digest."""

    __tablename__ = "console_sessions"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_console_sessions_token"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    user_id: int = Field(foreign_key="console_users.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime


class LoginAttempt(SQLModel, table=True):
    """One failed login, by account name and by address, for throttling guessers."""

    __tablename__ = "console_login_attempts"
    __table_args__ = (Index("ix_console_login_attempts_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    remote: str = Field(max_length=64)
    at: datetime


class Appeal(SQLModel, table=True):
    """A comment restored on a citizen's appeal: who restored it, why, and which restrictions were lifted."""

    __tablename__ = "console_appeals"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comments.id", index=True)
    reason: str
    user_name: str = Field(max_length=100)
    at: datetime
    lifted_restrictions: list[Any] = Field(default_factory=list, sa_type=JSON)
