"""The subcommands of `dozor`: each module exposes `register(app)`; heavy imports happen inside commands.
May import every room below dozor/; the demonstration only through dozor.demo.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from dozor.commands import daemon, data, model, moderation, monitor, registry, train, web

REGISTRARS: list[Callable[[typer.Typer], None]] = [
    moderation.register,
    daemon.register,
    data.register,
    registry.register,
    monitor.register,
    train.register,
    model.register,
    web.register,
]
