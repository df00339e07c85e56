"""The remembered signatures: a MinHash LSH index, bounded in size, forgetting by age and by last match.

Kinds and scope (the deployment is one administration's pages, moderated by one press service):
- DELETE: moderators deleted the comment as spam or advertising. A spam wave posts the same text on several
  pages, so the decision applies on every page of the deployment.
- KEEP: moderators kept a comment the machine flagged. It applies on the same page only: what is welcome on
  one page (a collection for a cause in a city group) may not be on another, and a spammer who got one variant
  kept must not have it waved through everywhere.
- AUTO: the rule lists deleted the comment on their own. The weaker signal: a near-duplicate goes to
  moderators (review), never deleted on its strength alone.
When several signatures match, a moderator's beats an automatic one and, among moderators', the latest
decision wins (moderators changing their mind is the stronger, newer signal).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from datasketch import LeanMinHash, MinHashLSH

from moderation.types import Ground, Platform
from moderation.waves.signature import NUM_PERM


class WaveKind(StrEnum):
    DELETE = "delete"
    KEEP = "keep"
    AUTO = "auto"


@dataclass(frozen=True, slots=True)
class Wave:
    """One remembered signature: which decision made it, on which page, when, and for which grounds."""

    id: int
    kind: WaveKind
    grounds: tuple[Ground, ...]
    platform: Platform
    page_id: str
    source_key: str  # the comment the decision was about
    decided_at: datetime
    last_hit_at: datetime
    signature: LeanMinHash
    hits: int = 0

    def applies_on(self, platform: Platform, page_id: str) -> bool:
        """KEEP holds on its own page; DELETE and AUTO on every page of the deployment."""
        if self.kind is WaveKind.KEEP:
            return (self.platform, self.page_id) == (platform, page_id)
        return True


@dataclass(frozen=True, slots=True)
class WaveMatch:
    wave: Wave
    similarity: float


def _rank(match: WaveMatch) -> tuple[bool, datetime, float]:
    return (match.wave.kind is not WaveKind.AUTO, match.wave.decided_at, match.similarity)


class WaveIndex:
    """Signatures by id in least-recently-matched order, with the LSH index over them."""

    def __init__(self, threshold: float, capacity: int, max_age: timedelta) -> None:
        self.threshold = threshold
        self.capacity = capacity
        self.max_age = max_age
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._waves: OrderedDict[int, Wave] = OrderedDict()

    def __len__(self) -> int:
        return len(self._waves)

    def __contains__(self, wave_id: int) -> bool:
        return wave_id in self._waves

    def get(self, wave_id: int) -> Wave | None:
        return self._waves.get(wave_id)

    def waves(self) -> list[Wave]:
        """Every signature, the least recently matched first."""
        return list(self._waves.values())

    def add(self, wave: Wave) -> list[int]:
        """Remember a signature as the most recently matched (replacing one of the same id; load older ones
        first); the ids of those forgotten to stay within capacity."""
        self.remove(wave.id)
        self._lsh.insert(wave.id, wave.signature, check_duplication=False)
        self._waves[wave.id] = wave
        evicted: list[int] = []
        while len(self._waves) > self.capacity:
            oldest = next(iter(self._waves))
            self.remove(oldest)
            evicted.append(oldest)
        return evicted

    def remove(self, wave_id: int) -> bool:
        if self._waves.pop(wave_id, None) is None:
            return False
        self._lsh.remove(wave_id)
        return True

    def remove_all(self, ids: Iterable[int]) -> list[int]:
        return [wave_id for wave_id in ids if self.remove(wave_id)]

    def expire(self, now: datetime) -> list[int]:
        """Forget the signatures whose decision is older than the maximum age; their ids."""
        cutoff = now - self.max_age
        return self.remove_all([w.id for w in self._waves.values() if w.decided_at < cutoff])

    def match(
        self, signature: LeanMinHash, platform: Platform, page_id: str, now: datetime
    ) -> WaveMatch | None:
        """The signature that decides for this text on this page (see the module's note), marked as matched
        now; None when none is similar enough."""
        cutoff = now - self.max_age
        found: list[WaveMatch] = []
        for wave_id in self._lsh.query(signature):
            wave = self._waves.get(wave_id)
            if wave is None or wave.decided_at < cutoff or not wave.applies_on(platform, page_id):
                continue
            similarity = float(wave.signature.jaccard(signature))
            if similarity >= self.threshold:
                found.append(WaveMatch(wave, similarity))
        if not found:
            return None
        best = max(found, key=_rank)
        hit = replace(best.wave, last_hit_at=now, hits=best.wave.hits + 1)
        self._waves[hit.id] = hit
        self._waves.move_to_end(hit.id)
        return WaveMatch(hit, best.similarity)
