"""The seeded stream of comments: obscene (to be deleted), clean (never touched), review-worthy (one card
each), with replies (also to comments that get deleted), edits that turn a clean comment obscene, VK authors
who repeat their violations and Telegram authors who post two obscene comments at one moment.

Every comment posted is remembered with what must become of it; `checks.py` compares that with the emulators'
records. The choices come from one `random.Random(seed)`, so a run can be replayed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from benchmarks.chaos.world import AUTHORS_PER_PAGE, VK_GROUPS, ChaosWorld, author_id
from emulators.telegram.model import StoredMessage as TgMessage
from emulators.telegram.script import ScriptError

Kind = Literal["obscene", "clean", "review"]

OBSCENE = (
    "пиздец, опять яма на дороге {n}",
    "бл@ть, когда уберут снег {n}",
    "х.у.й вам, а не ремонт {n}",
    "ебаный стыд с отоплением {n}",
    "Опять к**ец с отоплением, бл@ть, когда уже включат {n}",
)
CLEAN = (
    "Спасибо за информацию {n}",
    "Когда дадут горячую воду на Ленина? {n}",
    "Позор, третий год обещаете ремонт {n}",
    "Спасибо за площадку, дети довольны {n}",
    "Когда починят освещение во дворе дома {n}?",
)
REVIEW = (
    "Говорят, замглавы купил квартиру на деньги за ремонт дорог {n}",
    "Говорят, мэр уже продал парк застройщику {n}",
    "Слышал, что директор водоканала ворует деньги на трубах {n}",
)
TEMPLATES: dict[Kind, tuple[str, ...]] = {"obscene": OBSCENE, "clean": CLEAN, "review": REVIEW}
VK_REPEATERS = 8  # the first authors of each VK page come back: their restrictions escalate


@dataclass
class Sent:
    """One comment posted, and what must become of it."""

    platform: Literal["vk", "telegram"]
    page: int  # VK: the community id; Telegram: the channel id
    chat: int  # VK: the community id; Telegram: the discussion group
    comment_id: int
    author: int
    kind: Kind
    text: str
    how: str = "comment"  # comment, reply, reply-to-obscene, edit, twin

    @property
    def must_delete(self) -> bool:
        return self.kind == "obscene"

    def describe(self) -> str:
        where = f"{self.platform} page {self.page} comment {self.comment_id}"
        return f"{where} by {self.author} ({self.how}): {self.text!r}"


@dataclass
class Stream:
    """Posts comments into the world one step at a time."""

    world: ChaosWorld
    rng: random.Random
    sent: list[Sent] = field(default_factory=list)
    _n: int = 0
    _tg_messages: dict[tuple[int, int], TgMessage] = field(default_factory=dict)
    _tg_done: set[tuple[int, int]] = field(default_factory=set)  # Telegram authors who violated once

    def _text(self, kind: Kind) -> str:
        self._n += 1
        return self.rng.choice(TEMPLATES[kind]).format(n=100 + self._n)

    def _kind(self) -> Kind:
        roll = self.rng.random()
        return "obscene" if roll < 0.4 else "review" if roll < 0.52 else "clean"

    def step(self) -> list[Sent]:
        """Post the next comment (two at once, or one and an edit of an earlier one); returns what changed."""
        roll = self.rng.random()
        platform = "vk" if self.rng.random() < 0.5 else "telegram"
        if roll < 0.03:
            return self._twins()
        edited = self._edit(platform) if roll < 0.09 else []
        kind = self._kind()
        return [*edited, self._vk(kind) if platform == "vk" else self._telegram(kind)]

    # --- VK

    def _vk(self, kind: Kind) -> Sent:
        vk, rng = self.world.vk, self.rng
        gid = rng.choice(VK_GROUPS)
        post = rng.choice(self.world.vk_posts[gid])
        repeat = rng.random() < 0.5
        author = author_id(gid, rng.randrange(VK_REPEATERS if repeat else AUTHORS_PER_PAGE))
        parents = [s for s in self.sent[-40:] if s.platform == "vk" and s.page == gid and s.how != "edit"]
        parent = rng.choice(parents) if parents and rng.random() < 0.3 else None
        text = self._text(kind)
        if parent is not None:
            post = vk.comment(gid, parent.comment_id).post_id
        cid = vk.add_comment(gid, post, author, text, reply_to=parent.comment_id if parent else None)
        how = "comment" if parent is None else "reply-to-obscene" if parent.must_delete else "reply"
        return self._remember(Sent("vk", gid, gid, cid, author, kind, text, how))

    # --- Telegram

    def _channel(self) -> int:
        return self.rng.randrange(len(self.world.channels))

    def _tg_author(self, index: int) -> int | None:
        """An author who has not violated yet (a restricted one could not write)."""
        channel = self.world.channels[index]
        free = [u for u in channel.authors if (channel.group.id, u.id) not in self._tg_done]
        return self.rng.choice(free).id if free else None

    def _telegram(self, kind: Kind, index: int | None = None, author: int | None = None) -> Sent:
        tg, rng = self.world.tg, self.rng
        index = self._channel() if index is None else index
        channel = self.world.channels[index]
        author = author or self._tg_author(index)
        if author is None:
            return self._vk(kind)
        user = tg.state.users[author]
        parents = [s for s in self.sent[-40:] if s.platform == "telegram" and s.chat == channel.group.id]
        parent = rng.choice(parents) if parents and rng.random() < 0.3 else None
        reply_to = self._tg_messages[(parent.chat, parent.comment_id)] if parent else None
        post = rng.choice(channel.posts)
        if reply_to is not None:
            thread = reply_to.payload.get("message_thread_id")
            post = next((p for p in channel.posts if tg.forward_of(p).message_id == thread), post)
        text = self._text(kind)
        try:
            message = tg.post_comment(post, text, user=user, reply_to=reply_to)
        except ScriptError:  # restricted after all (e.g. a clean author restricted by mistake): VK instead
            return self._vk(kind)
        self._tg_messages[(channel.group.id, message.message_id)] = message
        how = "comment" if parent is None else "reply-to-obscene" if parent.must_delete else "reply"
        if kind == "obscene":
            self._tg_done.add((channel.group.id, author))
        return self._remember(
            Sent(
                "telegram", channel.channel.id, channel.group.id, message.message_id, author, kind, text, how
            )
        )

    def _twins(self) -> list[Sent]:
        """One Telegram author, two obscene comments at one moment: deleted both, restricted once."""
        index = self._channel()
        author = self._tg_author(index)
        if author is None:
            return [self._vk("obscene")]
        first = self._telegram("obscene", index, author)
        second = self._telegram("obscene", index, author)
        first.how = second.how = "twin"
        return [first, second]

    # --- edits

    def _edit(self, platform: str) -> list[Sent]:
        """A clean comment edited into an obscene one: it must then be deleted."""
        candidates = [
            s for s in self.sent if s.platform == platform and s.kind == "clean" and s.how != "edit"
        ]
        if platform == "telegram":
            candidates = [s for s in candidates if (s.chat, s.author) not in self._tg_done]
        if not candidates:
            return []
        target = self.rng.choice(candidates[-30:])
        text = self._text("obscene")
        if target.platform == "vk":
            self.world.vk.edit_comment(target.page, target.comment_id, text)
        else:
            self.world.tg.edit_comment(self._tg_messages[(target.chat, target.comment_id)], text)
            self._tg_done.add((target.chat, target.author))
        target.kind, target.text, target.how = "obscene", text, "edit"
        return [target]

    def _remember(self, sent: Sent) -> Sent:
        self.sent.append(sent)
        return sent
