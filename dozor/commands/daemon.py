"""`dozor run` (the daemon) and `dozor status` (what it is doing)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from dozor.commands.common import ConfigOption, settings_or_exit


def run(
    demo: Annotated[
        bool,
        typer.Option(
            help="на встроенных эмуляторах VK и Telegram (так и будет, если не задан ни один токен)"
        ),
    ] = False,
    seconds: Annotated[
        float | None, typer.Option("--for", help="остановиться самому через столько секунд")
    ] = None,
    log_level: Annotated[str, typer.Option(help="Подробность журнала: DEBUG, INFO, WARNING.")] = "WARNING",
    config: ConfigOption = None,
) -> None:
    """Запустить службу: чтение комментариев, действия, очередь модераторов, проверки по расписанию.

    SIGTERM или Ctrl-C останавливают её, не теряя начатой работы.
    """
    from bots.config import any_token_configured
    from dozor import logs
    from dozor.platforms import StartupError
    from dozor.runner import serve

    settings = settings_or_exit(config)
    logs.configure(log_level.upper())
    from bots.telegram.actions import install_token_redaction

    install_token_redaction()
    use_demo = demo or not any_token_configured()
    try:
        asyncio.run(serve(settings, use_demo, seconds))
    except StartupError as exc:
        typer.secho(f"cannot start: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


def status(config: ConfigOption = None) -> None:
    """Состояние службы: обработчики, очередь модераторов, ожидающие и отложенные действия."""
    from dozor.runner import print_status

    settings = settings_or_exit(config)
    asyncio.run(print_status(settings))


def export_decisions(
    out: Annotated[Path, typer.Option("--out", "-o", help="Куда записать (JSON Lines).")] = Path(
        "var/moderator-decisions.jsonl"
    ),
    config: ConfigOption = None,
) -> None:
    """Решения модераторов как размеченные примеры для `dozor train --extra ФАЙЛ`."""
    import json

    from dozor.runner import open_store

    settings = settings_or_exit(config)
    rows = asyncio.run(open_store(settings).labelled_examples())
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for n, row in enumerate(rows, start=1):
            fh.write(json.dumps({"id": f"decision-{n}", "post_text": None, **row}, ensure_ascii=False) + "\n")
    typer.echo(f"{len(rows)} decisions written to {out}")


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(status)
    app.command("export-decisions")(export_decisions)
