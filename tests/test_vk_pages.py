"""Page facts for the compliance monitor, read through the real vk_api client from the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bots.vk.pages import (
    PostKind,
    VkManager,
    fetch_page_info,
    fetch_posts,
    get_managers,
    get_page_info,
    get_posts,
    post_kind,
)
from emulators.vk.server import VkEmulator
from moderation.daemon.ports import Forbidden
from tests.test_vk_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    EDITOR,
    GROUP,
    GROUP_TOKEN,
    SERVICE_TOKEN,
    client,
    populate,
    running_emulator,
)

MONDAY = datetime(2026, 11, 9, tzinfo=UTC)  # a past week: the populated post is from today


@pytest.fixture
def emu():
    with running_emulator() as emulator:
        yield emulator


async def test_page_info(emu: VkEmulator) -> None:
    populate(emu)
    info = await get_page_info(client(emu, GROUP_TOKEN), "rubtsovsk_adm")
    assert info.group_id == GROUP and info.name == "Администрация города Рубцовска"
    assert info.screen_name == "rubtsovsk_adm" and info.url == "https://vk.com/rubtsovsk_adm"
    assert "Алтайского края" in info.description
    assert info.phones == ("+7 (38557) 9-64-01",) and info.emails == ("office@rubtsovsk.org",)
    assert info.addresses == ("658200, Алтайский край, г. Рубцовск, пр-т Ленина, 130",)
    assert info.site == "https://rubtsovsk.org" and info.has_photo and info.cover_enabled


def test_page_without_design_or_contacts(emu: VkEmulator) -> None:
    emu.add_group(42, "МБОУ «Гимназия № 3»", has_photo=False, cover_enabled=False)
    emu.add_token("svc", "service")
    info = fetch_page_info(client(emu, "svc"), 42)
    assert (info.phones, info.emails, info.addresses, info.site) == ((), (), (), "")
    assert not info.has_photo and not info.cover_enabled and info.screen_name == "club42"


async def test_posts_in_a_week_with_their_kinds(emu: VkEmulator) -> None:
    populate(emu)
    emu.add_post(GROUP, "Итоги прошлой недели", date=MONDAY - timedelta(days=2))
    emu.add_post(GROUP, "Важно: правила подачи обращений", date=MONDAY - timedelta(days=30), pinned=True)
    emu.add_post(GROUP, "Фоторепортаж с субботника", kind="photo", date=MONDAY + timedelta(days=1))
    emu.add_post(GROUP, "Видеообращение главы города", kind="video", date=MONDAY + timedelta(days=2))
    emu.add_post(GROUP, "Опрос о благоустройстве", kind="poll", date=MONDAY + timedelta(days=3))
    emu.add_post(GROUP, "График вывоза мусора", date=MONDAY + timedelta(days=4, hours=23))
    posts = await get_posts(client(emu, SERVICE_TOKEN), GROUP, MONDAY, MONDAY + timedelta(days=7))
    assert [p.kind for p in posts] == [PostKind.TEXT, PostKind.POLL, PostKind.VIDEO, PostKind.PHOTO]
    assert all(MONDAY <= p.date < MONDAY + timedelta(days=7) for p in posts)


def test_posts_page_through_more_than_a_hundred(emu: VkEmulator) -> None:
    populate(emu)
    for n in range(130):
        emu.add_post(GROUP, f"Новость {n}", date=MONDAY + timedelta(minutes=n))
    posts = fetch_posts(client(emu, ADMIN_TOKEN), GROUP, MONDAY, MONDAY + timedelta(days=1))
    assert len(posts) == 130 and emu.call_counts()["wall.get"] == 2


async def test_managers(emu: VkEmulator) -> None:
    populate(emu)
    managers = await get_managers(client(emu, GROUP_TOKEN), GROUP)
    assert managers == [VkManager(ADMIN, "administrator"), VkManager(EDITOR, "editor")]


async def test_posts_need_a_user_or_service_token(emu: VkEmulator) -> None:
    populate(emu)
    with pytest.raises(Forbidden):
        await get_posts(client(emu, GROUP_TOKEN), GROUP, MONDAY, MONDAY + timedelta(days=7))


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        ((), PostKind.TEXT),
        (("link",), PostKind.TEXT),
        (("photo", "photo"), PostKind.PHOTO),
        (("photo", "video"), PostKind.VIDEO),
        (("clip",), PostKind.VIDEO),
        (("photo", "poll"), PostKind.POLL),
        (("album",), PostKind.PHOTO),
    ],
    ids=["text", "link", "photos", "photo+video", "clip", "photo+poll", "album"],
)
def test_post_kind(types: tuple[str, ...], kind: PostKind) -> None:
    assert post_kind([{"type": t} for t in types]) == kind


def test_sync_emulator_usable_without_running_server() -> None:
    with running_emulator() as emu:
        populate(emu)
        assert fetch_page_info(client(emu, GROUP_TOKEN), GROUP).name.startswith("Администрация")
