"""The `dozor` command: one entry point, subcommands registered by each area."""

from __future__ import annotations

import typer

from dozor.commands import REGISTRARS

app = typer.Typer(
    name="dozor",
    help="Дозор: модерация комментариев и проверка официальных страниц ВКонтакте и Telegram по Порядку.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

for register in REGISTRARS:
    register(app)


def main() -> None:
    app()
