"""What every command shares: the --config option and reading the settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dozor.config import Settings

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Файл настроек (по умолчанию config.toml в текущем каталоге)."),
]


def settings_or_exit(config: Path | None) -> Settings:
    """The validated settings, or a message naming the bad key and exit code 2."""
    from dozor.config import ConfigError, load_settings

    try:
        return load_settings(config)
    except ConfigError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
