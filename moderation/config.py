"""Moderation policy settings: mode, per-ground thresholds, who is a public official."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from moderation.restrictions import EscalationPolicy
from moderation.retry import RetryPolicy
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
