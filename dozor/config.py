"""config.toml, validated once into frozen models; a bad value stops start-up naming the key."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal

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


class LearningConfig(BaseModel):
    """The model learning from the moderators' decisions ([learning]).

    `retrain`: "weekly" (on `day` at `time`, the monitor's time zone) or "off" (only `dozor train
    --from-decisions`). `holdout`: the most recent decisions kept out of training each round and used to judge
    the candidate; `min_decisions`: fewer decisions than this in training and no candidate is built.
    `tolerance`: how far macro recall or action accuracy may fall before a candidate counts as worse.
    `versions_dir`: where model versions are kept (default: a `models` folder beside the SQLite file, `var/`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    retrain: Literal["weekly", "off"] = "weekly"
    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "sun"
    time: dt.time = dt.time(4, 0)
    holdout: int = Field(default=200, ge=10, le=100_000)
    min_decisions: int = Field(default=50, ge=1, le=1_000_000)
    tolerance: float = Field(default=0.01, ge=0.0, le=0.2)
    versions_dir: str | None = None


class ClusterConfig(BaseModel):
    """Several daemons on one database: each page's intake is held by one daemon at a time, and when the
    holder dies without a word another takes its pages within `takeover_seconds`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    takeover_seconds: int = Field(default=30, ge=5, le=3600)


class Settings(BaseModel):
    """All sections of config.toml. Secrets never live here: tokens come from the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    moderation: ModerationConfig = ModerationConfig()
    storage: StorageConfig = StorageConfig()
    vk: VkConfig = VkConfig()
    telegram: TelegramConfig = TelegramConfig()
    monitor: MonitorConfig = MonitorConfig()
    web: WebConfig = WebConfig()
    learning: LearningConfig = LearningConfig()
    cluster: ClusterConfig = ClusterConfig()


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
    "time_parsing": "нужно время ЧЧ:ММ",
    "time_type": "нужно время ЧЧ:ММ",
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
