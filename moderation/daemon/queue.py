"""The durable action queue as the runner sees it: lanes to claim from, leases, and how a claim settles.

Storage (models/) implements `ActionQueue`; the runner (runner.py, lanes.py) uses it. A lane is the work one
token can do: the actions on one platform, the notices to authors on one platform (never holding up its
deletions), or the posts to the moderators' queue (plus anything no platform lane serves, which fails or
settles visibly there instead of waiting for ever).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from moderation.daemon.records import ActionKind, ActionStatus, QueuedAction
from moderation.types import Platform

#: Kinds that act on a platform (the rest post to the moderators' queue).
PLATFORM_KINDS: frozenset[ActionKind] = frozenset(
    {ActionKind.DELETE, ActionKind.RESTORE, ActionKind.RESTRICT, ActionKind.LIFT}
)
#: Messages to an author on their platform: a lane of their own, so a notice never waits before a deletion.
NOTICE_KINDS: frozenset[ActionKind] = frozenset({ActionKind.NOTICE})
#: Everything a platform's lanes take; the moderators' lane takes the rest.
ON_PLATFORM_KINDS: frozenset[ActionKind] = PLATFORM_KINDS | NOTICE_KINDS


@dataclass(frozen=True, slots=True)
class LaneSpec:
    """Which actions a lane claims.

    `platform` set: that platform's actions of `kinds` (DELETE/RESTORE/RESTRICT/LIFT, or NOTICE). `platform`
    None: every other kind (cards, reports, refreshes), and platform actions and notices for platforms not in
    `served` (no adapter: they fail with a reason). `exclusive`: at
    most one process holds running actions of the lane at a time (posting to one chat, where finding a lost
    send again must not meet another process's send in flight). `pages`, when set: only actions about these
    (platform, page id) pages, for a daemon that holds some of the pages sharing one database.
    """

    name: str
    platform: Platform | None = None
    served: frozenset[Platform] = frozenset()
    kinds: frozenset[ActionKind] = PLATFORM_KINDS
    exclusive: bool = False
    pages: frozenset[tuple[Platform, str]] | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """How one claimed action ends this time.

    DONE (with an optional note and card message reference); PENDING again at `at` (a failure, counted, or a
    rate limit, `counted` False: the attempt is taken back); FAILED or PARKED with the reason.
    """

    action_id: int
    attempt: int
    status: ActionStatus
    at: datetime | None = None
    error: str | None = None
    message_ref: str | None = None
    counted: bool = True


@dataclass(frozen=True, slots=True)
class Owner:
    """A daemon process as the holder of claims: host, pid and a nonce drawn at start.

    A claim whose holder is on this host and no longer alive (or is this pid with another nonce: a restart in
    a container where the pid repeats) is taken back at once; any other waits for its lease to run out.
    """

    host: str
    pid: int
    nonce: str

    @classmethod
    def current(cls) -> Owner:
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(4))

    @property
    def key(self) -> str:
        return f"{self.host}:{self.pid}:{self.nonce}"

    @classmethod
    def parse(cls, key: str) -> Owner | None:
        parts = key.rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])

    def is_dead_peer(self, other: Owner) -> bool:
        """True when `other` held claims from this host and cannot be running any more."""
        if other.host != self.host or other == self:
            return False
        if other.pid == self.pid:
            return True  # one pid cannot be two processes: the other is a predecessor
        return not _alive(other.pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class ActionQueue(Protocol):
    """The durable queue of intents (models.store.Store implements it)."""

    async def claim(
        self, lane: LaneSpec, owner: Owner, now: datetime, limit: int, lease: timedelta
    ) -> list[QueuedAction]:
        """Due actions of the lane (and claims of dead holders), marked running for `owner`, one attempt
        counted each."""
        ...

    async def renew(self, action_ids: Sequence[int], owner: Owner, until: datetime) -> int:
        """Extend the lease of actions `owner` still holds; how many it still holds."""
        ...

    async def settle(self, settlements: Sequence[Settlement], now: datetime) -> int:
        """Record outcomes in one transaction; how many were still ours to record."""
        ...
