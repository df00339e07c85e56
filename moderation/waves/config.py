"""The [moderation.waves] section: how near-duplicates of decided comments are recognised and remembered."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WavesPolicy(BaseModel):
    """Near-duplicates of a comment moderators deleted as spam or advertising are deleted; of one they kept,
    kept on the same page.

    `threshold`: the estimated Jaccard similarity of word shingles (after the normaliser) at or above which a
    comment is the same text; `min_words`: texts with fewer distinct shingles never join a wave («Спасибо!»);
    `max_signatures`: how many are remembered (the least recently matched one is forgotten first);
    `max_age_days`: a signature is forgotten this long after the decision that made it; `from_automatic`: an
    automatic deletion by the rule lists also starts a wave, whose near-duplicates go to moderators only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    threshold: float = Field(default=0.8, ge=0.5, le=1.0)
    min_words: int = Field(default=8, ge=3, le=200)
    max_signatures: int = Field(default=10_000, ge=10, le=1_000_000)
    max_age_days: int = Field(default=30, ge=1, le=365)
    from_automatic: bool = True
