"""Moderation actions on VK: delete and restore comments, ban and unban authors.

These need a USER token of a page manager: VK refuses wall.deleteComment and groups.ban with a community token
(error 27). vk_api is synchronous, so every call runs in a worker thread.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import vk_api

from bots.vk.transport import acall
from moderation.daemon.ports import IncomingComment, PlatformError, Restriction
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


class VkActions:
    """`moderation.ports.PlatformActions` for VK, acting as one page manager (user token)."""

    platform = Platform.VK

    def __init__(self, vk: vk_api.VkApi, *, comment_visible: bool = True) -> None:
        self._vk = vk
        self._comment_visible = comment_visible

    async def delete_comment(self, comment: IncomingComment) -> None:
        """Raises NotFound when the comment is gone already (deleted by someone else or by us before)."""
        await acall(
            self._vk,
            "wall.deleteComment",
            {"owner_id": -int(comment.page_id), "comment_id": int(comment.comment_id)},
        )
        log.info("deleted VK comment %s", comment.key)

    async def restore_comment(self, comment: IncomingComment) -> None:
        """Restoring a comment that is not deleted is already the wanted state, so VK's 243 is success."""
        try:
            await acall(
                self._vk,
                "wall.restoreComment",
                {"owner_id": -int(comment.page_id), "comment_id": int(comment.comment_id)},
            )
        except PlatformError as exc:
            if _vk_code(exc) != 243:
                raise
            log.info("VK comment %s was not deleted; nothing to restore", comment.key)
            return
        log.info("restored VK comment %s", comment.key)

    async def restrict(self, restriction: Restriction) -> None:
        """Ban the author in the community; a community author (negative id) is banned the same way."""
        now = datetime.now(UTC)
        end_date = ban_end_date(restriction.until, now)
        if end_date is not None and end_date <= now.timestamp():
            log.info("restriction of %s already over; nothing to do", restriction.author_id)
            return
        params: dict[str, object] = {
            "group_id": int(restriction.page_id),
            "owner_id": int(restriction.author_id),
            "reason": ban_reason(restriction.ground),
            "comment": restriction.comment[:COMMENT_LIMIT],
            "comment_visible": int(self._comment_visible),
        }
        if end_date is not None:
            params["end_date"] = end_date
        await acall(self._vk, "groups.ban", params)
        log.info("banned VK author in group %s until %s", restriction.page_id, end_date or "forever")

    async def lift_restriction(
        self, platform_page_id: str, author_id: str, author_is_chat: bool = False
    ) -> None:
        """groups.unban answers 1 whether or not the author was banned, so this is idempotent as is."""
        await acall(self._vk, "groups.unban", {"group_id": int(platform_page_id), "owner_id": int(author_id)})
        log.info("unbanned VK author in group %s", platform_page_id)


def _vk_code(exc: PlatformError) -> int | None:
    cause = exc.__cause__
    code = getattr(cause, "code", None)
    return code if isinstance(code, int) else None
