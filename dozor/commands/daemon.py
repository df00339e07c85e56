"""`dozor run` (the daemon) and `dozor status` (what it is doing)."""

from __future__ import annotations

import asyncio
from typing import Annotated, NoReturn

import typer

from dozor.commands.common import ConfigOption, settings_or_exit


def run(
    demo: Annotated[
        bool,
        typer.Option(help="на встроенных эмуляторах VK и Telegram, со своей базой (var/demo.sqlite3)"),
    ] = False,
    seconds: Annotated[
        float | None, typer.Option("--for", help="остановиться самому через столько секунд")
    ] = None,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING или ERROR")] = "WARNING",
    config: ConfigOption = None,
) -> None:
    """Запустить обработчики и расписание; SIGTERM или Ctrl-C останавливает, не теряя начатой работы.

    Без страниц в config.toml и без токенов запускается демонстрация; страница без токена — ошибка.
    """
    from dozor import logs
    from dozor.platforms import StartupError
    from dozor.runner import serve
    from dozor.startup import run_mode_is_demo

    settings = settings_or_exit(config)
    try:
        logs.configure(log_level)
    except logs.LogLevelError as exc:
        _stop(str(exc))
    from bots.telegram.actions import install_token_redaction

    install_token_redaction()
    try:
        use_demo = run_mode_is_demo(settings, demo)
        asyncio.run(serve(settings, use_demo, seconds))
    except StartupError as exc:
        _stop(str(exc))


def _stop(message: str) -> NoReturn:
    """One line for the administrator, exit code 2, no traceback."""
    typer.secho(f"Дозор не запущен: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def status(config: ConfigOption = None) -> None:
    """Состояние службы: обработчики, очередь модераторов, ожидающие и отложенные действия."""
    from dozor.runner import print_status

    settings = settings_or_exit(config)
    asyncio.run(print_status(settings))


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(status)
