"""A ready-made emulated Telegram for the demo and the tests: the administration's channel and its people.

The demo has to work out of the box with no Telegram account; this seeds the world the daemon is configured
against (one official channel with a discussion group, a moderators' group, citizens and moderators).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulators.telegram.model import EmuChat, EmuUser
from emulators.telegram.script import TelegramWorld

DEMO_TOKEN = "7000001:AAHdemo-dozor-rubtsovsk-not-a-secret"


@dataclass(frozen=True)
class CityPages:
    """Who and what the seeded world holds; ids are the emulator's, stable within one run."""

    bot_user: EmuUser
    channel: EmuChat
    group: EmuChat
    moderators_chat: EmuChat
    press_officer: EmuUser
    citizen: EmuUser
    moderator: EmuUser
    second_moderator: EmuUser
    outsider: EmuUser


def seed_city_pages(world: TelegramWorld, token: str = DEMO_TOKEN) -> CityPages:
    """Register the bot as admin of the official channel and its group, and add the people around it."""
    bot_user = world.add_bot(token)
    channel, group = world.create_channel(
        "Администрация города Рубцовска",
        username="rubtsovsk_adm",
        description=(
            "Официальный канал Администрации города Рубцовска Алтайского края. "
            "658200, Алтайский край, г. Рубцовск, пр. Ленина, 130. Тел. 8 (38557) 9-64-09"
        ),
    )
    if group is None:  # pragma: no cover - create_channel always links a group unless told not to
        raise RuntimeError("the official channel needs a discussion group")
    press_officer = world.add_user("Ольга", "Смирнова", "press_rubtsovsk")
    for chat in (channel, group):
        world.add_admin(chat, press_officer, is_owner=True)
        world.add_admin(chat, bot_user)
    citizen = world.add_user("Иван", "Петров", "ivan_petrov")
    world.add_member(group, citizen)
    moderator = world.add_user("Мария", "Иванова", "m_ivanova")
    second = world.add_user("Сергей", "Кузнецов")
    outsider = world.add_user("Аноним", None, "troll_2026")
    moderators_chat = world.create_group(
        "Модерация — пресс-служба", members=[bot_user, moderator, second, outsider]
    )
    return CityPages(
        bot_user, channel, group, moderators_chat, press_officer, citizen, moderator, second, outsider
    )
