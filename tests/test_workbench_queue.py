"""Keeping the moderators' queue, server side: automatic deletions reported in batches that give way to cards,
accepted or closed after a while; status and digest agree on what waits; reminders; authors told why."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

from datetime import timedelta

from models.db import make_engine
from models.stats import figures
from models.store import Store
from moderation.config import Mode, WorkbenchPolicy
from moderation.daemon.ports import ModeratorChoice
from moderation.daemon.records import CardStatus
from moderation.types import Platform
from tests.db_fixtures import (  # noqa: F401  (fixtures)
    T0,
    engine,
    incoming,
    migrated_url,
    postgres_migrated_url,
    sqlite_store,
    sqlite_template,
    sqlite_url,
    store,
)
from tests.workbench_support import ADVERT, LENIENT, OBSCENE, make_bench, reported, review_card


async def test_status_and_digest_agree_on_what_waits(sqlite_store: Store, sqlite_url: str) -> None:
    bench = make_bench(sqlite_store)
    ref, _ = await reported(bench, OBSCENE, OBSCENE + "!", OBSCENE + "!!")
    await bench.pipeline.handle(incoming("4", text="Говорят, мэр уже продал стадион"))
    await bench.run()
    status = await sqlite_store.status()
    week = figures(make_engine(sqlite_url), T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert status.open_cards == week.waiting_cards == 1, "automatic deletions wait for no one"
    assert status.unacknowledged_deletions == 3
    report_id = bench.report(ref)[1].report_id
    assert not (await bench.ack(report_id, "-100900:999")).accepted, "a report's button on another message"
    assert (await bench.ack(report_id, ref)).accepted
    status = await sqlite_store.status()
    assert status.unacknowledged_deletions == 0 and status.open_cards == 1
    await bench.run()
    report = bench.report(ref)[1]
    assert report.acknowledged_by == "Модератор tg:1" and report.can_undo
    assert all(item.status is CardStatus.CLOSED for item in report.items)
    assert (await bench.ack(report_id, ref, undo=True)).accepted
    assert (await sqlite_store.status()).unacknowledged_deletions == 3


async def test_automatic_deletions_close_after_the_configured_time(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, workbench=WorkbenchPolicy(close_auto_hours=2))
    ref, [card_id] = await reported(bench, OBSCENE)
    bench.clock.advance(hours=1)
    await bench.workbench.sweep()
    assert (await sqlite_store.status()).unacknowledged_deletions == 1
    bench.clock.advance(hours=2)
    await bench.workbench.sweep()
    await bench.run()
    assert (await sqlite_store.status()).unacknowledged_deletions == 0
    item = bench.report(ref)[1].items[0]
    assert item.status is CardStatus.CLOSED and not item.can_restore
    assert not (await bench.press(card_id, ModeratorChoice.RESTORE, ref)).accepted


async def test_a_card_waiting_too_long_is_brought_up_once_per_interval(sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, Mode.REVIEW, workbench=WorkbenchPolicy(remind_minutes=60))
    _, ref = await review_card(bench)
    await bench.workbench.sweep()
    assert bench.surface.texts == []
    bench.clock.advance(minutes=61)
    await bench.workbench.sweep()
    await bench.workbench.sweep()
    [(html, reply_to)] = bench.surface.texts
    assert html.startswith("⏰ <b>Ждут решения: 1</b>") and "1 ч 1 мин" in html and reply_to == ref
    bench.clock.advance(minutes=61)
    await bench.workbench.sweep()
    assert len(bench.surface.texts) == 2


async def test_reports_batch_automatic_deletions_and_give_way_to_cards(sqlite_store: Store) -> None:
    policy = WorkbenchPolicy(report_minutes=3, report_items=10)
    bench = make_bench(sqlite_store, escalation=LENIENT, workbench=policy)
    for n in range(25):
        await bench.pipeline.handle(incoming(str(n), text=f"{OBSCENE} {n}", author_id=str(600 + n)))
    await bench.pipeline.handle(incoming("card", text=ADVERT))
    await bench.run()
    assert len(bench.surface.cards) == 1 and bench.surface.reports == {}, "the card first, the burst gathers"
    bench.clock.advance(seconds=30)
    await bench.run()
    [first] = bench.surface.reports.values()
    assert len(first.items) == 25 and first.detailed == 10, "a burst in one message: ten with buttons"
    for n in range(25, 30):
        bench.clock.advance(seconds=10)
        await bench.pipeline.handle(incoming(str(n), text=f"{OBSCENE} {n}", author_id=str(600 + n)))
        await bench.run()
    assert len(bench.surface.reports) == 1, "one message per page every few minutes"
    bench.clock.advance(minutes=3)
    await bench.run()
    assert [len(r.items) for r in bench.surface.reports.values()] == [25, 5]
    assert bench.surface.sent == 3 and (await sqlite_store.status()).unacknowledged_deletions == 30


async def test_authors_are_told_why_where_the_platform_does_not_say(sqlite_store: Store) -> None:
    from moderation.daemon.ports import Forbidden

    telegram = make_bench(sqlite_store, platform=Platform.TELEGRAM)
    await telegram.pipeline.handle(incoming(text=OBSCENE, platform=Platform.TELEGRAM, page_id="-1001"))
    await telegram.run()
    await telegram.run()  # the notice waits for the restriction's outcome
    [(_, text)] = telegram.notices.posted
    assert text.startswith("\x00name\x00, ваш комментарий удалён: п. 2.5, пп. 2 Порядка ведения")
    assert "ненормативная лексика" in text and "ограничена до 03.03.2026 16:00" in text

    vk = make_bench(sqlite_store)
    await vk.pipeline.handle(incoming("2", text=OBSCENE, author_id="501"))
    await vk.run()
    assert vk.notices.posted == [], "VK shows the ban's reason itself"

    manager = make_bench(sqlite_store)

    async def refuse(restriction: object) -> None:
        raise Forbidden("Access denied: cannot ban a manager")

    manager.platform.restrict = refuse  # type: ignore[method-assign]
    await manager.pipeline.handle(incoming("3", text=OBSCENE, author_id="502"))
    await manager.run()
    await manager.run()  # the notice waits for the restriction's outcome
    [(_, warning)] = manager.notices.posted
    assert "Пожалуйста, соблюдайте правила страницы" in warning and "ненормативная лексика" in warning


async def test_the_sweep_and_the_reports_run_on_both_databases(store: Store) -> None:
    bench = make_bench(store, workbench=WorkbenchPolicy(remind_minutes=30, close_auto_hours=1))
    ref, [auto] = await reported(bench, OBSCENE)
    card_id, card_ref = await review_card(bench, ADVERT, "2")
    await bench.press(card_id, ModeratorChoice.KEEP, card_ref)
    await bench.run()
    assert bench.card(card_ref).can_undo
    bench.clock.advance(minutes=16)
    await bench.workbench.sweep()
    await bench.run()
    assert not bench.card(card_ref).can_undo, "sealed once the window passed"
    second_id, second_ref = await review_card(bench, "Купить шины недорого, звоните", "3")
    bench.clock.advance(hours=1)
    await bench.workbench.sweep()
    await bench.run()
    assert [reply for _, reply in bench.surface.texts] == [second_ref]
    assert bench.report(ref)[1].items[0].status is CardStatus.CLOSED and auto
    assert second_id


async def test_a_configured_reply_follows_every_deletion(sqlite_store: Store) -> None:
    from moderation.config import CitizenTexts

    texts = CitizenTexts(reply="{name}, комментарий удалён: {clause} — {ground}.")
    bench = make_bench(sqlite_store, escalation=LENIENT, texts=texts)
    await bench.pipeline.handle(incoming(text=OBSCENE))
    await bench.run()
    assert bench.platform.restricted == []
    [(_, text)] = bench.notices.posted
    assert text == "\x00name\x00, комментарий удалён: п. 2.5, пп. 2 — ненормативная лексика."
