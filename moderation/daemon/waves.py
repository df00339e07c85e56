"""The daemon's memory of spam waves: learns from moderators' decisions (and the rule lists' automatic
deletions), amends each new comment's verdict, and keeps the database's copy in step so a restart forgets
nothing.

What is remembered, and for whom (moderation/waves/index.py has the scope): a card deleted by a moderator
whose grounds include spam or advertising (DELETE, on every page); a card flagged as spam or advertising kept
by a moderator, or such an automatic deletion restored (KEEP, its page only, for those grounds); with
`from_automatic`, a comment the rule lists deleted on their own as spam or advertising (AUTO: near-duplicates
go to moderators).
A decision taken back forgets its signature. Learning never fails a decision: a database error is logged and
the signature is simply not remembered.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from datasketch import LeanMinHash

from moderation.config import Thresholds
from moderation.daemon.ports import IncomingComment, ModeratorChoice
from moderation.daemon.records import CardInfo
from moderation.types import Action, Ground, Verdict
from moderation.waves.config import WavesPolicy
from moderation.waves.index import Wave, WaveIndex, WaveKind
from moderation.waves.signature import minhash, shingles
from moderation.waves.verdicts import WAVE_GROUNDS, amend, is_wave

log = logging.getLogger(__name__)
DELETING = frozenset({ModeratorChoice.DELETE, ModeratorChoice.DELETE_RESTRICT})
MODERATORS = (WaveKind.DELETE, WaveKind.KEEP)
SWEEP_EVERY = timedelta(hours=1)  # expired signatures are dropped at most this often (a scan of them all)


class WaveStore(Protocol):
    """What the memory needs from storage (models.waves.WaveRows implements it)."""

    async def load_waves(self, since: datetime, limit: int) -> list[Wave]: ...

    async def add_wave(self, wave: Wave) -> int: ...

    async def touch_wave(self, wave_id: int, at: datetime, hits: int) -> None: ...

    async def drop_waves(self, ids: Sequence[int]) -> None: ...

    async def waves_of(self, source_key: str, kinds: Sequence[WaveKind]) -> list[int]: ...


class WaveMemory:
    """The bounded index of signatures, mirrored in the database."""

    def __init__(
        self,
        policy: WavesPolicy,
        store: WaveStore,
        thresholds: Mapping[Ground, Thresholds],
        tz: tzinfo | None = None,
    ) -> None:
        self.policy = policy
        self.index = WaveIndex(policy.threshold, policy.max_signatures, timedelta(days=policy.max_age_days))
        self._store = store
        self._thresholds = thresholds
        self._tz = tz
        self._swept_at: datetime | None = None

    async def load(self, now: datetime) -> int:
        """Read the remembered signatures back (the database keeps no more than the index holds)."""
        since = now - timedelta(days=self.policy.max_age_days)
        for wave in await self._store.load_waves(since, self.policy.max_signatures):
            self.index.add(wave)
        return len(self.index)

    async def amend(self, incoming: IncomingComment, verdict: Verdict, now: datetime) -> Verdict:
        """The verdict as the remembered waves decide it (unchanged when none matches)."""
        signature = self._signature(incoming.text)
        if signature is None:
            return verdict
        if self._swept_at is None or now - self._swept_at >= SWEEP_EVERY:
            self._swept_at = now  # a match never takes an expired signature; this frees the memory
            expired = self.index.expire(now)
            if expired:
                await self._store.drop_waves(expired)
        match = self.index.match(signature, incoming.platform, incoming.page_id, now)
        if match is None:
            return verdict
        await self._store.touch_wave(match.wave.id, now, match.wave.hits)
        return amend(verdict, match, self._thresholds, self._tz)

    async def learn_decision(self, card: CardInfo, choice: ModeratorChoice, now: datetime) -> None:
        """Remember what a moderator decided on a card; an undo forgets it. Errors are logged, not raised."""
        try:
            await self._learn_decision(card, choice, now)
        except Exception:
            log.exception("spam wave not remembered for card %s", card.card_id)

    async def _learn_decision(self, card: CardInfo, choice: ModeratorChoice, now: datetime) -> None:
        key = card.comment.key
        if choice is ModeratorChoice.UNDO:
            await self._forget(await self._store.waves_of(key, MODERATORS))
        elif choice is ModeratorChoice.RESTORE:
            await self._forget(await self._store.waves_of(key, (WaveKind.AUTO,)))
            await self.remember(card.comment, WaveKind.KEEP, card.verdict.grounds, now)
        elif choice is ModeratorChoice.KEEP:
            await self.remember(card.comment, WaveKind.KEEP, card.verdict.grounds, now)
        elif choice in DELETING:
            await self.remember(card.comment, WaveKind.DELETE, card.verdict.grounds, now)

    async def learn_automatic(self, incoming: IncomingComment, verdict: Verdict, now: datetime) -> None:
        """Remember an automatic deletion by the rule lists (not one a wave itself decided)."""
        if not self.policy.from_automatic or verdict.action is not Action.DELETE or is_wave(verdict):
            return
        deleting = [
            g
            for g in verdict.grounds
            if g in WAVE_GROUNDS and verdict.scores.get(g, 0.0) >= self._thresholds[g].delete
        ]  # deleted as spam or advertising, not for another ground with a spam score beside it
        try:
            await self.remember(incoming, WaveKind.AUTO, deleting, now)
        except Exception:
            log.exception("spam wave not remembered for comment %s", incoming.key)

    async def remember(
        self, comment: IncomingComment, kind: WaveKind, grounds: Sequence[Ground], now: datetime
    ) -> int | None:
        """Store a comment's signature and index it (forgetting the least recently matched beyond capacity);
        its id, or None for a text too short or grounds that start no wave of this kind."""
        grounds = [g for g in grounds if g in WAVE_GROUNDS]
        if not grounds:
            return None
        signature = self._signature(comment.text)
        if signature is None:
            return None
        wave = Wave(
            0, kind, tuple(grounds), comment.platform, comment.page_id, comment.key, now, now, signature
        )
        wave_id = await self._store.add_wave(wave)
        evicted = self.index.add(replace(wave, id=wave_id))
        await self._store.drop_waves(evicted)
        return wave_id

    async def _forget(self, ids: Sequence[int]) -> None:
        self.index.remove_all(ids)
        await self._store.drop_waves(ids)

    def _signature(self, text: str) -> LeanMinHash | None:
        items = shingles(text)
        if len(items) < self.policy.min_words:
            return None
        return minhash(items)
