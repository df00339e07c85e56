"""Moderation actions on VK: delete and restore comments, ban and unban authors, one by one or in batches.

These need a USER token of a page manager: VK refuses wall.deleteComment and groups.ban with a community token
(error 27). A raid is met with `execute`: up to 25 calls in one request, so one user token (3 requests/s)
deletes about 75 comments a second; each call's failure comes back on its own (`false` and `execute_errors`).
vk_api is synchronous: every request runs in this adapter's own thread, bounded by a timeout, so a VK that
hangs never takes a thread the rest of the daemon needs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import vk_api
from vk_api.exceptions import ApiError

from bots.vk.transport import call, map_error
from moderation.daemon.acting import PlatformOp
from moderation.daemon.ports import (
    IncomingComment,
    PlatformError,
    RateLimited,
    Restriction,
    TransientError,
)
from moderation.daemon.records import ActionKind
from moderation.types import Ground, Platform

log = logging.getLogger(__name__)

# groups.ban reason: 0 other, 1 spam, 2 verbal abuse, 3 strong language, 4 irrelevant messages
BAN_REASONS: dict[Ground, int] = {
    Ground.SPAM: 1,
    Ground.ADVERTISING: 1,
    Ground.DEFAMATION: 2,
    Ground.PROVOCATION: 2,
    Ground.OBSCENITY: 3,
    Ground.OFF_TOPIC: 4,
}
MAX_BAN = timedelta(days=365)
COMMENT_LIMIT = 300  # keep the ban comment short; VK shows it to the banned user when comment_visible
EXECUTE_LIMIT = 25  # API calls VK allows in one `execute`
NOT_DELETED = 243  # wall.restoreComment of a comment that is not deleted
CALL_TIMEOUT = 10.0

Request = tuple[str, dict[str, Any]]


def ban_reason(ground: Ground) -> int:
    """The groups.ban reason code for a deletion ground; grounds VK has no word for are "other" (0)."""
    return BAN_REASONS.get(ground, 0)


def ban_end_date(until: datetime | None, now: datetime) -> int | None:
    """Unix end_date for groups.ban: None means forever; VK accepts at most a year ahead, so cap there."""
    if until is None:
        return None
    if until.tzinfo is None:
        raise ValueError("restriction end must be timezone-aware")
    return int(min(until, now + MAX_BAN).timestamp())


def execute_code(requests: Sequence[Request]) -> str:
    """The VKScript of one `execute`: the calls' results in order (JSON objects are valid VKScript)."""
    calls = [f"API.{method}({json.dumps(params, ensure_ascii=False)})" for method, params in requests]
    return "return [" + ",".join(calls) + "];"


class VkActions:
    """`PlatformActions` (and `BatchingActions`) for VK, acting as one page manager (user token)."""

    platform = Platform.VK
    batch_limit = EXECUTE_LIMIT * 4  # a lane's chunk: a few executes, recorded together

    def __init__(
        self, vk: vk_api.VkApi, *, comment_visible: bool = True, call_timeout: float = CALL_TIMEOUT
    ) -> None:
        self._vk = vk
        self._comment_visible = comment_visible
        self._timeout = call_timeout
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vk-actions")

    async def delete_comment(self, comment: IncomingComment) -> None:
        """Raises NotFound when the comment is gone already (deleted by someone else or by us before)."""
        await self._one(PlatformOp(ActionKind.DELETE, comment=comment))

    async def restore_comment(self, comment: IncomingComment) -> None:
        """Restoring a comment that is not deleted is already the wanted state, so VK's 243 is success."""
        await self._one(PlatformOp(ActionKind.RESTORE, comment=comment))

    async def restrict(self, restriction: Restriction) -> None:
        """Ban the author in the community; a community author (negative id) is banned the same way."""
        await self._one(PlatformOp(ActionKind.RESTRICT, restriction=restriction))

    async def lift_restriction(
        self, platform_page_id: str, author_id: str, author_is_chat: bool = False
    ) -> None:
        """groups.unban answers 1 whether or not the author was banned, so this is idempotent as is."""
        lift = Restriction(Platform.VK, platform_page_id, author_id, None, Ground.SPAM)
        await self._one(PlatformOp(ActionKind.LIFT, restriction=lift))

    async def perform_batch(self, ops: Sequence[PlatformOp], timeout: float) -> list[PlatformError | None]:
        """Every op, in executes of up to 25 calls; one outcome per op (see moderation.daemon.acting)."""
        outcomes: list[PlatformError | None] = [None] * len(ops)
        pending = [
            (i, request) for i, op in enumerate(ops) if (request := _request(op, self._comment_visible))
        ]
        if len(pending) == 1:  # one call needs no script
            index, (method, params) = pending[0]
            try:
                await self._call(method, params, timeout)
            except PlatformError as error:
                outcomes[index] = _accepted(ops[index], error)
            else:
                _log_done(ops[index])
            return outcomes
        for start in range(0, len(pending), EXECUTE_LIMIT):
            chunk = pending[start : start + EXECUTE_LIMIT]
            try:
                answer = await self._call("execute", {"code": execute_code([r for _, r in chunk])}, timeout)
            except RateLimited as error:  # VK said wait: nothing from here on is attempted
                for index, _ in pending[start:]:
                    outcomes[index] = error
                break
            except PlatformError as error:
                for index, _ in chunk:
                    outcomes[index] = error
                continue
            for (index, _), failed in zip(chunk, self._call_errors(chunk, answer), strict=True):
                outcomes[index] = _accepted(ops[index], failed) if failed is not None else None
                if failed is None:
                    _log_done(ops[index])
        return outcomes

    def _call_errors(self, chunk: list[tuple[int, Request]], answer: Any) -> list[PlatformError | None]:
        """Each call's error in an execute answer: a `false` result takes the next of `execute_errors`."""
        results = answer.get("response") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(chunk):
            return [TransientError("VK execute: answer out of shape") for _ in chunk]
        errors = list(answer.get("execute_errors") or [])
        out: list[PlatformError | None] = []
        for (_, (method, params)), result in zip(chunk, results, strict=True):
            if result is not False:
                out.append(None)
                continue
            detail: dict[str, Any] = errors.pop(0) if errors else {}
            raw = {
                "error_code": int(detail.get("error_code") or 1),
                "error_msg": str(detail.get("error_msg") or "Unknown error"),
            }
            upstream = ApiError(self._vk, method, params, False, raw)
            mapped = map_error(upstream, method)
            mapped.__cause__ = upstream
            out.append(mapped)
        return out

    async def _one(self, op: PlatformOp) -> None:
        request = _request(op, self._comment_visible)
        if request is None:
            return
        try:
            await self._call(*request, self._timeout)
        except PlatformError as error:
            if _accepted(op, error) is not None:
                raise
        _log_done(op)

    async def _call(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        """One request in this adapter's thread, `execute` answered whole (execute_errors included)."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._thread, lambda: call(self._vk, method, params, raw=method == "execute")
        )
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TransientError(f"VK {method}: no answer within {timeout:g} s") from None


def _request(op: PlatformOp, comment_visible: bool) -> Request | None:
    """The API call behind an op; None when there is nothing to do (a ban whose end has passed)."""
    if op.comment is not None:
        method = "wall.deleteComment" if op.kind is ActionKind.DELETE else "wall.restoreComment"
        return method, {"owner_id": -int(op.comment.page_id), "comment_id": int(op.comment.comment_id)}
    restriction = op.restriction
    if restriction is None:
        raise ValueError(f"{op.kind.value} needs a comment or a restriction")
    if op.kind is ActionKind.LIFT:
        return "groups.unban", {"group_id": int(restriction.page_id), "owner_id": int(restriction.author_id)}
    now = datetime.now(UTC)
    end_date = ban_end_date(restriction.until, now)
    if end_date is not None and end_date <= now.timestamp():
        log.info("restriction in VK group %s already over; nothing to do", restriction.page_id)
        return None
    params: dict[str, Any] = {
        "group_id": int(restriction.page_id),
        "owner_id": int(restriction.author_id),
        "reason": ban_reason(restriction.ground),
        "comment": restriction.comment[:COMMENT_LIMIT],
        "comment_visible": int(comment_visible),
    }
    if end_date is not None:
        params["end_date"] = end_date
    return "groups.ban", params


def _accepted(op: PlatformOp, error: PlatformError) -> PlatformError | None:
    """The error, or None where it means the wanted state already holds (restoring a live comment)."""
    if op.kind is ActionKind.RESTORE and _vk_code(error) == NOT_DELETED:
        log.info("VK comment %s was not deleted; nothing to restore", op.comment.key if op.comment else "?")
        return None
    return error


def _log_done(op: PlatformOp) -> None:
    if op.comment is not None:
        log.info(
            "%s VK comment %s", "deleted" if op.kind is ActionKind.DELETE else "restored", op.comment.key
        )
    elif op.restriction is not None:
        verb = "unbanned" if op.kind is ActionKind.LIFT else "banned"
        log.info("%s a VK author in group %s", verb, op.restriction.page_id)


def _vk_code(exc: PlatformError) -> int | None:
    cause = exc.__cause__
    code = getattr(cause, "code", None)
    return code if isinstance(code, int) else None
