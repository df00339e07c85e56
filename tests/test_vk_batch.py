"""Raids on VK: `execute` as the emulator answers it, and VkActions batching through the real vk_api."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from vk_api.exceptions import ApiError

from bots.vk.actions import VkActions, execute_code
from emulators.vk.server import VkEmulator
from moderation.daemon.acting import PlatformOp
from moderation.daemon.ports import (
    Forbidden,
    NotFound,
    RateLimited,
    Restriction,
    TransientError,
)
from moderation.daemon.records import ActionKind
from moderation.types import Ground, Platform
from tests.test_vk_actions import _incoming
from tests.test_vk_helpers import ADMIN_TOKEN, GROUP, GROUP_TOKEN, TROLL, client, populate, running_emulator

OBSCENE = "Да вы там все о***ли, б***ь"


@pytest.fixture
def emu() -> Iterator[VkEmulator]:
    with running_emulator() as emulator:
        yield emulator


def _delete(post_id: int, comment_id: int) -> PlatformOp:
    return PlatformOp(ActionKind.DELETE, comment=_incoming(post_id, comment_id))


def _ban(author: int, days: int | None = 7) -> PlatformOp:
    until = datetime.now(UTC) + timedelta(days=days) if days else None
    restriction = Restriction(Platform.VK, str(GROUP), str(author), until, Ground.OBSCENITY, "п. 2.5")
    return PlatformOp(ActionKind.RESTRICT, restriction=restriction)


def test_execute_answers_each_call_and_false_with_execute_errors(emu: VkEmulator) -> None:
    post = populate(emu)
    first, second = (emu.add_comment(GROUP, post, TROLL, f"{OBSCENE} {n}") for n in range(2))
    code = execute_code(
        [
            ("wall.deleteComment", {"owner_id": -GROUP, "comment_id": first}),
            ("wall.deleteComment", {"owner_id": -GROUP, "comment_id": 999_999}),
            ("groups.ban", {"group_id": GROUP, "owner_id": TROLL, "reason": 3, "comment": "п. 2.5"}),
            ("wall.deleteComment", {"owner_id": -GROUP, "comment_id": second}),
        ]
    )
    answer = client(emu, ADMIN_TOKEN).method("execute", {"code": code}, raw=True)
    assert answer["response"] == [1, False, 1, 1]
    assert answer["execute_errors"] == [
        {"method": "wall.deleteComment", "error_code": 104, "error_msg": "Not found"}
    ]
    assert emu.deleted_comments(GROUP) == [first, second] and TROLL in emu.bans(GROUP)
    assert emu.request_counts() == {"execute": 1}
    assert emu.call_counts()["wall.deleteComment"] == 3


def test_execute_keeps_vk_rules_for_every_call(emu: VkEmulator) -> None:
    post = populate(emu)
    comment = emu.add_comment(GROUP, post, TROLL, OBSCENE)
    code = execute_code([("wall.deleteComment", {"owner_id": -GROUP, "comment_id": comment})])
    answer = client(emu, GROUP_TOKEN).method("execute", {"code": code}, raw=True)
    assert answer["response"] == [False], "a community token cannot delete, inside execute as outside"
    assert answer["execute_errors"][0]["error_code"] == 27
    assert emu.deleted_comments(GROUP) == []


@pytest.mark.parametrize(
    ("code", "error"),
    [
        pytest.param("var a = 1; return a;", 12, id="not-understood"),
        pytest.param('return [API.wall.deleteComment({"owner_id": -1)];', 12, id="broken-object"),
        pytest.param("return [" + ",".join(["API.groups.getById({})"] * 26) + "];", 13, id="over-25-calls"),
    ],
)
def test_execute_refuses_what_vk_refuses(emu: VkEmulator, code: str, error: int) -> None:
    populate(emu)
    with pytest.raises(ApiError) as caught:
        client(emu, ADMIN_TOKEN).method("execute", {"code": code})
    assert caught.value.code == error


def test_execute_counts_once_against_the_rate_limit() -> None:
    with running_emulator(user=3) as emu:
        post = populate(emu)
        ids = [emu.add_comment(GROUP, post, TROLL, f"{OBSCENE} {n}") for n in range(75)]
        vk = client(emu, ADMIN_TOKEN)
        for start in range(0, 75, 25):
            calls = [
                ("wall.deleteComment", {"owner_id": -GROUP, "comment_id": c}) for c in ids[start : start + 25]
            ]
            vk.method("execute", {"code": execute_code(calls)})
        assert len(emu.deleted_comments(GROUP)) == 75
        assert emu.request_counts() == {"execute": 3}


async def test_batch_of_a_raid_goes_in_executes_with_one_outcome_each(emu: VkEmulator) -> None:
    post = populate(emu)
    ids = [emu.add_comment(GROUP, post, TROLL, f"{OBSCENE} {n}") for n in range(60)]
    await VkActions(client(emu, ADMIN_TOKEN)).delete_comment(_incoming(post, ids[10]))
    emu.fail_next("wall.deleteComment", 15)  # the first delete inside the first execute is refused
    live = emu.add_comment(GROUP, post, TROLL + 1, "Спасибо за ремонт")
    ops = [_delete(post, c) for c in ids] + [
        PlatformOp(ActionKind.RESTORE, comment=_incoming(post, live)),
        _ban(TROLL),
    ]
    emu.reset_call_counts()
    outcomes = await VkActions(client(emu, ADMIN_TOKEN)).perform_batch(ops, timeout=10)
    assert len(outcomes) == len(ops)
    assert isinstance(outcomes[0], Forbidden)
    assert isinstance(outcomes[10], NotFound), "deleted before: already gone"
    assert all(o is None for i, o in enumerate(outcomes) if i not in (0, 10)), outcomes
    assert emu.request_counts() == {"execute": 3}, "62 calls in executes of 25"
    deletions = emu.deletions(GROUP)
    assert ids[0] not in deletions and all(deletions[c] == 1 for c in ids[1:])
    assert TROLL in emu.bans(GROUP)


async def test_a_rate_limit_in_a_batch_leaves_the_rest_unattempted() -> None:
    with running_emulator(user=1) as emu:
        post = populate(emu)
        ids = [emu.add_comment(GROUP, post, TROLL, f"{OBSCENE} {n}") for n in range(60)]
        outcomes = await VkActions(client(emu, ADMIN_TOKEN)).perform_batch(
            [_delete(post, c) for c in ids], timeout=10
        )
        assert outcomes[:25] == [None] * 25
        assert all(isinstance(o, RateLimited) for o in outcomes[25:])
        assert emu.deleted_comments(GROUP) == ids[:25]


async def test_a_hanging_vk_is_a_transient_error_after_the_timeout(emu: VkEmulator) -> None:
    post = populate(emu)
    ids = [emu.add_comment(GROUP, post, TROLL, f"{OBSCENE} {n}") for n in range(3)]
    release = threading.Event()
    emu.hang_next("execute", release)
    try:
        outcomes = await VkActions(client(emu, ADMIN_TOKEN)).perform_batch(
            [_delete(post, c) for c in ids], timeout=0.5
        )
    finally:
        release.set()
    assert all(isinstance(o, TransientError) and "no answer" in str(o) for o in outcomes)
