"""One author's simultaneous violations escalate once, not zero times, on SQLite and PostgreSQL.

The pipeline used to count an author's earlier violations before recording the verdict, in a transaction of
its own: two obscene comments decided at the same moment both counted none before them, both were deleted and
the author was never restricted. The store now counts them while recording the verdict, one author at a time.
"""

from __future__ import annotations

import asyncio

from models.store import Store
from moderation.config import Mode
from moderation.daemon.pipeline import Outcome, Pipeline
from moderation.types import Platform
from tests.db_fixtures import incoming
from tests.pipeline_fakes import Clock, FakePlatform, FakeReview, classify

OBSCENE = ("Да бля, опять дорогу не почистили", "Пизд@ц, а не уборка", "Нахуй такие тротуары")


def make(store: Store) -> tuple[Pipeline, FakePlatform]:
    vk = FakePlatform()
    return Pipeline(classify, store, {Platform.VK: vk}, FakeReview(), Mode.ENFORCE, clock=Clock()), vk


async def test_simultaneous_violations_of_one_author_escalate_once(store: Store) -> None:
    pipeline, vk = make(store)
    comments = [incoming(str(n), text=text, author_id="700") for n, text in enumerate(OBSCENE[:2])]
    handled = await asyncio.gather(*(pipeline.handle(comment) for comment in comments))
    assert [h.outcome for h in handled] == [Outcome.DELETED, Outcome.DELETED]
    while await pipeline.runner.run_due():
        pass
    assert sorted(vk.deleted) == sorted(c.key for c in comments)
    # Obscenity restricts from the first deletion (1 day), the second counts the first: 7 days, not 1 again.
    days = sorted((r.until - Clock().now).days for r in vk.restricted)
    assert days == [1, 7] and {r.author_id for r in vk.restricted} == {"700"}


async def test_a_burst_of_violations_escalates_step_by_step(store: Store) -> None:
    pipeline, vk = make(store)
    comments = [incoming(f"b{n}", text=OBSCENE[n % 3], author_id="701") for n in range(4)]
    others = [incoming(f"o{n}", text=OBSCENE[n % 3], author_id=f"80{n}") for n in range(3)]
    await asyncio.gather(*(pipeline.handle(comment) for comment in comments + others))
    while await pipeline.runner.run_due():
        pass
    steps = sorted((r.until - Clock().now).days for r in vk.restricted if r.author_id == "701")
    assert steps == [1, 7, 30, 30]  # obscenity's steps (1, 7, 30): each violation counts those before it
    first_timers = sorted((r.until - Clock().now).days for r in vk.restricted if r.author_id != "701")
    assert first_timers == [1, 1, 1]  # a first obscene comment costs a day, whoever else is at it
