"""The emulator answers the REAL vk_api client with VK 5.199's shapes and refuses where VK refuses."""

from __future__ import annotations

import time

import pytest
from vk_api.bot_longpoll import VkBotEventType
from vk_api.exceptions import ApiError, ApiHttpError

from bots.vk.actions import VkActions
from bots.vk.position import MemoryPositions
from bots.vk.transport import EmulatorAdapter, call, emulator_session, make_vk
from bots.vk.worker import VkWorker
from emulators.vk.demo import COMMENTS as DEMO_COMMENTS
from emulators.vk.demo import seed_demo
from emulators.vk.server import VkEmulator
from moderation.daemon.ports import Forbidden, IncomingComment, RateLimited
from tests.test_vk_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    CITIZEN,
    COMMENTS,
    EDITOR,
    EDITOR_TOKEN,
    GROUP,
    GROUP_TOKEN,
    POST_TEXT,
    SERVICE_TOKEN,
    STRANGER_TOKEN,
    TROLL,
    bot_longpoll,
    client,
    loopback_session,
    populate,
    running_emulator,
)


@pytest.fixture
def emu():
    with running_emulator() as emulator:
        yield emulator


def test_transport_rewrites_only_vk_api_addresses(emu: VkEmulator) -> None:
    session = emulator_session(emu.base_url)
    answer = session.post("https://api.vk.ru/method/groups.getById", data={"v": "5.199"}).json()
    assert answer["error"]["error_code"] == 5
    assert answer["error"]["request_params"][0] == {"key": "method", "value": "groups.getById"}


def test_get_by_id_has_the_5_199_shape_and_fields(emu: VkEmulator) -> None:
    populate(emu)
    answer = client(emu, GROUP_TOKEN).method(
        "groups.getById",
        {"group_ids": "rubtsovsk_adm", "fields": "description,contacts,addresses,has_photo,cover"},
    )
    assert answer["profiles"] == []
    (group,) = answer["groups"]
    assert group["id"] == GROUP and group["name"] == "Администрация города Рубцовска"
    assert {"phone": "+7 (38557) 9-64-01"} in group["contacts"]
    assert group["addresses"]["main_address"]["address"].startswith("658200")
    assert group["has_photo"] == 1 and group["cover"]["enabled"] == 1
    assert "site" not in group  # only the fields asked for


def test_wall_get_and_get_comments_shapes(emu: VkEmulator) -> None:
    post_id = populate(emu)
    first = emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    emu.add_comment(GROUP, post_id, ADMIN, "Ремонт запланирован на весну.", reply_to=first)
    emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2])
    vk = client(emu, ADMIN_TOKEN)

    wall = vk.method("wall.get", {"owner_id": -GROUP, "count": 10})
    assert wall["count"] == 1 and wall["items"][0]["text"] == POST_TEXT
    assert wall["items"][0]["attachments"][0]["type"] == "photo"

    top = vk.method("wall.getComments", {"owner_id": -GROUP, "post_id": post_id, "thread_items_count": 10})
    assert [c["text"] for c in top["items"]] == [COMMENTS[0], COMMENTS[2]]
    thread = top["items"][0]["thread"]
    assert thread["count"] == 1 and thread["items"][0]["reply_to_comment"] == first
    newest = vk.method(
        "wall.getComments", {"owner_id": -GROUP, "post_id": post_id, "sort": "desc", "count": 1}
    )
    assert [c["text"] for c in newest["items"]] == [COMMENTS[2]]
    assert newest["count"] == 3 and newest["current_level_count"] == 2
    replies = vk.method("wall.getComments", {"owner_id": -GROUP, "post_id": post_id, "comment_id": first})
    assert replies["items"][0]["from_id"] == ADMIN


def test_wall_get_by_domain_and_count_cap(emu: VkEmulator) -> None:
    populate(emu)
    for n in range(3):
        emu.add_post(GROUP, f"Новость номер {n}", kind="video")
    wall = client(emu, SERVICE_TOKEN).method(
        "wall.get", {"domain": "rubtsovsk_adm", "count": 500, "offset": 1}
    )
    assert wall["count"] == 4 and len(wall["items"]) == 3


@pytest.mark.parametrize(
    ("token", "method", "params", "code"),
    [
        ("unknown-token", "groups.getById", {"group_ids": GROUP}, 5),
        (GROUP_TOKEN, "wall.deleteComment", {"owner_id": -GROUP, "comment_id": 1}, 27),
        (GROUP_TOKEN, "groups.ban", {"group_id": GROUP, "owner_id": TROLL}, 27),
        (GROUP_TOKEN, "wall.getComments", {"owner_id": -GROUP, "post_id": 1}, 27),
        (SERVICE_TOKEN, "wall.deleteComment", {"owner_id": -GROUP, "comment_id": 1}, 28),
        (STRANGER_TOKEN, "wall.deleteComment", {"owner_id": -GROUP, "comment_id": 1}, 15),
        (STRANGER_TOKEN, "groups.ban", {"group_id": GROUP, "owner_id": TROLL}, 15),
        (STRANGER_TOKEN, "groups.getMembers", {"group_id": GROUP, "filter": "managers"}, 15),
        (EDITOR_TOKEN, "groups.getLongPollServer", {"group_id": GROUP}, 15),
        (ADMIN_TOKEN, "wall.post", {"owner_id": -GROUP}, 3),
    ],
    ids=[
        "unknown",
        "group-delete",
        "group-ban",
        "group-read-wall",
        "service-delete",
        "stranger-delete",
        "stranger-ban",
        "stranger-managers",
        "editor-longpoll",
        "unknown-method",
    ],
)
def test_refuses_where_vk_refuses(
    emu: VkEmulator, token: str, method: str, params: dict[str, object], code: int
) -> None:
    populate(emu)
    with pytest.raises(ApiError) as caught:
        client(emu, token).method(method, params)
    assert caught.value.code == code
    assert all(p["key"] != "access_token" for p in caught.value.error["request_params"])


def test_managers_list(emu: VkEmulator) -> None:
    populate(emu)
    answer = client(emu, GROUP_TOKEN).method("groups.getMembers", {"group_id": GROUP, "filter": "managers"})
    assert answer == {
        "count": 2,
        "items": [{"id": ADMIN, "role": "administrator"}, {"id": EDITOR, "role": "editor"}],
    }


def test_rate_limit_error_6_survives_vk_api_retry_and_maps_to_rate_limited() -> None:
    with running_emulator(user=2) as emu:
        populate(emu)
        vk = client(emu, ADMIN_TOKEN)  # client-side pacing off, as with several processes on one token
        started = time.monotonic()
        call(vk, "groups.getById", {"group_ids": GROUP})
        call(vk, "groups.getById", {"group_ids": GROUP})
        with pytest.raises(RateLimited) as caught:
            call(vk, "groups.getById", {"group_ids": GROUP})
        assert caught.value.retry_after > 0
        assert emu.call_counts()["groups.getById"] == 4  # vk_api slept 0.5 s and retried error 6 once
        assert time.monotonic() - started < 1.5


def test_vk_api_own_pacing_stays_under_the_user_limit() -> None:
    with running_emulator(user=3) as emu:
        populate(emu)
        vk = make_vk(ADMIN_TOKEN, emu.base_url)  # vk_api's default 0.34 s between calls
        for _ in range(4):
            vk.method("groups.getById", {"group_ids": GROUP})
        assert emu.call_counts()["groups.getById"] == 4


def test_fail_next_error_code_and_http_status(emu: VkEmulator) -> None:
    populate(emu)
    vk = client(emu, ADMIN_TOKEN)
    emu.fail_next("wall.get", 10)
    emu.fail_next("groups.getById", http_status=502)
    with pytest.raises(ApiError) as caught:
        vk.method("wall.get", {"owner_id": -GROUP})
    assert caught.value.code == 10
    with pytest.raises(ApiHttpError):
        vk.method("groups.getById", {"group_ids": GROUP})
    assert vk.method("wall.get", {"owner_id": -GROUP})["count"] == 1
    with pytest.raises(Forbidden):
        call(client(emu, GROUP_TOKEN), "groups.ban", {"group_id": GROUP, "owner_id": TROLL})


def test_bots_long_poll_with_vk_api_own_client(emu: VkEmulator) -> None:
    post_id = populate(emu)
    longpoll = bot_longpoll(emu, 1)
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[1])
    emu.edit_comment(GROUP, emu.add_comment(GROUP, post_id, TROLL, COMMENTS[2]), "Отредактировал")
    events = longpoll.check()
    assert [e.type for e in events] == [VkBotEventType.WALL_REPLY_NEW] * 2 + [VkBotEventType.WALL_REPLY_EDIT]
    assert events[0].object.text == COMMENTS[1] and events[0].object.owner_id == -GROUP
    assert events[0].group_id == GROUP and len(events[0].raw["event_id"]) == 40
    started = time.monotonic()
    assert longpoll.check() == []  # nothing new: waits `wait` seconds, as VK does
    assert 0.8 < time.monotonic() - started < 1.8


@pytest.mark.parametrize("code", [1, 2, 3])
def test_long_poll_failures_are_recoverable_by_vk_api(emu: VkEmulator, code: int) -> None:
    post_id = populate(emu)
    longpoll = bot_longpoll(emu, 1)
    old_key = longpoll.key
    emu.inject_longpoll_failure(code, GROUP)
    assert longpoll.check() == []
    assert (longpoll.key != old_key) == (code in (2, 3))
    emu.add_comment(GROUP, post_id, CITIZEN, COMMENTS[0])
    assert [e.obj.text for e in longpoll.check()] == [COMMENTS[0]]


def test_stale_key_and_future_ts(emu: VkEmulator) -> None:
    populate(emu)
    base, lp = f"{emu.base_url}/lp/{GROUP}", loopback_session()
    key = client(emu, GROUP_TOKEN).method("groups.getLongPollServer", {"group_id": GROUP})["key"]
    stale = lp.get(base, params={"act": "a_check", "key": "old", "ts": "0", "wait": "0"}, timeout=5).json()
    future = lp.get(base, params={"act": "a_check", "key": key, "ts": "99", "wait": "0"}, timeout=5).json()
    assert stale == {"failed": 2}
    assert future["failed"] == 1 and future["ts"] == "1"


def test_stop_releases_waiting_long_poll() -> None:
    with running_emulator() as emu:
        populate(emu)
        longpoll = bot_longpoll(emu, 30)
        started = time.monotonic()
        emu.close()
        assert longpoll.check() == []
        assert time.monotonic() - started < 1


def test_real_use_mounts_no_adapter() -> None:
    vk = make_vk("vk1.a.production-token")
    assert vk.api_version == "5.199"
    assert not any(isinstance(a, EmulatorAdapter) for a in vk.http.adapters.values())


async def test_demo_page_end_to_end(emu: VkEmulator) -> None:
    page = seed_demo(emu)
    inbox: list[IncomingComment] = []

    async def handler(comment: IncomingComment) -> None:
        inbox.append(comment)

    worker = VkWorker(
        page.group_id,
        client(emu, page.community_token),
        handler,
        MemoryPositions(),
        reader=client(emu, page.manager_token),
        wait=1,
    )
    assert await worker.catch_up() == 6
    assert sorted(c.text for c in inbox) == sorted(text for _, text in DEMO_COMMENTS)
    obscene = next(c for c in inbox if "о***ли" in c.text)
    await VkActions(client(emu, page.manager_token)).delete_comment(obscene)
    assert emu.deleted_comments(page.group_id) == [int(obscene.comment_id)]
    calls = sum(emu.call_counts().values())
    assert calls <= 6  # wall.get + one wall.getComments per post + one delete
