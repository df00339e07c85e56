"""When to try a failed platform action again, and when to stop and park it for a human.

Pure arithmetic over attempt counts so the runner's behaviour is testable without waiting.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


class RetryPolicy(BaseModel):
    """The [moderation.retry] section: exponential backoff, capped, with a limit on attempts.

    `lease_seconds`: how long a claimed action may run before another runner (after a crash) takes it over.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=8, ge=1, le=100)
    base_delay_seconds: float = Field(default=2.0, gt=0)
    max_delay_seconds: float = Field(default=900.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    batch_size: int = Field(default=50, ge=1, le=1000)
    idle_seconds: float = Field(default=1.0, gt=0)

    def backoff(self, attempts: int) -> timedelta:
        """Delay after the `attempts`-th failed attempt: base * 2^(attempts-1), capped at the maximum."""
        exponent = max(attempts - 1, 0)
        delay = min(self.base_delay_seconds * (2.0 ** min(exponent, 40)), self.max_delay_seconds)
        return timedelta(seconds=delay)

    def rate_limited_delay(self, attempts: int, retry_after: float) -> timedelta:
        """The platform said when to come back: never earlier than that, nor earlier than the backoff."""
        return max(timedelta(seconds=max(retry_after, 0.0)), self.backoff(attempts))

    def exhausted(self, attempts: int) -> bool:
        """True once an action has been tried as many times as allowed; the runner parks it."""
        return attempts >= self.max_attempts

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)
