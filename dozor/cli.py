"""The `dozor` command: one entry point, subcommands registered by each area."""

from __future__ import annotations

import sys

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


def administrator_message(error: BaseException) -> str | None:
    """The one line for a problem an administrator fixes (not a bug): today, a database out of reach."""
    from models.db import DatabaseUnavailable

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DatabaseUnavailable):
            return seen.explain()
        seen = seen.__cause__ or seen.__context__
    return None


def main() -> None:
    try:
        app()
    except Exception as error:
        message = administrator_message(error)
        if message is None:
            raise
        typer.secho(message, fg=typer.colors.RED, err=True)
        sys.exit(2)
