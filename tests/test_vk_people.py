"""What the cards read from VK, through the real vk_api client against the emulator: authors' names
(users.get, batched and cached), a comment's and an author's state now, a page's reply; and the ban's reason
the citizen sees in plain Russian citing the clause."""

# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bots.vk.actions import VkActions
from bots.vk.people import VkLiveState, VkNotices, VkPeople
from emulators.vk.people import page_replies
from emulators.vk.server import VkEmulator
from models.store import Store
from moderation.daemon.ports import IncomingComment
from moderation.daemon.restrictions import NAME_MARK, citizen_text, restriction_of_days
from moderation.daemon.views import Author, Source
from moderation.types import Ground, Platform
from tests.db_fixtures import incoming, sqlite_store, sqlite_template, sqlite_url  # noqa: F401  (fixtures)
from tests.test_vk_helpers import ADMIN_TOKEN, GROUP, GROUP_TOKEN, TROLL, client, populate, running_emulator
from tests.workbench_support import LENIENT, OBSCENE, make_bench

NOW = datetime.now(UTC)


@pytest.fixture
def emu() -> Iterator[VkEmulator]:
    with running_emulator() as emulator:
        populate(emulator)
        emulator.add_user(TROLL, "Пётр", "Сидоров", "petr_sidorov")
        emulator.add_user(7003, "Анна", "Козлова")
        yield emulator


def comment_of(emu: VkEmulator, post_id: int, comment_id: int, author: int = TROLL) -> IncomingComment:
    return IncomingComment(Platform.VK, str(GROUP), str(post_id), str(comment_id), str(author), "текст", NOW)


async def test_names_are_asked_for_in_one_call_and_kept(emu: VkEmulator) -> None:
    people = VkPeople(client(emu, ADMIN_TOKEN))
    emu.reset_call_counts()
    ids = [str(TROLL), "7003", "424242", str(TROLL), f"-{GROUP}"]
    found = await asyncio.gather(*(people.author(author_id) for author_id in ids))
    assert found[0] == Author("Пётр Сидоров", "https://vk.com/petr_sidorov")
    assert found[1] == Author("Анна Козлова", "https://vk.com/id7003")
    assert found[2] == Author("профиль удалён", "https://vk.com/id424242")
    assert found[4] == Author("Администрация города Рубцовска", f"https://vk.com/club{GROUP}")
    assert emu.call_counts() == {"users.get": 1, "groups.getById": 1}, "batched"
    await people.authors([str(TROLL), "7003"])
    assert emu.call_counts() == {"users.get": 1, "groups.getById": 1}, "cached"


async def test_a_thousand_names_a_call(emu: VkEmulator) -> None:
    people = VkPeople(client(emu, ADMIN_TOKEN))
    emu.reset_call_counts()
    await people.authors([str(n) for n in range(1, 1502)])
    assert emu.call_counts() == {"users.get": 2}


async def test_a_failed_lookup_gives_the_link_and_is_asked_again(emu: VkEmulator) -> None:
    people = VkPeople(client(emu, ADMIN_TOKEN))
    emu.fail_next("users.get", http_status=502)
    assert await people.author(str(TROLL)) == Author(None, f"https://vk.com/id{TROLL}")
    assert (await people.author(str(TROLL))).name == "Пётр Сидоров"


async def test_state_is_read_back_from_vk(emu: VkEmulator) -> None:
    post = emu.add_post(GROUP, "Пост")
    cid = emu.add_comment(GROUP, post, TROLL, "бл@ть")
    comment = comment_of(emu, post, cid)
    actions, live = VkActions(client(emu, ADMIN_TOKEN)), VkLiveState(client(emu, ADMIN_TOKEN))
    state = await live.read(comment)
    assert (state.comment_deleted, state.restricted, state.source) == (False, False, Source.PLATFORM)
    await actions.delete_comment(comment)
    restriction = restriction_of_days(comment, Ground.OBSCENITY, 7, NOW)
    await actions.restrict(restriction)
    state = await live.read(comment)
    assert state.comment_deleted is True and state.restricted is True
    assert state.restricted_until is not None
    assert abs(state.restricted_until - (NOW + timedelta(days=7))) < timedelta(seconds=2)
    await actions.restore_comment(comment)
    await actions.lift_restriction(str(GROUP), str(TROLL))
    state = await live.read(comment)
    assert (state.comment_deleted, state.restricted) == (False, False)


async def test_the_ban_reason_the_citizen_sees_is_plain_russian_citing_the_clause(emu: VkEmulator) -> None:
    post = emu.add_post(GROUP, "Пост")
    comment = comment_of(emu, post, emu.add_comment(GROUP, post, TROLL, "бл@ть"))
    await VkActions(client(emu, ADMIN_TOKEN)).restrict(restriction_of_days(comment, Ground.OBSCENITY, 1, NOW))
    ban = emu.bans(GROUP)[TROLL]
    assert ban.comment_visible
    assert ban.comment.startswith("Комментарий удалён: п. 2.5, пп. 2 Порядка ведения официальных страниц")
    assert (
        "ненормативная лексика" in ban.comment and "Возможность комментировать ограничена до" in ban.comment
    )
    assert "clause" not in ban.comment and "obscenity" not in ban.comment


async def test_a_page_reply_names_the_author(emu: VkEmulator) -> None:
    post = emu.add_post(GROUP, "Пост")
    comment = comment_of(emu, post, emu.add_comment(GROUP, post, TROLL, "бл@ть"))
    vk = client(emu, ADMIN_TOKEN)
    text = citizen_text(
        "{name}, ваш комментарий удалён: {clause} — {ground}.", Ground.SPAM, None, NAME_MARK, None
    )
    await VkNotices(vk, VkPeople(vk)).post(comment, text)
    [reply] = page_replies(emu, GROUP)
    assert reply.text == f"[id{TROLL}|Пётр Сидоров], ваш комментарий удалён: п. 2.5, пп. 2 — спам-рассылка."


def test_users_get_refuses_more_than_a_thousand_ids(emu: VkEmulator) -> None:
    vk = client(emu, GROUP_TOKEN)
    with pytest.raises(Exception, match="too long"):
        vk.method("users.get", {"user_ids": ",".join(str(n) for n in range(1001))})


async def test_a_report_asks_vk_for_all_its_authors_at_once(emu: VkEmulator, sqlite_store: Store) -> None:
    bench = make_bench(sqlite_store, escalation=LENIENT)
    bench.desk.platforms.authors[Platform.VK] = VkPeople(client(emu, ADMIN_TOKEN))
    for n in range(6):
        await bench.pipeline.handle(incoming(str(n), text=f"{OBSCENE} {n}", author_id=str(8000 + n)))
    await bench.run()
    emu.reset_call_counts()
    bench.clock.advance(seconds=30)
    await bench.run()
    _, report = bench.report()
    assert len(report.items) == 6 and report.items[2].author.url == "https://vk.com/id8002"
    assert emu.call_counts() == {"users.get": 1}
