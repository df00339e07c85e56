"""Escalating restrictions for repeat offenders (clause 2.5: restrict authors per the platform's rules).

A first violation costs only the comment; repeated ones within a window restrict the author for longer and
longer.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from moderation.ports import IncomingComment, Restriction
from moderation.types import Ground


class EscalationPolicy(BaseModel):
    """The [moderation.escalation] section: restriction length by how many violations came before.

    `steps[n]` is the restriction in days for an author with `n` prior violations on the same page within
    `window_days`; 0 means delete only; the last step repeats for anyone beyond the list.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: tuple[int, ...] = Field(default=(0, 1, 7, 30), min_length=1)
    window_days: int = Field(default=90, ge=1, le=3650)

    @field_validator("steps")
    @classmethod
    def _non_decreasing(cls, steps: tuple[int, ...]) -> tuple[int, ...]:
        if any(step < 0 for step in steps):
            raise ValueError("restriction steps are days and cannot be negative")
        if any(later < earlier for earlier, later in itertools.pairwise(steps)):
            raise ValueError("restriction steps must not decrease: repeat offences must not cost less")
        return steps

    def window_start(self, now: datetime) -> datetime:
        """Violations at or after this moment count as prior ones."""
        return now - timedelta(days=self.window_days)

    def days_for(self, prior_violations: int) -> int:
        """Restriction length in days for an author with this many prior violations (0: none)."""
        if prior_violations < 0:
            raise ValueError("a violation count cannot be negative")
        return self.steps[min(prior_violations, len(self.steps) - 1)]


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
