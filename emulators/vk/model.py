"""The VK emulator's data: tokens, communities, posts, comments, bans, and the errors it answers with."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

TokenKind = Literal["user", "group", "service"]
PostKind = Literal["text", "photo", "video", "poll"]

DEFAULT_RATE_LIMITS: dict[TokenKind, int] = {"user": 3, "group": 20, "service": 20}


class VkFault(Exception):
    """An API error the emulator answers with, in VK's {"error": {...}} shape."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class TokenInfo:
    kind: TokenKind
    user_id: int | None = None
    group_id: int | None = None


@dataclass(slots=True)
class EmuPost:
    id: int
    owner_id: int
    date: int
    text: str
    kind: PostKind = "text"
    is_pinned: bool = False


@dataclass(slots=True)
class EmuComment:
    id: int
    owner_id: int
    post_id: int
    from_id: int
    date: int
    text: str
    reply_to_comment: int | None = None
    reply_to_user: int | None = None
    thread_id: int | None = None
    deleted: bool = False
    deleter_id: int | None = None


@dataclass(frozen=True, slots=True)
class EmuBan:
    group_id: int
    owner_id: int
    end_date: int | None
    reason: int
    comment: str
    comment_visible: bool
    admin_id: int | None


@dataclass(frozen=True, slots=True)
class EmuProfile:
    """A VK user as users.get describes them."""

    id: int
    first_name: str
    last_name: str
    screen_name: str | None = None


@dataclass(slots=True)
class EmuGroup:
    id: int
    name: str
    screen_name: str
    description: str = ""
    contacts: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    site: str = ""
    has_photo: bool = True
    cover_enabled: bool = True
    managers: dict[int, str] = field(default_factory=dict)
    posts: dict[int, EmuPost] = field(default_factory=dict)
    comments: dict[int, EmuComment] = field(default_factory=dict)
    bans: dict[int, EmuBan] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    lp_keys: set[str] = field(default_factory=set)
    lp_failures: deque[int] = field(default_factory=deque)
    lp_floor: int = 0  # events before this position are no longer in VK's long-poll history
    deletions: dict[int, int] = field(default_factory=dict)  # comment id -> times deleted
    last_id: int = 0

    def next_id(self) -> int:
        """Posts and comments share one id sequence per wall, as on VK, so ids grow across posts."""
        self.last_id += 1
        return self.last_id


def unix_time(date: datetime | int | None) -> int:
    if date is None:
        return int(time.time())
    return int(date.timestamp()) if isinstance(date, datetime) else int(date)


class HttpFault(Exception):
    """A bare HTTP error status instead of a JSON answer (a 5xx from a VK front end)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
