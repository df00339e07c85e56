"""Escalating restrictions for repeat offenders (clause 2.5: restrict authors per the platform's rules).

A first violation costs only the comment; repeated ones within a window restrict the author for longer and
longer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from moderation.config import EscalationPolicy
from moderation.daemon.ports import IncomingComment, Restriction
from moderation.types import Ground


def restriction_for(
    policy: EscalationPolicy,
    prior_violations: int,
    comment: IncomingComment,
    ground: Ground,
    now: datetime,
) -> Restriction | None:
    """The restriction the policy sets for this comment's author, or None when deletion alone suffices."""
    days = policy.days_for(prior_violations)
    if days == 0:
        return None
    return restriction_of_days(comment, ground, days, now)


def restriction_of_days(comment: IncomingComment, ground: Ground, days: int, now: datetime) -> Restriction:
    """A restriction of the comment's author on its page for `days` days from `now`."""
    return Restriction(
        platform=comment.platform,
        page_id=comment.page_id,
        author_id=comment.author_id,
        until=now + timedelta(days=days),
        ground=ground,
        comment=f"clause 2.5: {ground.value}",
        author_is_chat=comment.author_is_chat,
    )
