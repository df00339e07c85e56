"""A wave's match turned into the comment's verdict, within the policy every verdict follows.

DELETE adds evidence on the remembered grounds (spam, advertising) strong enough to pass the default delete
thresholds; the thresholds of config.toml still decide, so a ground set never to delete goes to moderators.
AUTO adds the same evidence but never deletes on it. KEEP removes the spam and advertising grounds moderators
rejected from the verdict; every other ground stays and decides as before: a signature folds numbers and
ignores word order and a word or two, so it cannot vouch for a new phone number, a мат word or an insult
added to a kept text. Grounds a machine never deletes on stay review
only whatever matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from moderation.config import REVIEW_ONLY, Thresholds
from moderation.types import Action, Evidence, Ground, Verdict
from moderation.verdict.policy import combine, decide
from moderation.waves.index import WaveKind, WaveMatch

#: Grounds whose deletion by a moderator starts a wave.
WAVE_GROUNDS: tuple[Ground, ...] = (Ground.SPAM, Ground.ADVERTISING)
WAVE_RULE_PREFIX = "wave."
WAVE_SCORE = 0.95  # above the default delete thresholds of spam and advertising (0.85)
_AS = {Ground.SPAM: "спам", Ground.ADVERTISING: "реклама"}


def reason(match: WaveMatch, ground: Ground | None, tz: tzinfo | None) -> str:
    """What a moderator reads: «похож на комментарий, удалённый модератором как спам 05.12.2026»."""
    wave = match.wave
    when = wave.decided_at.astimezone(tz).strftime("%d.%m.%Y")
    if wave.kind is WaveKind.KEEP:
        return f"похож на комментарий, оставленный модератором {when}"
    who = "модератором" if wave.kind is WaveKind.DELETE else "автоматически"
    what = _AS.get(ground, "спам") if ground is not None else "спам"
    return f"похож на комментарий, удалённый {who} как {what} {when}"


def is_wave(verdict: Verdict) -> bool:
    """True when a wave's match took part in the verdict."""
    return any(item.rule.startswith(WAVE_RULE_PREFIX) for item in verdict.evidence)


def amend(
    verdict: Verdict, match: WaveMatch, thresholds: Mapping[Ground, Thresholds], tz: tzinfo | None = None
) -> Verdict:
    """The verdict with the wave's decision applied (unchanged when it has nothing to add)."""
    if match.wave.kind is WaveKind.KEEP:
        return _kept(verdict, match, thresholds, tz)
    grounds = [g for g in match.wave.grounds if g in WAVE_GROUNDS]
    if not grounds:
        return verdict
    added = tuple(
        Evidence(f"{WAVE_RULE_PREFIX}{match.wave.kind.value}", g, WAVE_SCORE, (), reason(match, g, tz))
        for g in grounds
    )
    evidence = (*verdict.evidence, *added)
    scores = combine(evidence)
    # what held the original verdict back from deleting still does; the wave's own grounds are rules now
    held = frozenset(verdict.grounds) if verdict.action is not Action.DELETE else frozenset()
    if match.wave.kind is WaveKind.DELETE:
        held -= frozenset(grounds)
    elif verdict.action is not Action.DELETE:
        held |= frozenset(grounds)
    action, decided = decide(scores, thresholds, held | REVIEW_ONLY)
    return Verdict(verdict.comment_id, action, decided, scores, evidence)


def _kept(
    verdict: Verdict, match: WaveMatch, thresholds: Mapping[Ground, Thresholds], tz: tzinfo | None
) -> Verdict:
    rejected = [g for g in verdict.grounds if g in match.wave.grounds and g in WAVE_GROUNDS]
    if not rejected:
        return verdict
    note = Evidence(f"{WAVE_RULE_PREFIX}keep", rejected[0], 0.0, (), reason(match, None, tz))
    remaining = {g: s for g, s in verdict.scores.items() if g not in rejected}
    held = frozenset(verdict.grounds) if verdict.action is not Action.DELETE else frozenset()
    action, decided = decide(remaining, thresholds, held)
    return Verdict(verdict.comment_id, action, decided, dict(verdict.scores), (*verdict.evidence, note))
