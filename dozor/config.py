"""config.toml, validated once into frozen models; a bad value stops start-up naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bots.config import TelegramConfig, VkConfig
from moderation.config import ModerationConfig
from monitor.config import MonitorConfig
from web.settings import WebConfig

DEFAULT_CONFIG = Path("config.toml")


class ConfigError(Exception):
    """config.toml cannot be used; the message names the key and what is allowed."""


class StorageConfig(BaseModel):
    """Where the database is. The DOZOR_DATABASE_URL environment variable wins (a DSN may hold a password).

    `retention_days`: after this many days a comment's text and its author's name are purged (`dozor purge`,
    and daily by the daemon); the decision record stays.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str | None = None
    retention_days: int = Field(default=90, ge=1, le=36_500)
    # `dozor run` waits this long for a database that refuses connections at start before it gives up
    startup_wait_seconds: float = Field(default=30.0, ge=0, le=3600)


class Settings(BaseModel):
    """All sections of config.toml. Secrets never live here: tokens come from the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    moderation: ModerationConfig = ModerationConfig()
    storage: StorageConfig = StorageConfig()
    vk: VkConfig = VkConfig()
    telegram: TelegramConfig = TelegramConfig()
    monitor: MonitorConfig = MonitorConfig()
    web: WebConfig = WebConfig()


_MESSAGES: dict[str, str] = {
    "extra_forbidden": "неизвестный ключ",
    "missing": "не указано",
    "int_parsing": "нужно целое число",
    "int_type": "нужно целое число",
    "float_parsing": "нужно число",
    "float_type": "нужно число",
    "bool_parsing": "нужно true или false",
    "bool_type": "нужно true или false",
    "string_type": "нужна строка",
    "list_type": "нужен список",
    "greater_than": "должно быть больше {gt}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "less_than_equal": "должно быть не больше {le}",
    "enum": "допустимо: {expected}",
    "literal_error": "допустимо: {expected}",
}


def _message(item: Any) -> str:
    """Pydantic's reason in Russian for the common kinds; a validator's own message as it is."""
    template = _MESSAGES.get(item["type"])
    if template is None:
        return str(item["msg"]).removeprefix("Value error, ")
    try:
        return template.format(**item.get("ctx", {})).replace(" or ", " или ")
    except (KeyError, IndexError):
        return str(item["msg"])


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        lines.append(f"  {key}: {_message(item)} (указано {item.get('input')!r})")
    return "\n".join(lines)


def parse_settings(text: str, source: str = "config.toml") -> Settings:
    """Parse config text. Raises ConfigError with the offending keys."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: это не TOML: {exc}") from exc
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: неверные настройки:\n{_describe(exc)}") from exc


def load_settings(path: Path | None = None) -> Settings:
    """Read config.toml (or defaults when the file is absent and no path was asked for)."""
    if path is None:
        path = DEFAULT_CONFIG
        if not path.exists():
            return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"не удалось прочитать {path}: {exc}") from exc
    return parse_settings(text, str(path))
