"""Keeping the moderators' queue: cards posted, automatic deletions reported in batches, cards redrawn with
the platform's state once a decision's actions have run, authors told why, old deletions closed, waiting cards
brought up again.

The action runner performs what is queued (moderation.daemon.runner.Workbench: REPORT, REFRESH, NOTICE); the
sweep runs beside it. Automatic deletions need no one, so they share one message per page every few minutes
and give way to the cards that wait for a decision: Telegram lets a bot send about 20 messages a minute to a
group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from dozor.cards import CardDesk, Surface
from models.workbench import WorkbenchStore
from moderation.daemon.acting import Unperformable
from moderation.daemon.ports import PlatformError, RateLimited, ReviewCard
from moderation.daemon.records import ActionKind, ActionStatus, QueuedAction
from moderation.daemon.restrictions import NAME_MARK, citizen_text
from moderation.types import Ground, Platform

log = logging.getLogger(__name__)

GATHER = timedelta(seconds=20)  # a burst of deletions goes into one report
YIELD_TO_CARDS = timedelta(seconds=10)  # a report waits while review cards are being posted
RECHECK = timedelta(seconds=2)  # a refresh or notice whose actions have not run yet looks again
RECHECK_MAX = timedelta(seconds=16)  # a notice waiting for its restriction looks again less often, up to this
GIVE_UP_WAITING = timedelta(minutes=10)
SWEEP_SECONDS = 30.0
REPORT_CAP = 200  # deletions one report takes in; the first `report_items` with buttons, the rest summed up


class Workbench:
    """The ReviewQueue the pipeline posts to, and the workbench kinds the runner performs."""

    def __init__(
        self,
        desk: CardDesk,
        surface: Surface | None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.desk = desk
        self.wstore: WorkbenchStore = desk.wstore
        self.surface = surface
        self.wake = wake
        # several daemons on one base: the sweep runs in the one holding the moderators' bot (dozor/claims.py)
        self.active: Callable[[], bool] = lambda: True

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.desk.clock

    async def post_card(self, card: ReviewCard) -> str:
        """A card waiting for a moderator, posted with its context; returns its message reference."""
        view = await self.desk.card_view(card.card_id) if self.surface is not None else None
        if self.surface is None or view is None:
            log.warning("review card %s needs a moderator; configure [telegram] for buttons", card.card_id)
            return f"log:{card.card_id}"
        return await self.surface.send_card(view)

    async def perform(self, item: QueuedAction) -> str | None:
        if item.kind is ActionKind.REPORT:
            return await self._report(item)
        if item.kind is ActionKind.REFRESH:
            await self._refresh(item)
            return None
        if item.kind is ActionKind.NOTICE:
            await self._notice(item)
            return None
        raise Unperformable(f"the workbench does not perform {item.kind.value}")

    # --- reports of automatic deletions

    async def _report(self, item: QueuedAction) -> str | None:
        comment = item.comment
        if comment is None:
            raise Unperformable("the report's page is unknown: its comment is missing")
        policy = self.desk.policy.workbench
        interval = timedelta(minutes=policy.report_minutes)
        now = self.clock()
        due = await self.wstore.report_due(comment.platform, comment.page_id, interval, min(GATHER, interval))
        if due is None:
            return None
        if due > now:
            await self._again(item, ActionKind.REPORT, due)
            return None
        if await self.wstore.cards_waiting_to_be_posted():
            await self._again(item, ActionKind.REPORT, now + YIELD_TO_CARDS)
            return None
        report_id = await self.wstore.open_report(comment.platform, comment.page_id, now, REPORT_CAP)
        if report_id is None:
            return None
        if self.surface is None:
            log.info("report %s of automatic deletions kept in the database (no moderators' chat)", report_id)
            await self.wstore.set_report_message(report_id, f"log:report:{report_id}")
            return None
        view = await self.desk.report_view(report_id)
        if view is None:
            return None
        ref = await self.surface.send_report(view)
        await self.wstore.set_report_message(report_id, ref)
        if await self.wstore.unreported_count(comment.platform, comment.page_id):
            await self._again(item, ActionKind.REPORT, now + interval)
        return ref

    async def _again(self, item: QueuedAction, kind: ActionKind, at: datetime) -> None:
        """The same work later, as a new queued action (this one completes)."""
        comment_id = await self.wstore.comment_row_id(item.comment.key) if item.comment else None
        card_id = item.card.card_id if item.card is not None else None
        key = f"{kind.value}:again:{item.id}:{at.isoformat()}"
        await self.wstore.requeue(
            key, kind, at, comment_id=comment_id, card_id=card_id, restriction_id=item.restriction_id
        )

    # --- redrawing after a decision

    async def _refresh(self, item: QueuedAction) -> None:
        if item.card is None or self.surface is None:
            return
        card_id = item.card.card_id
        now = self.clock()
        view = await self.desk.card_view(card_id)
        if view is None:
            return
        if not await self.wstore.settled(card_id, now) and not self._waited_enough(view.history, now):
            await self._again(item, ActionKind.REFRESH, now + RECHECK)
            return
        if view.report_id is not None:
            report = await self.desk.report_view(view.report_id, live_card=card_id)
            if report is not None and report.message_ref and not report.message_ref.startswith("log:"):
                await self.surface.edit_report(report)
            return
        live = await self.desk.card_view(card_id, live=True)
        if live is not None and live.message_ref and not live.message_ref.startswith("log:"):
            await self.surface.edit_card(live)

    @staticmethod
    def _waited_enough(history: tuple[object, ...], now: datetime) -> bool:
        last = max((getattr(entry, "at", now) for entry in history), default=now)
        return now - last > GIVE_UP_WAITING

    # --- telling the author

    async def _notice(self, item: QueuedAction) -> None:
        """Where the platform shows no reason (Telegram) or cannot restrict the author, tell them why."""
        comment, restriction = item.comment, item.restriction
        poster = self.desk.platforms.notices.get(comment.platform) if comment is not None else None
        if comment is None or poster is None:
            return
        texts = self.desk.policy.texts
        template = texts.reply or None
        if restriction is not None and item.restriction_id is not None:
            status = await self.wstore.restrict_outcome(item.restriction_id)
            if status in (ActionStatus.PENDING.value, ActionStatus.RUNNING.value):
                if self.clock() - comment.created_at < GIVE_UP_WAITING:
                    waited = self.clock() - comment.created_at  # in a raid, fewer looks while bans queue
                    later = min(max(RECHECK, waited / 2), RECHECK_MAX)
                    await self._again(item, ActionKind.NOTICE, self.clock() + later)
                return
            if status == ActionStatus.FAILED.value:
                template = texts.warning or template  # the platform would not restrict this author
            elif status == ActionStatus.DONE.value and comment.platform is Platform.TELEGRAM:
                template = texts.restricted_notice or template  # Telegram shows the author no reason
            elif status == ActionStatus.CANCELLED.value:
                return  # a moderator took the deletion back
        if not template:
            return
        ground = restriction.ground if restriction else await self.wstore.main_ground(comment.key)
        until = restriction.until if restriction else None
        text = citizen_text(
            template,
            ground or Ground.OFF_TOPIC,
            until,
            NAME_MARK,
            self.desk.tz,
            restricted=restriction is not None,
        )
        await poster.post(comment, text)

    # --- the sweep

    async def run_forever(self, stop: asyncio.Event, every: float = SWEEP_SECONDS) -> None:
        """Close old automatic deletions, take expired undo buttons away, remind of waiting cards."""
        while not stop.is_set():
            try:
                if self.active():
                    await self.sweep()
            except Exception:
                log.exception("workbench sweep failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    async def sweep(self) -> None:
        policy = self.desk.policy.workbench
        now = self.clock()
        closed = await self.wstore.close_stale_deletions(now, now - timedelta(hours=policy.close_auto_hours))
        sealed = await self.wstore.seal_expired_undo(now, policy.undo_window)
        if closed or sealed:
            self.wake()
        await self.remind(now)

    async def remind(self, now: datetime) -> None:
        """One message for all the cards that waited too long, answering the oldest of them."""
        every = timedelta(minutes=self.desk.policy.workbench.remind_minutes)
        due = await self.wstore.claim_reminders(now, every)
        if not due or self.surface is None:
            return
        oldest_ref = next((ref for _, ref, _ in due if ref and not ref.startswith("log:")), None)
        waited = now - due[0][2]
        hours, minutes = divmod(int(waited.total_seconds() // 60), 60)
        numbers = ", ".join(f"№ {card_id}" for card_id, _, _ in due[:10])
        more = f" и ещё {len(due) - 10}" if len(due) > 10 else ""
        html = (
            f"⏰ <b>Ждут решения: {len(due)}</b> (дольше {every.total_seconds() / 60:g} мин; "
            f"самая давняя — {hours} ч {minutes} мин): {numbers}{more}"
        )
        try:
            await self.surface.send_text(html, reply_to=oldest_ref)
        except (RateLimited, PlatformError) as error:
            log.warning("reminder not sent: %s", type(error).__name__)
