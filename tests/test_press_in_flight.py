"""A moderator's press on a card sent a moment ago, before the daemon has recorded which message it is, is
honoured once the reference lands (the e2e runs found such a real button refused as «не от этой карточки» on a
loaded machine); a button from another message is still refused."""

from __future__ import annotations

import asyncio

from models.store import Store
from moderation.daemon.decisions import NOT_THIS_CARD
from moderation.daemon.ports import ModeratorChoice
from tests.db_fixtures import incoming, sqlite_store  # noqa: F401  (fixture)
from tests.workbench_support import ADVERT, make_bench


async def test_a_press_before_the_cards_reference_is_recorded_waits_for_it(sqlite_store: Store) -> None:  # noqa: F811
    bench = make_bench(sqlite_store)
    await bench.pipeline.handle(incoming("1", text=ADVERT))
    card_id = 1  # the first card of a fresh database; checked below
    press = asyncio.create_task(bench.press(card_id, ModeratorChoice.KEEP, "-100900:1"))
    await asyncio.sleep(0.05)
    assert not press.done(), "the press waits while the card is being sent"
    await bench.run()  # the card goes out as -100900:1 and its reference is recorded
    outcome = await asyncio.wait_for(press, 10)
    assert bench.card("-100900:1").card_id == card_id
    assert outcome.accepted, outcome.answer


async def test_a_button_from_another_message_is_still_refused(sqlite_store: Store) -> None:  # noqa: F811
    bench = make_bench(sqlite_store)
    await bench.pipeline.handle(incoming("1", text=ADVERT))
    await bench.run()
    ref = bench.card_ref(ADVERT)
    card_id = bench.card(ref).card_id
    outcome = await bench.press(card_id, ModeratorChoice.KEEP, "-100900:999")
    assert not outcome.accepted and outcome.answer == NOT_THIS_CARD
