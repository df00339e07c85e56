"""The moderators' workbench: cards and reports built from the records, the platforms and the policy, shown in
the moderators' chat (or logged when there is none), decided through the DecisionHandler.

A card names its page and links to the comment; names its author with a link to the profile (VK users.get,
batched and cached; Telegram from the message); gives the author's record on the page; and shows the
platform's state, re-read where the platform allows. Which buttons a card offers is what the decision handler
would accept (moderation.daemon.decisions.applicability), so a card never offers what the server refuses.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from models.values import ModerationFigures
from models.workbench import WorkbenchStore
from moderation.config import ModerationConfig
from moderation.daemon.decisions import StoreDecisionHandler, applicability, main_ground
from moderation.daemon.ports import (
    DecisionOutcome,
    DecisionRequest,
    IncomingComment,
    ModeratorChoice,
    PlatformError,
    ReportRequest,
    ReviewCard,
)
from moderation.daemon.records import CardStatus
from moderation.daemon.views import (
    Author,
    AuthorHistory,
    CardFacts,
    CardView,
    FoundComment,
    LiveState,
    ReportView,
    Source,
)
from moderation.types import Platform

log = logging.getLogger(__name__)


def vk_comment_url(page_id: str, post_id: str, comment_id: str) -> str:
    return f"https://vk.com/wall-{page_id}_{post_id}?reply={comment_id}"


def telegram_comment_url(channel_id: str, post_id: str, comment_id: str, username: str | None) -> str:
    """Public channels by username; private ones through t.me/c/ (works for the channel's members)."""
    if username:
        return f"https://t.me/{username}/{post_id}?comment={comment_id}"
    return f"https://t.me/c/{channel_id.removeprefix('-100')}/{post_id}?comment={comment_id}"


class AuthorSource(Protocol):
    async def author_of(self, comment: IncomingComment) -> Author: ...


class LiveReader(Protocol):
    async def read(self, comment: IncomingComment) -> LiveState | None: ...


class NoticePoster(Protocol):
    async def post(self, comment: IncomingComment, text: str) -> None: ...


class Surface(Protocol):
    """Where cards and reports are shown (bots.telegram.review.TelegramReviewQueue)."""

    async def send_card(self, view: CardView) -> str: ...

    async def edit_card(self, view: CardView) -> None: ...

    async def send_report(self, view: ReportView) -> str: ...

    async def edit_report(self, view: ReportView) -> None: ...

    async def send_text(self, html: str, reply_to: str | None = None) -> str: ...


@dataclasses.dataclass
class Platforms:
    """What the workbench asks each platform: authors, state now, notices to authors."""

    authors: dict[Platform, AuthorSource] = dataclasses.field(default_factory=dict)
    live: dict[Platform, LiveReader] = dataclasses.field(default_factory=dict)
    notices: dict[Platform, NoticePoster] = dataclasses.field(default_factory=dict)


class CardDesk:
    """Builds cards and reports as they read now, and answers the moderators' buttons and commands."""

    def __init__(
        self,
        wstore: WorkbenchStore,
        decisions: StoreDecisionHandler,
        policy: ModerationConfig,
        tz: tzinfo,
        platforms: Platforms | None = None,
        titles: Mapping[tuple[Platform, str], str] | None = None,
        bot: Any = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.wstore = wstore
        self.decisions = decisions
        self.policy = policy
        self.tz = tz
        self.platforms = platforms or Platforms()
        self.titles = dict(titles or {})
        self.bot = bot  # aiogram Bot: asked once per channel for its title and username
        self.clock = clock
        self._usernames: dict[str, str | None] = {}

    # --- the DecisionHandler port, and the commands' records

    async def is_moderator(self, user_id: str) -> bool:
        return await self.decisions.is_moderator(user_id)

    async def decide(self, request: DecisionRequest) -> DecisionOutcome:
        return await self.decisions.decide(request)

    async def acknowledge(self, request: ReportRequest) -> DecisionOutcome:
        return await self.decisions.acknowledge(request)

    async def find(self, query: str, limit: int) -> list[FoundComment]:
        return await self.wstore.find(query, limit)

    async def history(self, query: str, limit: int) -> list[AuthorHistory]:
        now = self.clock()
        found = await self.wstore.author_ids(query)
        return [await self.wstore.author_history(p, a, now, limit) for p, a, _ in found[:5]]

    async def week(self) -> tuple[datetime, datetime, ModerationFigures]:
        """This week, from Monday 00:00 in the configured zone to the next Monday."""
        local = self.clock().astimezone(self.tz)
        monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        since, until = monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC)
        return since, until, await self.wstore.week(since, until)

    # --- cards and reports as they read now

    async def card_view(self, card_id: int, live: bool = False) -> CardView | None:
        """The card from the records; with `live`, the platform's state re-read where it can be."""
        now = self.clock()
        facts = await self.wstore.card_facts(card_id, now, self.policy.escalation.window_start(now))
        if facts is None:
            return None
        return await self.complete(facts, now, live)

    async def report_view(self, report_id: int, live_card: int | None = None) -> ReportView | None:
        """A report with its current cards; `live_card`'s state re-read from the platform."""
        now = self.clock()
        facts = await self.wstore.report_facts(report_id, now, self.policy.escalation.window_start(now))
        if facts is None:
            return None
        # together, so that the authors' names go to VK in one users.get call
        completing = (self.complete(item, now, item.info.card_id == live_card) for item in facts.items)
        items = tuple(await asyncio.gather(*completing))
        report = facts.report
        title = await self._title(report.platform, report.page_id)
        undo_until = None
        if report.acknowledged_at is not None:
            undo_until = report.acknowledged_at + self.policy.workbench.undo_window
        detailed = self.policy.workbench.report_items
        return dataclasses.replace(
            report, items=items, page_title=title, undo_until=undo_until, detailed=detailed
        )

    async def complete(self, facts: CardFacts, now: datetime, live: bool) -> CardView:
        """Fill in what the records do not hold: the page, the author, the platform's state, the buttons."""
        info, view = facts.info, facts.view
        workbench = self.policy.workbench

        def applies(choice: ModeratorChoice) -> bool:
            """As the decision handler would judge it (a decided card's other choices go to the race)."""
            if choice is not ModeratorChoice.UNDO and info.status is not CardStatus.OPEN:
                return False
            probe = DecisionRequest(info.card_id, choice, "", now, restrict_days=workbench.restrict_days[0])
            return applicability(probe, info, workbench, now) is None

        undo_until = None
        if info.decided_at is not None and applies(ModeratorChoice.UNDO):
            undo_until = info.decided_at + workbench.undo_window
        state = await self._live(info.comment, view.state) if live else view.state
        return dataclasses.replace(
            view,
            card=await self.describe(view.card),
            author=await self._author(info.comment),
            state=state,
            policy_days=self.policy.escalation.days_for(info.prior_violations, main_ground(info)),
            prior_violations=info.prior_violations,
            restrict_days=workbench.restrict_days,
            undo_until=undo_until,
            can_restore=applies(ModeratorChoice.RESTORE),
            can_lift=applies(ModeratorChoice.LIFT),
            now=now,
        )

    async def _author(self, comment: IncomingComment) -> Author:
        source = self.platforms.authors.get(comment.platform)
        if source is None:
            return Author(comment.author_name, None)
        try:
            return await source.author_of(comment)
        except PlatformError as error:
            log.warning("author of %s not read: %s", comment.key, type(error).__name__)
            return Author(comment.author_name, None)

    async def _live(self, comment: IncomingComment, recorded: LiveState) -> LiveState:
        """The platform's word on restriction (and deletion, where it can say); ours where it cannot."""
        reader = self.platforms.live.get(comment.platform)
        if reader is None:
            return recorded
        try:
            read = await reader.read(comment)
        except PlatformError as error:
            log.warning("state of %s not re-read: %s", comment.key, type(error).__name__)
            return recorded
        if read is None:
            return recorded
        deleted = read.comment_deleted if read.comment_deleted is not None else recorded.comment_deleted
        return LiveState(deleted, read.restricted, read.restricted_until, Source.PLATFORM, recorded.pending)

    async def describe(self, card: ReviewCard) -> ReviewCard:
        """The page's title and the comment's link."""
        c = card.comment
        if c.platform is Platform.VK:
            url = vk_comment_url(c.page_id, c.post_id, c.comment_id)
        else:
            username = await self._telegram_username(c.page_id)
            url = telegram_comment_url(c.page_id, c.post_id, c.comment_id, username)
        title = card.page_title or await self._title(c.platform, c.page_id)
        return dataclasses.replace(card, page_title=title, comment_url=url)

    async def _title(self, platform: Platform, page_id: str) -> str | None:
        if platform is Platform.TELEGRAM:
            await self._telegram_username(page_id)
        return self.titles.get((platform, page_id))

    async def _telegram_username(self, channel_id: str) -> str | None:
        if channel_id not in self._usernames and self.bot is not None:
            try:
                chat = await self.bot.get_chat(int(channel_id))
            except Exception:  # any failure: a missing link must not keep a card from the moderators
                log.warning("could not read channel %s for the card link", channel_id)
                return None
            self._usernames[channel_id] = chat.username
            self.titles.setdefault((Platform.TELEGRAM, channel_id), chat.title or channel_id)
        return self._usernames.get(channel_id)
