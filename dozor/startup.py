"""What `dozor run` checks before it starts: which run it is, and whether a real run has its tokens.

A page configured in config.toml without its token stops start-up with one line naming the variables to
set; it never falls back to the demonstration unnoticed.
"""

from __future__ import annotations

from bots.config import (
    TELEGRAM_TOKEN_ENV,
    VK_COMMUNITY_TOKEN_ENV,
    VK_USER_TOKEN_ENV,
    TelegramConfig,
    VkConfig,
    any_token_configured,
)
from dozor.config import Settings
from dozor.platforms import StartupError


def run_mode_is_demo(settings: Settings, demo: bool) -> bool:
    """Whether `dozor run` is the demonstration: asked for, or nothing configured and no token at all.

    Raises StartupError (one line, in Russian) when pages are configured but their tokens are missing, or
    tokens are set but no page is configured, instead of quietly running the demonstration.
    """
    if demo:
        return True
    tg = settings.telegram
    configured = bool(settings.vk.pages or tg.channels or tg.moderators_chat_id is not None)
    if not configured:
        if any_token_configured():
            raise StartupError(
                "токены заданы, но в config.toml нет ни одной страницы: добавьте [[vk.pages]] или "
                "[telegram] channels (демонстрация: dozor run --demo)"
            )
        return True
    missing = missing_tokens(settings)
    if missing:
        raise StartupError(
            f"для страниц из config.toml не заданы токены: {'; '.join(missing)}. Задайте их в окружении "
            "(см. README, «Running it for real») или запустите демонстрацию: dozor run --demo"
        )
    return False


def missing_tokens(settings: Settings) -> list[str]:
    """The environment variables a real run of the configured pages needs and does not have."""
    missing: list[str] = []
    vk_ids = [page.group_id for page in settings.vk.pages]
    if vk_ids and not VkConfig.user_token():
        missing.append(f"{VK_USER_TOKEN_ENV} (страницы VK {_ids(vk_ids)})")
    lacking = [gid for gid in vk_ids if not settings.vk.community_token(gid)]
    if lacking:
        missing.append(
            f"{VK_COMMUNITY_TOKEN_ENV} или {VK_COMMUNITY_TOKEN_ENV}_<id> (страницы VK {_ids(lacking)})"
        )
    tg = settings.telegram
    chats = [*tg.channels, *([tg.moderators_chat_id] if tg.moderators_chat_id is not None else [])]
    if chats and not TelegramConfig.token():
        missing.append(f"{TELEGRAM_TOKEN_ENV} (Telegram {_ids(chats)})")
    return missing


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)
