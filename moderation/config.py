"""Moderation policy settings: mode, per-ground thresholds, who is a public official."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from moderation.types import Ground


class Mode(StrEnum):
    """dry: decide and record, touch nothing; review: every deletion goes to moderators; enforce: act."""

    DRY = "dry"
    REVIEW = "review"
    ENFORCE = "enforce"


class Thresholds(BaseModel):
    """Score at or above `delete` deletes; at or above `review` sends to moderators."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delete: float = Field(ge=0.0, le=1.01)
    review: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.delete:
            raise ValueError("review threshold must not exceed the delete threshold")
        return self


NEVER = 1.01  # a delete threshold no score reaches

DEFAULT_THRESHOLDS: dict[Ground, Thresholds] = {
    Ground.OBSCENITY: Thresholds(delete=0.8, review=0.5),
    Ground.SPAM: Thresholds(delete=0.85, review=0.6),
    Ground.ADVERTISING: Thresholds(delete=0.85, review=0.6),
    Ground.PERSONAL_DATA: Thresholds(delete=0.8, review=0.5),
    Ground.ENGAGEMENT_REQUEST: Thresholds(delete=0.8, review=0.55),
    Ground.LAW_VIOLATION: Thresholds(delete=0.85, review=0.6),
    Ground.DEFAMATION: Thresholds(delete=0.85, review=0.6),
    Ground.PROVOCATION: Thresholds(delete=0.85, review=0.6),
    Ground.UNVERIFIED_CLAIM: Thresholds(delete=NEVER, review=0.6),
    Ground.OFF_TOPIC: Thresholds(delete=NEVER, review=0.7),
}

#: Grounds a machine never deletes on its own (REQUIREMENTS.md): a moderator decides.
REVIEW_ONLY: frozenset[Ground] = frozenset({Ground.UNVERIFIED_CLAIM, Ground.OFF_TOPIC})


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


class RetryPolicy(BaseModel):
    """The [moderation.retry] section: exponential backoff, capped, with a limit on attempts.

    Only real failures count as attempts; a platform's "wait" (rate limit) is waited out without counting.
    `lease_seconds`: how long a claimed action stays with its runner without a renewal (renewed every
    `renew_seconds` while it works), before another daemon takes it over after a crash; a restarted daemon
    takes its own dead claims at once. `call_timeout_seconds` bounds every request to a platform.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=8, ge=1, le=100)
    base_delay_seconds: float = Field(default=2.0, gt=0)
    max_delay_seconds: float = Field(default=900.0, gt=0)
    lease_seconds: float = Field(default=15.0, gt=0)
    renew_seconds: float = Field(default=5.0, gt=0)
    call_timeout_seconds: float = Field(default=10.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=1000)
    idle_seconds: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _renewed_in_time(self) -> RetryPolicy:
        if self.renew_seconds >= self.lease_seconds:
            raise ValueError(
                "renew_seconds must be shorter than lease_seconds, or leases lapse while working"
            )
        return self

    def backoff(self, attempts: int) -> timedelta:
        """Delay after the `attempts`-th failed attempt: base * 2^(attempts-1), capped at the maximum."""
        exponent = max(attempts - 1, 0)
        delay = min(self.base_delay_seconds * (2.0 ** min(exponent, 40)), self.max_delay_seconds)
        return timedelta(seconds=delay)

    def exhausted(self, attempts: int) -> bool:
        """True once an action has failed as many times as allowed; the runner parks it."""
        return attempts >= self.max_attempts

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


class ModerationConfig(BaseModel):
    """The [moderation] section of config.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = Mode.ENFORCE
    thresholds: dict[Ground, Thresholds] = Field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    public_officials: tuple[str, ...] = ()
    organisation_phones: tuple[str, ...] = ()
    model_path: str | None = None
    # The classifier's score for a ground is multiplied by this before it counts (1 when absent). Unverified
    # claims are learned from few examples, so the model alone needs a higher score to send one to review.
    model_weights: dict[Ground, float] = Field(default_factory=lambda: {Ground.UNVERIFIED_CLAIM: 0.8})
    # Grounds the classifier may delete on by itself; on the others its score alone sends to moderators (a
    # wrong deletion of a lawful complaint is the worst error). Obscenity only: the model alone deleted 1-2 %
    # of ordinary chat messages as spam on held-out data, so a spam score without a spam rule goes to
    # review. A page under a spam wave can add "spam" in config.toml and accept that cost.
    model_may_delete: frozenset[Ground] = frozenset({Ground.OBSCENITY})
    escalation: EscalationPolicy = EscalationPolicy()
    retry: RetryPolicy = RetryPolicy()

    @model_validator(mode="after")
    def _complete(self) -> ModerationConfig:
        merged = dict(DEFAULT_THRESHOLDS)
        merged.update(self.thresholds)
        for ground in REVIEW_ONLY:
            if merged[ground].delete <= 1.0:
                raise ValueError(
                    f"{ground.value} is never deleted automatically: set its delete threshold above 1"
                )
        object.__setattr__(self, "thresholds", merged)
        return self
