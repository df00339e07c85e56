"""The [vk] and [telegram] sections of config.toml. Tokens never live here: they come from the environment."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

VK_COMMUNITY_TOKEN_ENV = "DOZOR_VK_COMMUNITY_TOKEN"  # or DOZOR_VK_COMMUNITY_TOKEN_<group_id> per page
VK_USER_TOKEN_ENV = "DOZOR_VK_USER_TOKEN"  # a page manager's user token: reading, deleting, banning
VK_API_URL_ENV = "DOZOR_VK_API_URL"  # an emulator of the VK API instead of api.vk.ru (tests, the chaos run)
TELEGRAM_TOKEN_ENV = "DOZOR_TELEGRAM_TOKEN"


class VkPage(BaseModel):
    """One official VK community to watch."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group_id: int = Field(gt=0, description="the community id, positive")
    title: str = ""


class VkConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pages: tuple[VkPage, ...] = ()
    long_poll_wait: int = Field(default=25, ge=1, le=90)
    # After an absence VK no longer has the events of (or a lost long poll), catch-up reads the posts
    # published up to this many days before the absence began, and never fewer than the newest catchup_posts.
    catchup_horizon_days: float = Field(default=7.0, gt=0, le=365)
    catchup_posts: int = Field(default=20, ge=1, le=100)
    backfill_first_run: bool = False

    def community_token(self, group_id: int) -> str | None:
        return os.environ.get(f"{VK_COMMUNITY_TOKEN_ENV}_{group_id}") or os.environ.get(
            VK_COMMUNITY_TOKEN_ENV
        )

    @staticmethod
    def user_token() -> str | None:
        return os.environ.get(VK_USER_TOKEN_ENV)

    @staticmethod
    def api_url() -> str | None:
        return os.environ.get(VK_API_URL_ENV) or None


class TelegramConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    channels: tuple[int, ...] = Field(default=(), description="official channel chat ids (-100...)")
    moderators_chat_id: int | None = None
    moderators: tuple[str, ...] = Field(default=(), description="Telegram user ids allowed to decide")
    api_base: str | None = Field(default=None, description="a local Bot API server; none = api.telegram.org")

    @staticmethod
    def token() -> str | None:
        return os.environ.get(TELEGRAM_TOKEN_ENV)


def any_token_configured() -> bool:
    """With no token at all the daemon runs against its built-in emulators."""
    names = (VK_COMMUNITY_TOKEN_ENV, VK_USER_TOKEN_ENV, TELEGRAM_TOKEN_ENV)
    return any(os.environ.get(name) for name in names) or any(
        key.startswith(VK_COMMUNITY_TOKEN_ENV + "_") and value for key, value in os.environ.items()
    )
