"""The checks reading a real page through the VK emulator with the real vk_api client (bots/vk/pages.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bots.vk.page_source import VkPageSource
from emulators.vk.server import VkEmulator
from models.values import CheckName, Status
from moderation.types import Platform
from monitor.checks.deps import CheckDeps
from monitor.checks.memory import (
    InMemoryCheckResultStore,
    InMemoryRegistry,
    RecordingAddressSink,
    StaticSiteFetcher,
)
from monitor.checks.runner import run_checks
from monitor.config import MonitorConfig
from monitor.ports import Organisation, PageRef
from tests.test_vk_helpers import ADMIN_TOKEN, GROUP, SERVICE_TOKEN, client, populate, running_emulator

ORG = Organisation(
    "1",
    "Администрация города Рубцовска Алтайского края",
    postal_address="658200, Алтайский край, г. Рубцовск, проспект Ленина, д. 130",
    email="office@rubtsovsk.org",
    phone="8 (38557) 96401",
    website="https://rubtsovsk.org",
)
MONDAY = datetime(2026, 11, 9, tzinfo=UTC)


@pytest.fixture
def emu() -> Iterator[VkEmulator]:
    with running_emulator() as emulator:
        yield emulator


async def test_checks_through_the_vk_emulator(emu: VkEmulator) -> None:
    populate(emu)
    for i, kind in enumerate(["photo", "video", "text", "poll"]):
        emu.add_post(GROUP, f"Новость {i} #Рубцовск", kind=kind, date=MONDAY + timedelta(days=i, hours=3))  # type: ignore[arg-type]
    emu.add_manager(GROUP, 503, "moderator")
    emu.add_manager(GROUP, 504, "editor")
    page = PageRef("7", Platform.VK, "rubtsovsk_adm", str(GROUP), ORG, "Администрация", date(2020, 1, 1))
    site = StaticSiteFetcher({"https://rubtsovsk.org": "<a href='https://vk.com/rubtsovsk_adm'>ВК</a>"})
    store, sink = InMemoryCheckResultStore(), RecordingAddressSink()
    deps = CheckDeps(
        MonitorConfig(timezone="UTC"),
        VkPageSource(client(emu, SERVICE_TOKEN)),
        InMemoryRegistry([page]),
        store,
        site,
        sink,
    )
    # a service token cannot list managers (VK wants a manager's token): that check is an ERROR, the rest run
    results = {r.check: r for r in await run_checks(deps, MONDAY + timedelta(days=7))}

    posting = results[CheckName.POSTING]
    assert posting.status is Status.FAIL and posting.data["count"] == 4
    assert posting.data["mix"] == {"photo": 1, "video": 1, "text": 1, "poll": 1, "hashtags": 4}
    # the name is in the description, phone/e-mail/address in the contacts block; avatar and cover set
    assert results[CheckName.DESCRIPTION].status is Status.OK, results[CheckName.DESCRIPTION].problems
    assert results[CheckName.SITE_LINK].status is Status.OK
    assert results[CheckName.ADDRESS].status is Status.OK and sink.changes == []
    assert results[CheckName.MANAGERS].status is Status.ERROR
    assert "Forbidden" in str(results[CheckName.MANAGERS].problems[0].found)


async def test_managers_through_the_vk_emulator(emu: VkEmulator) -> None:
    populate(emu)
    emu.add_manager(GROUP, 503, "moderator")
    emu.add_manager(GROUP, 504, "editor")
    emu.add_manager(GROUP, 505, "advertiser")
    page = PageRef("7", Platform.VK, "rubtsovsk_adm", str(GROUP), ORG)
    deps = CheckDeps(
        MonitorConfig(),
        VkPageSource(client(emu, ADMIN_TOKEN)),
        InMemoryRegistry([page]),
        InMemoryCheckResultStore(),
        StaticSiteFetcher(),
        RecordingAddressSink(),
    )
    [result] = await run_checks(deps, MONDAY, checks=[CheckName.MANAGERS])
    assert result.status is Status.FAIL and result.data["people"] == 4
