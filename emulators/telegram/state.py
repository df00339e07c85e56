"""The Telegram emulator's world: accounts, chats, messages, update queues, limits and injected failures.

Kept apart from the HTTP layer so that the API methods and the scripting used by tests and the demo share one
source of truth, and so that every effect a bot has can be read back after the fact.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from emulators.telegram.model import (
    ApiError,
    CallbackAnswer,
    Clock,
    EmuChat,
    EmuUser,
    RestrictionRecord,
    StoredMessage,
    UploadedDocument,
)

logger = logging.getLogger(__name__)

_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
# Telegram leaves these out unless a bot asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class BotAccount:
    """A bot known to the emulator, with its own queue of updates as getUpdates serves them."""

    token: str
    user: EmuUser
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    allowed_updates: frozenset[str] | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    poll_generation: int = 0

    def wants(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self.allowed_updates


@dataclass
class Hold:
    """A call held by the emulator (see EmulatorState.hold); `fail`, when set, is answered on release instead
    of performing the call (a request that never got through)."""

    after: bool
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    fail: ApiError | None = None

    async def wait(self) -> None:
        self.reached.set()
        await self.release.wait()
        if self.fail is not None:
            raise self.fail


class RateLimiter:
    """Telegram's sending limits: about 20 messages a minute to one group and 30 a second overall."""

    def __init__(self, clock: Clock, per_chat_per_minute: int = 20, overall_per_second: int = 30) -> None:
        self.clock = clock
        self.per_chat_per_minute = per_chat_per_minute
        self.overall_per_second = overall_per_second
        self._per_chat: dict[int, deque[float]] = {}
        self._overall: deque[float] = deque()

    def check(self, chat_id: int) -> None:
        """Count one message to `chat_id`, or raise the 429 Telegram would answer."""
        now = self.clock.time()
        chat_window = self._per_chat.setdefault(chat_id, deque())
        _expire(chat_window, now - 60.0)
        _expire(self._overall, now - 1.0)
        if len(chat_window) >= self.per_chat_per_minute:
            raise _too_many(chat_window[0] + 60.0 - now)
        if len(self._overall) >= self.overall_per_second:
            raise _too_many(self._overall[0] + 1.0 - now)
        chat_window.append(now)
        self._overall.append(now)


def _expire(window: deque[float], horizon: float) -> None:
    while window and window[0] <= horizon:
        window.popleft()


def _too_many(wait: float) -> ApiError:
    retry_after = max(1, math.ceil(wait))
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


class EmulatorState:
    """Everything the emulated Telegram knows; mutated by API calls and by test scripting alike."""

    def __init__(self, per_chat_per_minute: int = 20, overall_per_second: int = 30) -> None:
        self.clock = Clock()
        self.limiter = RateLimiter(self.clock, per_chat_per_minute, overall_per_second)
        self.bots: dict[str, BotAccount] = {}
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.restrictions: dict[tuple[int, int], RestrictionRecord] = {}
        self.bans: dict[tuple[int, int], int] = {}
        self.sender_chat_bans: set[tuple[int, int]] = set()
        self.documents: list[UploadedDocument] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.issued_callbacks: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.call_log: list[tuple[str, dict[str, str]]] = []
        self.deletions: Counter[tuple[int, int]] = Counter()  # (chat, message) -> times deleted
        self.effects: list[tuple[Any, ...]] = []  # every effect a bot had, in order: ("delete", chat, id)...
        self._failures: dict[str, deque[ApiError | None]] = {}
        self._http_failures: dict[str, deque[int]] = {}
        self._holds: dict[str, deque[Hold]] = {}
        self._next_callback_id = 1
        self.closing = False

    # --- lookups -------------------------------------------------------------------------------------------

    def bot_for(self, token: str) -> BotAccount:
        try:
            return self.bots[token]
        except KeyError:
            raise ApiError(401, "Unauthorized") from None

    def chat(self, raw: str | int) -> EmuChat:
        """Find a chat by id or @username, as the Bot API's chat_id parameter allows."""
        text = str(raw).strip()
        if text.startswith("@"):
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == text[1:].lower():
                    return chat
        else:
            try:
                found = self.chats.get(int(text))
            except ValueError:
                found = None
            if found is not None:
                return found
        raise ApiError(400, "Bad Request: chat not found")

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        return self.messages.get((chat_id, message_id))

    def live_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        found = self.message(chat_id, message_id)
        return None if found is None or found.deleted else found

    def is_in_chat(self, user_id: int, chat: EmuChat) -> bool:
        return user_id in chat.members or user_id in chat.admins

    # --- messages and updates ------------------------------------------------------------------------------

    def new_message(
        self,
        chat: EmuChat,
        fields: dict[str, Any],
        *,
        html: str | None = None,
        sent_by_token: str | None = None,
    ) -> StoredMessage:
        """Store a message with the next id in `chat`; `fields` are Message fields beyond the basics."""
        message_id = chat.take_message_id()
        date = int(self.clock.time())
        payload: dict[str, Any] = {"message_id": message_id, "date": date, "chat": chat.to_api(), **fields}
        stored = StoredMessage(chat.id, message_id, date, payload, html=html, sent_by_token=sent_by_token)
        self.messages[(chat.id, message_id)] = stored
        return stored

    def deliver(self, chat: EmuChat, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update for every bot in `chat`; returns how many bots got it."""
        recipients = [bot for bot in self.bots.values() if self.is_in_chat(bot.user.id, chat)]
        for bot in recipients:
            self.deliver_to(bot, kind, payload)
        return len(recipients)

    def deliver_to(self, bot: BotAccount, kind: str, payload: dict[str, Any]) -> None:
        bot.updates.append({"update_id": bot.next_update_id, kind: payload})
        bot.next_update_id += 1
        bot.wakeup.set()

    def take_callback_id(self) -> str:
        callback_id = f"cbq-{self._next_callback_id}"
        self._next_callback_id += 1
        self.issued_callbacks.add(callback_id)
        return callback_id

    async def next_updates(
        self, bot: BotAccount, offset: int, limit: int, timeout: float
    ) -> list[dict[str, Any]]:
        """getUpdates semantics: confirm everything below `offset`, then wait up to `timeout` for news.

        A newer getUpdates of the same bot ends a pending one with 409, as Telegram does when two instances
        of one bot poll at once.
        """
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.wakeup.set()
        if offset > 0:
            bot.updates = [update for update in bot.updates if update["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            if generation != bot.poll_generation:
                raise ApiError(409, _CONFLICT)
            bot.updates = [update for update in bot.updates if bot.wants(update)]
            remaining = deadline - loop.time()
            if bot.updates or remaining <= 0 or self.closing:
                return bot.updates[: max(1, min(limit, 100))]
            bot.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.wakeup.wait(), remaining)

    def wake_all(self) -> None:
        """Release every pending long poll, so that the server can stop at once."""
        self.closing = True
        for bot in self.bots.values():
            bot.wakeup.set()

    # --- failures and bookkeeping --------------------------------------------------------------------------

    def inject_failure(self, method: str, error: ApiError, times: int = 1, *, skip: int = 0) -> None:
        """Make `times` calls of `method`, after the next `skip` ones, fail with `error` (network trouble,
        a 500, a 403, a 429)."""
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend([None] * skip + [error] * times)

    def inject_http_failure(self, method: str, status: int = 502, times: int = 1) -> None:
        """Make the next `times` calls of `method` meet a front end's bare HTTP error (an HTML page, no JSON),
        as when Telegram's proxies answer 502 Bad Gateway."""
        self._http_failures.setdefault(method.lower(), deque()).extend([status] * times)

    def take_http_failure(self, method: str) -> int | None:
        queue = self._http_failures.get(method.lower())
        return queue.popleft() if queue else None

    def take_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method.lower())
        return queue.popleft() if queue else None

    def hold(self, method: str, *, after: bool) -> Hold:
        """Hold the next call of `method` until `Hold.release` is set: before it takes effect (a hanging
        Telegram) or `after` it took effect, with the answer not yet sent (what a caller killed or timed out
        mid-call meets). `Hold.reached` is set when a call is being held."""
        hold = Hold(after=after)
        self._holds.setdefault(method.lower(), deque()).append(hold)
        return hold

    def take_hold(self, method: str, *, after: bool) -> Hold | None:
        queue = self._holds.get(method.lower())
        if queue and queue[0].after == after:
            return queue.popleft()
        return None

    def delete(self, stored: StoredMessage) -> None:
        stored.deleted = True
        self.deletions[(stored.chat_id, stored.message_id)] += 1
        self.effects.append(("delete", stored.chat_id, stored.message_id))

    def record_call(self, method: str, params: dict[str, str]) -> None:
        self.calls[method] += 1
        self.call_log.append((method, params))
        logger.debug("emulated call %s", method)
