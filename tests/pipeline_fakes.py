"""In-memory fakes of the pipeline's outside world (platforms, moderators' queue, classifier, clock).

Fakes at the protocol level, as STYLE.md allows for pipeline unit tests; the store under them is real SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from moderation.daemon.ports import IncomingComment, NotFound, PlatformError, Restriction, ReviewCard
from moderation.daemon.records import ActionKind, QueuedAction
from moderation.types import Action, Comment, Evidence, Ground, Platform, Span, Verdict
from tests.db_fixtures import T0

OBSCENE_ROOTS = ("хуй", "бля", "пизд")
ADVERT_WORDS = ("скидк", "купить", "звоните")
RUMOUR_WORDS = ("говорят", "слышал")


def classify(comment: Comment) -> Verdict:
    """A tiny stand-in for the real classifier: obscene roots delete, adverts go to review, rumours too."""
    lowered = comment.text.lower()
    for root in OBSCENE_ROOTS:
        at = lowered.find(root)
        if at >= 0:
            return _verdict(comment, Action.DELETE, Ground.OBSCENITY, 0.99, Span(at, at + len(root)))
    if any(word in lowered for word in ADVERT_WORDS):
        return _verdict(comment, Action.REVIEW, Ground.ADVERTISING, 0.7, Span(0, len(comment.text)))
    if any(word in lowered for word in RUMOUR_WORDS):
        return _verdict(comment, Action.DELETE, Ground.UNVERIFIED_CLAIM, 0.9, Span(0, len(comment.text)))
    return Verdict(comment_id=comment.id, action=Action.KEEP, grounds=())


def _verdict(comment: Comment, action: Action, ground: Ground, score: float, span: Span) -> Verdict:
    evidence = (Evidence(rule=f"lexicon:{ground.value}", ground=ground, score=score, spans=(span,)),)
    return Verdict(comment.id, action, (ground,), {ground: score}, evidence)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakePlatform:
    """Records what was done; `errors` are raised by the next calls, in order, before anything happens."""

    platform: Platform = Platform.VK
    deleted: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    restricted: list[Restriction] = field(default_factory=list)
    lifted: list[tuple[str, str]] = field(default_factory=list)
    errors: list[PlatformError] = field(default_factory=list)
    calls: int = 0

    def _call(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)

    async def delete_comment(self, comment: IncomingComment) -> None:
        self._call()
        if comment.key in self.deleted:
            raise NotFound("comment already deleted")
        self.deleted.append(comment.key)

    async def restore_comment(self, comment: IncomingComment) -> None:
        self._call()
        self.deleted.remove(comment.key)
        self.restored.append(comment.key)

    async def restrict(self, restriction: Restriction) -> None:
        self._call()
        self.restricted.append(restriction)

    async def lift_restriction(
        self, platform_page_id: str, author_id: str, author_is_chat: bool = False
    ) -> None:
        self._call()
        self.lifted.append((platform_page_id, author_id))


@dataclass
class FakeReview:
    """The moderators' queue: keeps the posted cards and the workbench's work (reports, notices...)."""

    cards: list[ReviewCard] = field(default_factory=list)
    performed: list[QueuedAction] = field(default_factory=list)
    errors: list[PlatformError] = field(default_factory=list)

    async def post_card(self, card: ReviewCard) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.cards.append(card)
        return f"-100500:{len(self.cards)}"

    async def perform(self, item: QueuedAction) -> str | None:
        if self.errors:
            raise self.errors.pop(0)
        self.performed.append(item)
        return f"-100500:r{len(self.performed)}" if item.kind is ActionKind.REPORT else None

    def of_kind(self, kind: ActionKind) -> list[QueuedAction]:
        return [item for item in self.performed if item.kind is kind]

    @property
    def reports(self) -> list[QueuedAction]:
        """Reports of automatic deletions (each names the page by one of its comments)."""
        return self.of_kind(ActionKind.REPORT)
