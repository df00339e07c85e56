"""Subcommands. Each module exposes `register(app)`; heavy imports happen inside the commands."""

from __future__ import annotations

from collections.abc import Callable

import typer

REGISTRARS: list[Callable[[typer.Typer], None]] = []
