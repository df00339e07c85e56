"""The emulated platforms of a chaos run: three VK communities and two Telegram channels, in this process.

The emulators keep every effect a client had (`effects`), which is what the run's checks count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from emulators.telegram.model import EmuChat, EmuUser
from emulators.telegram.model import StoredMessage as TgMessage
from emulators.telegram.server import TelegramEmulator
from emulators.vk.server import VkEmulator

VK_GROUPS = (310_001, 310_002, 310_003)
VK_MANAGER, VK_USER_TOKEN = 700, "chaos-vk-manager-token"
TG_TOKEN = "7100001:AAHchaos-dozor-not-a-secret"
POSTS_PER_PAGE = 3
AUTHORS_PER_PAGE = 40


def community_token(group_id: int) -> str:
    return f"chaos-vk-community-{group_id}"


@dataclass
class TgChannel:
    channel: EmuChat
    group: EmuChat
    posts: list[TgMessage] = field(default_factory=list)
    authors: list[EmuUser] = field(default_factory=list)


@dataclass
class ChaosWorld:
    """Both emulators and what was seeded in them."""

    vk: VkEmulator
    tg: TelegramEmulator
    vk_posts: dict[int, list[int]]
    channels: list[TgChannel]
    moderators_chat: EmuChat
    moderator: EmuUser

    def environment(self) -> dict[str, str]:
        """The tokens and the VK address an administrator would export before `dozor run`."""
        env = {
            "DOZOR_VK_USER_TOKEN": VK_USER_TOKEN,
            "DOZOR_TELEGRAM_TOKEN": TG_TOKEN,
            "DOZOR_VK_API_URL": self.vk.base_url,
        }
        env.update({f"DOZOR_VK_COMMUNITY_TOKEN_{gid}": community_token(gid) for gid in VK_GROUPS})
        return env

    def config_toml(self, database_url: str) -> str:
        """config.toml for the daemon: the pages, the moderators' chat, the database, quick long polls."""
        pages = "".join(f'\n[[vk.pages]]\ngroup_id = {gid}\ntitle = "Страница {gid}"\n' for gid in VK_GROUPS)
        channels = ", ".join(str(c.channel.id) for c in self.channels)
        return (
            '[moderation]\nmode = "enforce"\n\n'
            "[moderation.retry]\nlease_seconds = 15.0\ncall_timeout_seconds = 5.0\n\n"
            f'[storage]\nurl = "{database_url}"\n\n'
            f"[vk]\nlong_poll_wait = 2\nbackfill_first_run = true\n{pages}\n"
            f"[telegram]\nchannels = [{channels}]\nmoderators_chat_id = {self.moderators_chat.id}\n"
            f'moderators = ["{self.moderator.id}"]\napi_base = "{self.tg.base_url}"\n'
        )

    async def close(self) -> None:
        import asyncio

        await self.tg.stop()
        await asyncio.to_thread(self.vk.stop)


def _seed_vk(vk: VkEmulator) -> dict[int, list[int]]:
    posts: dict[int, list[int]] = {}
    now = datetime.now(UTC)
    for n, gid in enumerate(VK_GROUPS):
        vk.add_group(gid, f"Учреждение {n + 1}", token=community_token(gid))
        vk.add_manager(gid, VK_MANAGER, "administrator", token=VK_USER_TOKEN if n == 0 else None)
        posts[gid] = [
            vk.add_post(
                gid, f"Новости учреждения, выпуск {k + 1}", date=now - timedelta(hours=POSTS_PER_PAGE - k)
            )
            for k in range(POSTS_PER_PAGE)
        ]
        for a in range(AUTHORS_PER_PAGE):
            vk.add_user(author_id(gid, a), "Житель", f"Номер{a}")
    return posts


def author_id(group_id: int, n: int) -> int:
    """VK authors: distinct per page, so each page's record of them is its own."""
    return 50_000 + (group_id % 10) * 1_000 + n


def _seed_telegram(tg: TelegramEmulator) -> tuple[list[TgChannel], EmuChat, EmuUser]:
    bot = tg.add_bot(TG_TOKEN)
    owner = tg.add_user("Ольга", "Смирнова", "chaos_press")
    channels = []
    for n in range(2):
        channel, group = tg.create_channel(f"Канал {n + 1}", username=f"chaos_channel_{n + 1}")
        assert group is not None
        for chat in (channel, group):
            tg.add_admin(chat, owner, is_owner=True)
            tg.add_admin(chat, bot)
        seeded = TgChannel(channel, group)
        for a in range(AUTHORS_PER_PAGE):
            user = tg.add_user("Житель", f"Канал{n + 1}-{a}")
            tg.add_member(group, user)
            seeded.authors.append(user)
        seeded.posts = [
            tg.post_to_channel(channel, f"Новость канала {n + 1}, выпуск {k + 1}") for k in range(2)
        ]
        channels.append(seeded)
    moderator = tg.add_user("Мария", "Иванова", "chaos_moderator")
    chat = tg.create_group("Модерация", members=[bot, moderator])
    return channels, chat, moderator


async def start_world() -> ChaosWorld:
    import asyncio

    vk = VkEmulator()
    await asyncio.to_thread(vk.start)
    vk_posts = await asyncio.to_thread(_seed_vk, vk)
    tg = TelegramEmulator(per_chat_per_minute=1000, overall_per_second=1000)
    await tg.start()
    channels, chat, moderator = _seed_telegram(tg)
    return ChaosWorld(vk, tg, vk_posts, channels, chat, moderator)
