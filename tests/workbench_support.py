"""A moderators' workbench over a real SQLite store, the real decision handler and Workbench, with in-memory
platforms and a surface that keeps what it was shown (the Telegram wire is tested in test_tg_workbench.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dozor.cards import CardDesk, Platforms
from dozor.workbench import Workbench
from models.store import Store
from models.workbench import WorkbenchStore
from moderation.config import CitizenTexts, EscalationPolicy, Mode, ModerationConfig, WorkbenchPolicy
from moderation.daemon.decisions import StoreDecisionHandler
from moderation.daemon.pipeline import Pipeline
from moderation.daemon.ports import (
    DecisionOutcome,
    DecisionRequest,
    IncomingComment,
    ModeratorChoice,
    ReportRequest,
)
from moderation.daemon.views import CardView, ReportView
from moderation.daemon.waves import WaveMemory
from moderation.types import Comment, Ground, Platform, Verdict
from tests.db_fixtures import T0, incoming
from tests.pipeline_fakes import Clock, FakePlatform, classify

BARNAUL = ZoneInfo("Asia/Barnaul")
MODERATORS = ("tg:1", "tg:2")
OBSCENE = "Вы там все охуели? бля"
ADVERT = "Купить окна со скидкой 30%, звоните"
LENIENT = EscalationPolicy(grounds={Ground.OBSCENITY: (0, 1, 7, 30)})


@dataclass
class FakeSurface:
    """The moderators' chat as a list of what was shown, by message reference."""

    cards: dict[str, CardView] = field(default_factory=dict)
    reports: dict[str, ReportView] = field(default_factory=dict)
    texts: list[tuple[str, str | None]] = field(default_factory=list)
    sent: int = 0

    def _ref(self) -> str:
        self.sent += 1
        return f"-100900:{self.sent}"

    async def send_card(self, view: CardView) -> str:
        ref = self._ref()
        self.cards[ref] = view
        return ref

    async def edit_card(self, view: CardView) -> None:
        assert view.message_ref in self.cards, "only a sent card can be redrawn"
        self.cards[view.message_ref] = view

    async def send_report(self, view: ReportView) -> str:
        ref = self._ref()
        self.reports[ref] = view
        return ref

    async def edit_report(self, view: ReportView) -> None:
        assert view.message_ref in self.reports
        self.reports[view.message_ref] = view

    async def send_text(self, html: str, reply_to: str | None = None) -> str:
        self.texts.append((html, reply_to))
        return self._ref()


@dataclass
class FakeNotices:
    posted: list[tuple[str, str]] = field(default_factory=list)

    async def post(self, comment: IncomingComment, text: str) -> None:
        self.posted.append((comment.key, text))


@dataclass
class Bench:
    """Everything a press goes through, server side."""

    store: Store
    pipeline: Pipeline
    handler: StoreDecisionHandler
    desk: CardDesk
    workbench: Workbench
    platform: FakePlatform
    surface: FakeSurface
    notices: FakeNotices
    clock: Clock

    async def run(self) -> None:
        """Let the runner do everything that is due (a few passes: refreshes follow their actions), and what
        falls due a few seconds later (a notice looking again for its restriction's outcome)."""
        for _ in range(2):
            for _ in range(5):
                if await self.pipeline.runner.run_due() == 0:
                    break
            self.clock.advance(seconds=10)

    def card_ref(self, text_part: str) -> str:
        return next(ref for ref, view in self.surface.cards.items() if text_part in view.card.comment.text)

    def card(self, ref: str) -> CardView:
        return self.surface.cards[ref]

    def report(self, ref: str | None = None) -> tuple[str, ReportView]:
        if ref is None:
            ref = list(self.surface.reports)[-1]
        return ref, self.surface.reports[ref]

    async def press(
        self,
        card_id: int,
        choice: ModeratorChoice,
        ref: str | None,
        who: str = "tg:1",
        days: int | None = None,
    ) -> DecisionOutcome:
        request = DecisionRequest(
            card_id, choice, who, self.clock.now, days, moderator_name=f"Модератор {who}", message_ref=ref
        )
        return await self.handler.decide(request)

    async def ack(self, report_id: int, ref: str | None, undo: bool = False) -> DecisionOutcome:
        request = ReportRequest(report_id, "tg:1", self.clock.now, "Модератор tg:1", ref, undo)
        return await self.handler.acknowledge(request)


def make_bench(
    store: Store,
    mode: Mode = Mode.ENFORCE,
    platform: Platform = Platform.VK,
    escalation: EscalationPolicy | None = None,
    workbench: WorkbenchPolicy | None = None,
    texts: CitizenTexts | None = None,
    waves: WaveMemory | None = None,
    classifier: Callable[[Comment], Verdict] = classify,
) -> Bench:
    clock = Clock(T0)
    policy = ModerationConfig(
        escalation=escalation or EscalationPolicy(),
        workbench=workbench or WorkbenchPolicy(),
        texts=texts or CitizenTexts(),
    )
    fake = FakePlatform(platform=platform)
    surface, notices = FakeSurface(), FakeNotices()
    holder: list[Pipeline] = []
    handler = StoreDecisionHandler(
        store,
        moderators=MODERATORS,
        escalation=policy.escalation,
        clock=clock,
        on_decided=lambda: holder[0].runner.wake() if holder else None,
        workbench=policy.workbench,
        texts=policy.texts,
        tz=BARNAUL,
        waves=waves,
    )
    desk = CardDesk(
        WorkbenchStore(store), handler, policy, BARNAUL, Platforms(notices={platform: notices}), clock=clock
    )
    bench_workbench = Workbench(desk, surface)
    pipeline = Pipeline(
        classifier, store, {platform: fake}, bench_workbench, mode, escalation=policy.escalation, clock=clock,
        texts=policy.texts, tz=BARNAUL, waves=waves,
    )  # fmt: skip
    holder.append(pipeline)
    return Bench(store, pipeline, handler, desk, bench_workbench, fake, surface, notices, clock)


async def review_card(bench: Bench, text: str = ADVERT, n: str = "1") -> tuple[int, str]:
    """A comment sent to moderators, its card posted: (card id, message)."""
    await bench.pipeline.handle(incoming(n, text=text))
    await bench.run()
    ref = bench.card_ref(text)
    return bench.card(ref).card_id, ref


async def reported(bench: Bench, *texts: str) -> tuple[str, list[int]]:
    """Comments deleted automatically and listed in their page's report: (report message, card ids)."""
    for n, text in enumerate(texts, start=1):
        await bench.pipeline.handle(incoming(str(n), text=text))
    await bench.run()
    bench.clock.advance(seconds=30)  # a burst is gathered into one report
    await bench.run()
    ref, report = bench.report()
    return ref, [item.card_id for item in report.items]
