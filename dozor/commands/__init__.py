"""Subcommands. Each module exposes `register(app)`; heavy imports happen inside the commands."""

from __future__ import annotations

from collections.abc import Callable

import typer

from dozor.commands import daemon, moderation, monitor, registry, train

REGISTRARS: list[Callable[[typer.Typer], None]] = [
    moderation.register,
    daemon.register,
    registry.register,
    monitor.register,
    train.register,
]
