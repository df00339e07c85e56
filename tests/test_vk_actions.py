"""VkActions through the real vk_api client: effects visible in the emulator, every VK error mapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from vk_api.exceptions import ApiError, ApiHttpError, AuthError, Captcha

from bots.vk.actions import VkActions, ban_end_date, ban_reason
from bots.vk.transport import map_error, redact
from emulators.vk.server import VkEmulator
from moderation.daemon.ports import (
    Forbidden,
    IncomingComment,
    NotFound,
    PlatformActions,
    PlatformError,
    RateLimited,
    Restriction,
    TransientError,
)
from moderation.types import Ground, Platform
from tests.test_vk_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    GROUP,
    GROUP_TOKEN,
    STRANGER_TOKEN,
    TROLL,
    client,
    populate,
    running_emulator,
)

OBSCENE = "Да вы там все о***ли, б***ь, третий год дорогу делаете"


@pytest.fixture
def emu():
    with running_emulator() as emulator:
        yield emulator


def _incoming(post_id: int, comment_id: int) -> IncomingComment:
    return IncomingComment(
        platform=Platform.VK,
        page_id=str(GROUP),
        post_id=str(post_id),
        comment_id=str(comment_id),
        author_id=str(TROLL),
        text=OBSCENE,
        created_at=datetime.now(UTC),
    )


def _restriction(until: datetime | None, ground: Ground = Ground.OBSCENITY) -> Restriction:
    return Restriction(
        platform=Platform.VK,
        page_id=str(GROUP),
        author_id=str(TROLL),
        until=until,
        ground=ground,
        comment="Нецензурная брань в комментариях (п. 2.5)",
    )


def test_vk_actions_is_a_platform_actions(emu: VkEmulator) -> None:
    actions: PlatformActions = VkActions(client(emu, ADMIN_TOKEN))  # mypy checks the protocol here
    assert actions.platform is Platform.VK


async def test_delete_then_restore_is_visible_in_emulator(emu: VkEmulator) -> None:
    post_id = populate(emu)
    comment_id = emu.add_comment(GROUP, post_id, TROLL, OBSCENE)
    actions = VkActions(client(emu, ADMIN_TOKEN))

    await actions.delete_comment(_incoming(post_id, comment_id))
    assert emu.deleted_comments(GROUP) == [comment_id]
    assert emu.comment(GROUP, comment_id).deleter_id == ADMIN
    assert emu.events(GROUP)[-1]["type"] == "wall_reply_delete"

    await actions.restore_comment(_incoming(post_id, comment_id))
    assert emu.deleted_comments(GROUP) == []
    await actions.restore_comment(_incoming(post_id, comment_id))  # not deleted: VK's 243 means done already


async def test_deleting_twice_or_a_missing_comment_is_not_found(emu: VkEmulator) -> None:
    post_id = populate(emu)
    comment_id = emu.add_comment(GROUP, post_id, TROLL, OBSCENE)
    actions = VkActions(client(emu, ADMIN_TOKEN))
    await actions.delete_comment(_incoming(post_id, comment_id))
    with pytest.raises(NotFound):
        await actions.delete_comment(_incoming(post_id, comment_id))
    with pytest.raises(NotFound):
        await actions.delete_comment(_incoming(post_id, 999_999))


async def test_ban_for_a_week_then_unban(emu: VkEmulator) -> None:
    populate(emu)
    actions = VkActions(client(emu, ADMIN_TOKEN))
    until = datetime.now(UTC) + timedelta(days=7)
    await actions.restrict(_restriction(until))
    ban = emu.bans(GROUP)[TROLL]
    assert ban.end_date == int(until.timestamp())
    assert ban.reason == 3 and ban.comment.startswith("Нецензурная брань") and ban.comment_visible
    assert ban.admin_id == ADMIN

    await actions.lift_restriction(str(GROUP), str(TROLL))
    assert emu.bans(GROUP) == {}
    await actions.lift_restriction(str(GROUP), str(TROLL))  # unbanning twice is harmless


async def test_permanent_and_over_a_year_bans(emu: VkEmulator) -> None:
    populate(emu)
    actions = VkActions(client(emu, ADMIN_TOKEN))
    await actions.restrict(_restriction(None, Ground.SPAM))
    assert emu.bans(GROUP)[TROLL].end_date is None and emu.bans(GROUP)[TROLL].reason == 1
    await actions.restrict(_restriction(datetime.now(UTC) + timedelta(days=1000), Ground.PROVOCATION))
    end_date = emu.bans(GROUP)[TROLL].end_date
    assert end_date is not None
    assert end_date - datetime.now(UTC).timestamp() == pytest.approx(365 * 86400, abs=5)


async def test_community_token_cannot_act(emu: VkEmulator) -> None:
    post_id = populate(emu)
    comment_id = emu.add_comment(GROUP, post_id, TROLL, OBSCENE)
    with pytest.raises(Forbidden):
        await VkActions(client(emu, GROUP_TOKEN)).delete_comment(_incoming(post_id, comment_id))
    with pytest.raises(Forbidden):
        await VkActions(client(emu, STRANGER_TOKEN)).restrict(_restriction(None))
    assert emu.deleted_comments(GROUP) == [] and emu.bans(GROUP) == {}


async def test_rate_limit_reaches_the_caller_as_rate_limited() -> None:
    with running_emulator(user=1) as emu:
        post_id = populate(emu)
        ids = [emu.add_comment(GROUP, post_id, TROLL, f"{OBSCENE} {n}") for n in range(2)]
        actions = VkActions(client(emu, ADMIN_TOKEN))
        await actions.delete_comment(_incoming(post_id, ids[0]))
        with pytest.raises(RateLimited) as caught:
            await actions.delete_comment(_incoming(post_id, ids[1]))
        assert caught.value.retry_after >= 1
        assert emu.call_counts()["wall.deleteComment"] == 3


async def test_server_error_and_flood_control_are_mapped(emu: VkEmulator) -> None:
    post_id = populate(emu)
    comment_id = emu.add_comment(GROUP, post_id, TROLL, OBSCENE)
    actions = VkActions(client(emu, ADMIN_TOKEN))
    emu.fail_next("wall.deleteComment", http_status=503)
    with pytest.raises(TransientError):
        await actions.delete_comment(_incoming(post_id, comment_id))
    emu.fail_next("wall.deleteComment", 9)
    with pytest.raises(RateLimited):
        await actions.delete_comment(_incoming(post_id, comment_id))
    await actions.delete_comment(_incoming(post_id, comment_id))
    assert emu.deleted_comments(GROUP) == [comment_id]


@pytest.mark.parametrize(
    ("ground", "reason"),
    [
        (Ground.SPAM, 1),
        (Ground.ADVERTISING, 1),
        (Ground.DEFAMATION, 2),
        (Ground.PROVOCATION, 2),
        (Ground.OBSCENITY, 3),
        (Ground.OFF_TOPIC, 4),
        (Ground.PERSONAL_DATA, 0),
        (Ground.LAW_VIOLATION, 0),
    ],
    ids=lambda v: str(v),
)
def test_ban_reason(ground: Ground, reason: int) -> None:
    assert ban_reason(ground) == reason


def test_ban_end_date() -> None:
    now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert ban_end_date(None, now) is None
    assert ban_end_date(now + timedelta(days=30), now) == int((now + timedelta(days=30)).timestamp())
    assert ban_end_date(now + timedelta(days=400), now) == int((now + timedelta(days=365)).timestamp())
    with pytest.raises(ValueError):
        ban_end_date(datetime(2027, 1, 1), now)


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status


def _api_error(code: int) -> ApiError:
    return ApiError(
        None,
        "wall.deleteComment",
        {"access_token": "secret-token"},
        False,
        {"error_code": code, "error_msg": f"Ошибка {code}"},
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_api_error(6), RateLimited),
        (_api_error(9), RateLimited),
        (_api_error(29), RateLimited),
        (_api_error(1), TransientError),
        (_api_error(10), TransientError),
        (_api_error(5), Forbidden),
        (_api_error(15), Forbidden),
        (_api_error(27), Forbidden),
        (_api_error(28), Forbidden),
        (_api_error(203), Forbidden),
        (_api_error(211), Forbidden),
        (_api_error(212), Forbidden),
        (_api_error(104), NotFound),
        (_api_error(18), NotFound),
        (_api_error(100), PlatformError),
        (ApiHttpError(None, "wall.get", {}, False, _Response(502)), TransientError),
        (ApiHttpError(None, "wall.get", {}, False, _Response(429)), RateLimited),
        (ApiHttpError(None, "wall.get", {}, False, _Response(404)), PlatformError),
        (Captcha(None, "sid", None), RateLimited),
        (AuthError("no 2FA handler"), Forbidden),
        (requests.ConnectionError("connection refused"), TransientError),
        (requests.Timeout("read timed out"), TransientError),
        (ValueError("Expecting value: line 1 column 1"), TransientError),
        (RuntimeError("unexpected"), PlatformError),
    ],
    ids=lambda v: type(v).__name__ + str(getattr(v, "code", "")) if not isinstance(v, type) else v.__name__,
)
def test_every_upstream_error_is_mapped(error: Exception, expected: type[PlatformError]) -> None:
    mapped = map_error(error, "wall.deleteComment")
    assert type(mapped) is expected
    assert "secret-token" not in str(mapped)


def test_redact_hides_tokens_and_keys() -> None:
    line = "GET /lp/1?act=a_check&key=abc123&ts=5 access_token=vk1.a.secret"
    assert "abc123" not in redact(line) and "vk1.a.secret" not in redact(line)
