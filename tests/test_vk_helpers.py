"""Shared set-up for the VK tests: one emulated city page, its tokens, real vk_api clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import requests
import vk_api
from vk_api.bot_longpoll import VkBotLongPoll

from bots.vk.transport import make_vk
from emulators.vk.server import VkEmulator

GROUP = 170_001
ADMIN, EDITOR, STRANGER, CITIZEN, TROLL = 501, 502, 900, 7001, 7002
ADMIN_TOKEN = "vk1.a.admin-user-token"
EDITOR_TOKEN = "vk1.a.editor-user-token"
GROUP_TOKEN = "vk1.a.community-token"
SERVICE_TOKEN = "service-app-token"
STRANGER_TOKEN = "vk1.a.not-a-manager"
NOW = datetime.now(UTC).replace(microsecond=0)

POST_TEXT = "Уважаемые жители! С 1 декабря начинается ремонт теплотрассы на улице Калинина."
COMMENTS = (
    "Когда наконец починят дорогу на Тракторной?",
    "Спасибо администрации за оперативную работу!",
    "Позор, опять отключат отопление в мороз",
)


def populate(emu: VkEmulator) -> int:
    """The Rubtsovsk administration's page with one post and returns the post id."""
    emu.add_group(
        GROUP,
        "Администрация города Рубцовска",
        screen_name="rubtsovsk_adm",
        description="Официальная страница Администрации города Рубцовска Алтайского края.",
        phones=("+7 (38557) 9-64-01",),
        emails=("office@rubtsovsk.org",),
        addresses=("658200, Алтайский край, г. Рубцовск, пр-т Ленина, 130",),
        site="https://rubtsovsk.org",
        token=GROUP_TOKEN,
    )
    emu.add_manager(GROUP, ADMIN, "administrator", token=ADMIN_TOKEN)
    emu.add_manager(GROUP, EDITOR, "editor", token=EDITOR_TOKEN)
    emu.add_token(SERVICE_TOKEN, "service")
    emu.add_token(STRANGER_TOKEN, "user", user_id=STRANGER)
    return emu.add_post(GROUP, POST_TEXT, kind="photo", date=NOW - timedelta(hours=2))


@contextmanager
def running_emulator(user: int = 1000, group: int = 1000, service: int = 1000) -> Iterator[VkEmulator]:
    """An emulator with generous rate limits unless a test sets them, so only rate tests meet error 6."""
    with VkEmulator(rate_limits={"user": user, "group": group, "service": service}) as emu:
        yield emu


def client(emu: VkEmulator, token: str, rps_delay: float = 0.0) -> vk_api.VkApi:
    """The real vk_api client; client-side pacing off unless a test wants vk_api's own."""
    return make_vk(token, emu.base_url, rps_delay=rps_delay)


def bot_longpoll(emu: VkEmulator, wait: float) -> VkBotLongPoll:
    """vk_api's own Bots Long Poll client on the community token, deaf to proxies in the environment."""
    longpoll = VkBotLongPoll(client(emu, GROUP_TOKEN), GROUP, wait=wait)
    longpoll.session.trust_env = False
    return longpoll


def loopback_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session
