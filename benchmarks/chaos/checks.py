"""What a chaos run found, from the emulators' records of every effect and from the daemon's database.

lost: a comment that must be deleted and was not; doubled: a comment deleted more than once; clean_deleted: a
comment that must stay and was deleted; clean_restricted: an author restricted without a violation;
restrictions: every author with a deleted comment restricted at least once, never more often than they
violated; cards: one card in the moderators' chat per review-worthy comment; unrecorded: a comment
missing from the database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks.chaos.stream import Sent
from benchmarks.chaos.world import ChaosWorld

Author = tuple[str, int, int]  # platform, chat (VK community or Telegram group), author


@dataclass
class Findings:
    """Each list holds a line per defect, naming the comment or author; empty lists mean a clean run."""

    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    clean_deleted: list[str] = field(default_factory=list)
    clean_restricted: list[str] = field(default_factory=list)
    restrictions_missing: list[str] = field(default_factory=list)
    restrictions_doubled: list[str] = field(default_factory=list)
    cards_missing: list[str] = field(default_factory=list)
    cards_doubled: list[str] = field(default_factory=list)
    notices_doubled: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(items) for name, items in vars(self).items()}

    def outstanding(self) -> int:
        """What a longer drain could still bring (the doubles and wrong effects cannot be undone)."""
        return (
            len(self.lost) + len(self.restrictions_missing) + len(self.cards_missing) + len(self.unrecorded)
        )

    def failed(self) -> bool:
        return any(vars(self).values())


def _deletions(world: ChaosWorld) -> Counter[tuple[str, int, int]]:
    counted: Counter[tuple[str, int, int]] = Counter()
    for effect in list(world.vk.effects):
        if effect[0] == "delete":
            counted[("vk", effect[1], effect[2])] += 1
    for effect in list(world.tg.state.effects):
        if effect[0] == "delete":
            counted[("telegram", effect[1], effect[2])] += 1
    return counted


def restriction_calls(world: ChaosWorld) -> list[tuple[str, int, int, int | None]]:
    """Every call that restricted an author: (platform, chat, author, until)."""
    calls: list[tuple[str, int, int, int | None]] = []
    calls += [("vk", e[1], e[2], e[3]) for e in list(world.vk.effects) if e[0] == "ban"]
    calls += [
        ("telegram", e[1], e[2], e[4])
        for e in list(world.tg.state.effects)
        if e[0] in ("restrict", "ban") and not e[3]
    ]
    return calls


def _restrictions(world: ChaosWorld) -> Counter[Author]:
    """Restrictions per author: a call repeated with the same end (a daemon killed after the platform had
    restricted, before it recorded so, does it again) changes nothing on the platform and counts once."""
    return Counter((p, chat, author) for p, chat, author, _ in set(restriction_calls(world)))


def _cards(world: ChaosWorld) -> list[str]:
    chat = world.moderators_chat
    return [
        m.payload.get("text", "") for m in world.tg.messages_in(chat, include_deleted=True) if m.sent_by_token
    ]


def check(world: ChaosWorld, sent: list[Sent], recorded: set[tuple[str, str, str]] | None) -> Findings:
    """Compare what had to happen with what the platforms saw (and, given `recorded`, the database)."""
    found = Findings()
    _check_deletions(world, sent, found)
    _check_restrictions(world, sent, found)
    _check_cards(world, sent, found)
    _check_notices(world, found)
    if recorded is not None:
        for s in sent:
            if (s.platform, str(s.page), str(s.comment_id)) not in recorded:
                found.unrecorded.append(s.describe())
    return found


def _check_deletions(world: ChaosWorld, sent: list[Sent], found: Findings) -> None:
    deletions = _deletions(world)
    for s in sent:
        times = deletions[(s.platform, s.chat, s.comment_id)]
        if s.must_delete and times == 0:
            found.lost.append(s.describe())
        if times > 1:
            found.doubled.append(f"{s.describe()} deleted {times} times")
        if not s.must_delete and times:
            found.clean_deleted.append(s.describe())


def _check_restrictions(world: ChaosWorld, sent: list[Sent], found: Findings) -> None:
    violations: Counter[Author] = Counter((s.platform, s.chat, s.author) for s in sent if s.must_delete)
    restricted = _restrictions(world)
    for author, times in restricted.items():
        if author not in violations:
            found.clean_restricted.append(f"{author} restricted {times} times without a violation")
        elif times > violations[author]:
            found.restrictions_doubled.append(
                f"{author} restricted {times} times for {violations[author]} violations"
            )
    for author in violations:
        if author not in restricted:
            found.restrictions_missing.append(f"{author}: {violations[author]} violations, never restricted")


def _check_notices(world: ChaosWorld, found: Findings) -> None:
    """A Telegram author is told of a restriction in the discussion group: once per restriction at most."""
    restricted = _restrictions(world)
    for channel in world.channels:
        notices = [
            m.payload.get("text", "")
            for m in world.tg.messages_in(channel.group, include_deleted=True)
            if m.sent_by_token
        ]
        for user in channel.authors:
            name = f"{user.first_name} {user.last_name}"
            told = sum(1 for text in notices if text.startswith(f"{name},"))
            if told > max(1, restricted[("telegram", channel.group.id, user.id)]):
                found.notices_doubled.append(
                    f"telegram group {channel.group.id} author {user.id}: told {told} times"
                )


def _check_cards(world: ChaosWorld, sent: list[Sent], found: Findings) -> None:
    cards = _cards(world)
    for s in sent:
        if s.kind != "review":
            continue
        shown = sum(1 for text in cards if s.text in text)
        if shown == 0:
            found.cards_missing.append(s.describe())
        elif shown > 1:
            found.cards_doubled.append(f"{s.describe()}: {shown} cards")


def recorded_comments(url: str) -> set[tuple[str, str, str]]:
    """(platform, page, comment id) of every comment in the daemon's database."""
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows: Any = conn.execute(text("SELECT platform, page_id, comment_id FROM comments")).all()
    finally:
        engine.dispose()
    return {(str(p), str(g), str(c)) for p, g, c in rows}
