"""Moderation policy settings: mode, per-ground thresholds, who is a public official."""

from __future__ import annotations

import itertools
import string
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from moderation.types import Ground
from moderation.waves.config import WavesPolicy


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


#: Grounds clause 2.5 treats as the gravest: their authors are restricted from the first deletion on.
SERIOUS_GROUNDS: frozenset[Ground] = frozenset({Ground.OBSCENITY, Ground.PROVOCATION, Ground.LAW_VIOLATION})
#: Longest restriction in days: VK bans for at most a year, and Telegram reads more than 366 days as for ever.
MAX_RESTRICTION_DAYS = 365


def _check_steps(steps: tuple[int, ...]) -> tuple[int, ...]:
    if not steps:
        raise ValueError("at least one restriction step is needed")
    if any(step < 0 or step > MAX_RESTRICTION_DAYS for step in steps):
        raise ValueError(f"restriction steps are days from 0 to {MAX_RESTRICTION_DAYS}")
    if any(later < earlier for earlier, later in itertools.pairwise(steps)):
        raise ValueError("restriction steps must not decrease: repeat offences must not cost less")
    return steps


Steps = Annotated[tuple[int, ...], AfterValidator(_check_steps)]


class EscalationPolicy(BaseModel):
    """The [moderation.escalation] section: restriction length by ground and by the violations before.

    Clause 2.5 restricts the authors of deleted comments. `grounds[g][n]` is the restriction in days for an
    author with `n` prior violations on the same page within `window_days` whose comment was deleted on ground
    `g`; grounds not listed use `steps`. 0 means the comment only (the author is warned where the platform
    shows no reason); the last step repeats for anyone beyond the list. By default the serious grounds
    (obscenity, provocation, law violations) restrict from the first deletion on.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: Steps = (0, 1, 7, 30)
    grounds: dict[Ground, Steps] = Field(default_factory=dict)
    window_days: int = Field(default=90, ge=1, le=3650)

    @model_validator(mode="after")
    def _serious_by_default(self) -> EscalationPolicy:
        merged: dict[Ground, Steps] = dict.fromkeys(SERIOUS_GROUNDS, (1, 7, 30))
        merged.update(self.grounds)
        object.__setattr__(self, "grounds", merged)
        return self

    def window_start(self, now: datetime) -> datetime:
        """Violations at or after this moment count as prior ones."""
        return now - timedelta(days=self.window_days)

    def steps_for(self, ground: Ground | None) -> Steps:
        """The escalation steps for a ground (the general ones when it has none of its own)."""
        return self.grounds.get(ground, self.steps) if ground is not None else self.steps

    def days_for(self, prior_violations: int, ground: Ground | None = None) -> int:
        """Restriction length in days for an author with this many prior violations (0: none)."""
        if prior_violations < 0:
            raise ValueError("a violation count cannot be negative")
        steps = self.steps_for(ground)
        return steps[min(prior_violations, len(steps) - 1)]


PLACEHOLDERS = frozenset({"clause", "ground", "until", "name"})


class CitizenTexts(BaseModel):
    """The [moderation.texts] section: what a citizen reads when a comment of theirs is deleted.

    Plain Russian citing the clause. Placeholders: {clause} («п. 2.5, пп. 2»), {ground} (the regulation's
    words, «ненормативная лексика»), {until} («до 12.12.2026 14:00» or «бессрочно»), {name} (the author).
    `ban_comment` goes with a VK ban (VK shows it to the banned user); `restricted_notice` is posted where the
    platform shows no reason for a restriction (Telegram); `warning` where the platform cannot restrict the
    author at all (a page manager, a group administrator); `reply`, when set, after every deletion. An empty
    text is never posted.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ban_comment: str = Field(
        default="Комментарий удалён: {clause} Порядка ведения официальных страниц — {ground}. "
        "Возможность комментировать ограничена {until}.",
        max_length=300,
    )
    restricted_notice: str = Field(
        default="{name}, ваш комментарий удалён: {clause} Порядка ведения официальных страниц — {ground}. "
        "Возможность писать здесь ограничена {until}.",
        max_length=1000,
    )
    warning: str = Field(
        default="{name}, ваш комментарий удалён: {clause} Порядка ведения официальных страниц — {ground}. "
        "Пожалуйста, соблюдайте правила страницы.",
        max_length=1000,
    )
    reply: str = Field(default="", max_length=1000)

    @field_validator("ban_comment", "restricted_notice", "warning", "reply")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as error:
            raise ValueError(f"unbalanced braces: {error}") from None
        unknown = names - PLACEHOLDERS
        if unknown:
            allowed = ", ".join(f"{{{name}}}" for name in sorted(PLACEHOLDERS))
            raise ValueError(f"unknown placeholder {sorted(unknown)}; allowed: {allowed}")
        return text


class WorkbenchPolicy(BaseModel):
    """The [moderation.workbench] section: how the moderators' queue in Telegram is kept.

    `restrict_days`: the restriction lengths offered on a card (the only ones the server accepts);
    `undo_minutes`: how long a decision can be taken back; `report_minutes`: automatic deletions are reported
    in one message per page at most this often, `report_items` of them a message; `close_auto_hours`: an
    automatic deletion nobody acknowledged is closed after this long; `remind_minutes`: a card waiting this
    long is brought up again in the moderators' chat (and again after as long).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    restrict_days: tuple[int, ...] = Field(default=(1, 7, 30), min_length=1, max_length=5)
    undo_minutes: float = Field(default=15.0, ge=0, le=24 * 60)
    report_minutes: float = Field(default=3.0, gt=0, le=24 * 60)
    report_items: int = Field(default=10, ge=1, le=20)
    close_auto_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    remind_minutes: float = Field(default=60.0, gt=0, le=7 * 24 * 60)

    @field_validator("restrict_days")
    @classmethod
    def _valid_days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= day <= MAX_RESTRICTION_DAYS for day in days):
            raise ValueError(f"restriction lengths are days from 1 to {MAX_RESTRICTION_DAYS}")
        if len(set(days)) != len(days):
            raise ValueError("restriction lengths must differ")
        return tuple(sorted(days))

    @property
    def undo_window(self) -> timedelta:
        return timedelta(minutes=self.undo_minutes)


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
    texts: CitizenTexts = CitizenTexts()
    workbench: WorkbenchPolicy = WorkbenchPolicy()
    waves: WavesPolicy = WavesPolicy()

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
