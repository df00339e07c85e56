"""The VK emulator's world: communities, posts, comments, bans, tokens and the Bots Long Poll event log.

Kept apart from HTTP so that tests and the demo can script it directly and read back what the adapter did
("which comments are deleted", "how many API calls per comment"). Every public method takes the one lock,
because the HTTP server answers from many threads at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from emulators.vk.faults import VkFaults
from emulators.vk.model import (
    DEFAULT_RATE_LIMITS,
    EmuBan,
    EmuComment,
    EmuGroup,
    EmuPost,
    EmuProfile,
    HttpFault,
    PostKind,
    TokenInfo,
    TokenKind,
    VkFault,
    unix_time,
)

__all__ = ["EmuBan", "EmuComment", "EmuGroup", "EmuPost", "HttpFault", "TokenInfo", "VkFault", "VkWorld"]


class VkWorld(VkFaults):
    """State and scripting API of the emulator; the HTTP layer lives in `server.py`, faults in `faults.py`."""

    def __init__(
        self, rate_limits: dict[TokenKind, int] | None = None, longpoll_history: int = 10_000
    ) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self.groups: dict[int, EmuGroup] = {}
        self.profiles: dict[int, EmuProfile] = {}
        self.tokens: dict[str, TokenInfo] = {}
        self.rate_limits: dict[TokenKind, int] = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
        self._recent: dict[str, deque[float]] = {}
        self._calls: Counter[str] = Counter()
        self._hooks: dict[str, deque[Callable[[dict[str, str]], None]]] = {}
        self.longpoll_history = longpoll_history  # events VK keeps for a long poll resuming from an old ts
        self._requests: Counter[str] = Counter()
        self.effects: list[
            tuple[Any, ...]
        ] = []  # every effect a client had, in order: ("delete", gid, id)...
        self.base_url = ""

    # --- tokens and communities

    def add_group(
        self,
        group_id: int,
        name: str,
        *,
        screen_name: str | None = None,
        description: str = "",
        phones: tuple[str, ...] = (),
        emails: tuple[str, ...] = (),
        addresses: tuple[str, ...] = (),
        site: str = "",
        has_photo: bool = True,
        cover_enabled: bool = True,
        token: str | None = None,
    ) -> int:
        """Create a community; `token`, when given, becomes its community (group) token."""
        contacts = [{"phone": p} for p in phones] + [{"email": e} for e in emails]
        with self._lock:
            self.groups[group_id] = EmuGroup(
                id=group_id,
                name=name,
                screen_name=screen_name or f"club{group_id}",
                description=description,
                contacts=contacts,
                addresses=list(addresses),
                site=site,
                has_photo=has_photo,
                cover_enabled=cover_enabled,
            )
            if token is not None:
                self.tokens[token] = TokenInfo("group", group_id=group_id)
        return group_id

    def add_manager(
        self, group_id: int, user_id: int, role: str = "administrator", token: str | None = None
    ) -> None:
        """Make a user a manager of the community; `token`, when given, becomes that user's token."""
        with self._lock:
            self._group(group_id).managers[user_id] = role
            if token is not None:
                self.tokens[token] = TokenInfo("user", user_id=user_id)

    def add_token(
        self, token: str, kind: TokenKind, *, user_id: int | None = None, group_id: int | None = None
    ) -> None:
        """Register any token, e.g. a user who is not a manager or an application's service token."""
        with self._lock:
            self.tokens[token] = TokenInfo(kind, user_id=user_id, group_id=group_id)

    def add_user(self, user_id: int, first_name: str, last_name: str, screen_name: str | None = None) -> None:
        """A VK user users.get knows by name (others answer as deleted profiles, as VK does)."""
        with self._lock:
            self.profiles[user_id] = EmuProfile(user_id, first_name, last_name, screen_name)

    def set_rate_limit(self, kind: TokenKind, per_second: int) -> None:
        with self._lock:
            self.rate_limits[kind] = per_second

    # --- content

    def add_post(
        self,
        group_id: int,
        text: str,
        *,
        kind: PostKind = "text",
        date: datetime | int | None = None,
        pinned: bool = False,
    ) -> int:
        """Publish a post on the community's wall (enqueues wall_post_new)."""
        with self._lock:
            group = self._group(group_id)
            post = EmuPost(group.next_id(), -group_id, unix_time(date), text, kind, pinned)
            group.posts[post.id] = post
            self._emit(
                group,
                "wall_post_new",
                {
                    "id": post.id,
                    "owner_id": post.owner_id,
                    "from_id": post.owner_id,
                    "date": post.date,
                    "text": post.text,
                    "post_type": "post",
                },
            )
            return post.id

    def add_comment(
        self,
        group_id: int,
        post_id: int,
        from_id: int,
        text: str,
        *,
        date: datetime | int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Someone comments on a post (enqueues wall_reply_new); `reply_to` makes it a reply in a thread."""
        with self._lock:
            group = self._group(group_id)
            if post_id not in group.posts:
                raise KeyError(f"no post {post_id} in group {group_id}")
            parent = group.comments[reply_to] if reply_to is not None else None
            comment = EmuComment(
                group.next_id(),
                -group_id,
                post_id,
                from_id,
                unix_time(date),
                text,
                reply_to_comment=parent.id if parent else None,
                reply_to_user=parent.from_id if parent else None,
                thread_id=(parent.thread_id or parent.id) if parent else None,
            )
            group.comments[comment.id] = comment
            self._emit(group, "wall_reply_new", self.comment_object(comment))
            return comment.id

    def edit_comment(self, group_id: int, comment_id: int, text: str) -> None:
        """The author edits a comment (enqueues wall_reply_edit)."""
        with self._lock:
            group = self._group(group_id)
            comment = group.comments[comment_id]
            comment.text = text
            self._emit(group, "wall_reply_edit", self.comment_object(comment))

    def remove_comment(self, group_id: int, comment_id: int, by: int) -> None:
        """Someone outside the product (the author, another manager) deletes a comment (wall_reply_delete)."""
        with self._lock:
            group = self._group(group_id)
            comment = group.comments[comment_id]
            comment.deleted, comment.deleter_id = True, by
            obj = {"owner_id": comment.owner_id, "id": comment.id, "deleter_id": by}
            self._emit(group, "wall_reply_delete", {**obj, "post_id": comment.post_id})

    @staticmethod
    def comment_object(comment: EmuComment) -> dict[str, Any]:
        """A comment in VK's wall_wall_comment shape (used by both wall.getComments and events)."""
        obj: dict[str, Any] = {
            "id": comment.id,
            "from_id": comment.from_id,
            "post_id": comment.post_id,
            "owner_id": comment.owner_id,
            "date": comment.date,
            "text": comment.text,
            "parents_stack": [comment.thread_id] if comment.thread_id else [],
        }
        if comment.reply_to_comment is not None:
            obj["reply_to_comment"] = comment.reply_to_comment
            obj["reply_to_user"] = comment.reply_to_user
        return obj

    # --- failures

    def inject_longpoll_failure(self, code: int, group_id: int | None = None) -> None:
        """Make the next long-poll check answer {"failed": code}; 2 and 3 also expire the key, as VK does."""
        if code not in (1, 2, 3):
            raise ValueError("long-poll failure code is 1, 2 or 3")
        with self._lock:
            targets = [self._group(group_id)] if group_id is not None else list(self.groups.values())
            for group in targets:
                group.lp_failures.append(code)
            self._changed.notify_all()

    def before_next(self, method: str, hook: Callable[[dict[str, str]], None]) -> None:
        """Run `hook(params)` once, just before the next call of `method` is answered (with the world's lock
        held, so what it scripts happens "during" that call): races a test wants to reproduce exactly."""
        with self._lock:
            self._hooks.setdefault(method, deque()).append(hook)

    def run_hooks(self, method: str, params: dict[str, str]) -> None:
        """Called by the API layer once a call is admitted; runs the hooks scheduled for it."""
        hooks = self._hooks.get(method)
        while hooks:
            hooks.popleft()(params)

    def forget_longpoll_history(self, group_id: int | None = None) -> None:
        """VK drops the event history so far (it keeps a window only): a long poll resuming from an older
        `ts` is answered `failed: 1` with the current ts, and the events in between are lost to it."""
        with self._lock:
            targets = [self._group(group_id)] if group_id is not None else list(self.groups.values())
            for group in targets:
                group.lp_floor = len(group.events)

    # --- read-back

    def call_counts(self) -> dict[str, int]:
        """Calls per method, refused ones included, those made inside `execute` too (and `execute` itself)."""
        with self._lock:
            return dict(self._calls)

    def request_counts(self) -> dict[str, int]:
        """HTTP requests per method (an `execute` of 25 calls is one): what the rate limit counts."""
        with self._lock:
            return dict(self._requests)

    def reset_call_counts(self) -> None:
        with self._lock:
            self._calls.clear()
            self._requests.clear()

    def deletions(self, group_id: int) -> dict[int, int]:
        """How many times each comment was deleted (a restore in between allows a second)."""
        with self._lock:
            return dict(self._group(group_id).deletions)

    def deleted_comments(self, group_id: int) -> list[int]:
        with self._lock:
            return sorted(c.id for c in self._group(group_id).comments.values() if c.deleted)

    def comment(self, group_id: int, comment_id: int) -> EmuComment:
        """A copy of one comment, so tests cannot change the world by accident."""
        with self._lock:
            return replace(self._group(group_id).comments[comment_id])

    def bans(self, group_id: int) -> dict[int, EmuBan]:
        with self._lock:
            return dict(self._group(group_id).bans)

    def events(self, group_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._group(group_id).events)

    # --- used by the API layer

    def admit(self, method: str, token: str | None) -> TokenInfo:
        """Count the call, play injected failures, check the token and its rate; return who is calling."""
        self._calls[method] += 1
        self._requests[method] += 1
        self.play_failure(method, inner=False)
        info = self.tokens.get(token or "")
        if info is None:
            raise VkFault(5, "User authorization failed: invalid access_token (4).")
        self._check_rate(token or "", info.kind)
        return info

    def count_inner(self, method: str) -> None:
        """A call made inside `execute`: counted and subject to injected failures, not to the rate limit."""
        self._calls[method] += 1
        self.play_failure(method, inner=True)

    def _check_rate(self, token: str, kind: TokenKind) -> None:
        now = time.monotonic()
        recent = self._recent.setdefault(token, deque())
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= self.rate_limits[kind]:
            raise VkFault(6, "Too many requests per second")
        recent.append(now)

    def _group(self, group_id: int | None) -> EmuGroup:
        group = self.groups.get(group_id) if group_id is not None else None
        if group is None:
            raise VkFault(
                100, "One of the parameters specified was missing or invalid: group_id is undefined"
            )
        return group

    def group(self, group_id: int | None) -> EmuGroup:
        """The community, or VK's error 100 when there is none; call with the lock held."""
        return self._group(group_id)

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def _emit(self, group: EmuGroup, event_type: str, obj: dict[str, Any]) -> None:
        group.events.append(
            {
                "type": event_type,
                "object": obj,
                "group_id": group.id,
                "event_id": secrets.token_hex(20),
                "v": "5.199",
            }
        )
        self._changed.notify_all()

    def emit(self, group: EmuGroup, event_type: str, obj: dict[str, Any]) -> None:
        """Enqueue a long-poll event; call with the lock held."""
        self._emit(group, event_type, obj)

    # --- Bots Long Poll

    def new_longpoll_key(self, group: EmuGroup) -> str:
        key = secrets.token_hex(16)
        group.lp_keys.add(key)
        return key

    def longpoll_check(self, group_id: int, key: str, ts: str, wait: float) -> dict[str, Any]:
        """Answer one a_check: wait up to `wait` seconds for events after `ts`, or report a failure."""
        deadline = time.monotonic() + max(0.0, min(wait, 90.0))
        with self._lock:
            group = self.groups.get(group_id)
            if group is None:
                return {"failed": 2}
            while True:
                failed = self._longpoll_failure(group, key, ts)
                if failed is not None:
                    return failed
                position = int(ts)
                if len(group.events) > position or self._closed:
                    return {"ts": str(len(group.events)), "updates": group.events[position:]}
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return {"ts": str(position), "updates": []}
                self._changed.wait(remaining)

    def _longpoll_failure(self, group: EmuGroup, key: str, ts: str) -> dict[str, Any] | None:
        current = str(len(group.events))
        if group.lp_failures:
            code = group.lp_failures.popleft()
            if code == 1:
                return {"failed": 1, "ts": current}
            group.lp_keys.clear()
            return {"failed": code}
        if key not in group.lp_keys:
            return {"failed": 2}
        if not ts.isdigit() or int(ts) > len(group.events) or int(ts) < self._history_start(group):
            return {"failed": 1, "ts": current}
        return None

    def _history_start(self, group: EmuGroup) -> int:
        """The oldest position a long poll can still resume from: VK keeps a window of recent events."""
        return max(group.lp_floor, len(group.events) - self.longpoll_history)

    def close(self) -> None:
        """Wake every waiting long poll so that the server can stop at once."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
