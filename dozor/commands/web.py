"""`dozor web` (the console on its own) and `dozor users ...` (its accounts): no account exists until IT adds
one, and there is no default password."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from dozor.commands.common import ConfigOption, settings_or_exit

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dozor.config import Settings

users_app = typer.Typer(
    help="Учётные записи веб-консоли: добавить, список, отключить, сменить пароль.", no_args_is_help=True
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
NameArg = Annotated[str, typer.Argument(help="Имя учётной записи (им входят в консоль).")]
StdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Прочитать пароль из первой строки stdin (для скриптов).")
]


def register(app: typer.Typer) -> None:
    app.command("web")(web)
    app.add_typer(users_app, name="users")


def _engine(settings: Settings) -> Engine:
    from models.db import database_url, make_engine
    from models.migrate import upgrade

    engine = make_engine(database_url(settings.storage.url))
    upgrade(engine=engine)
    return engine


def web(
    host: Annotated[
        str | None, typer.Option(help="Адрес (по умолчанию из [web] в config.toml, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Порт (по умолчанию из [web], 8080).")] = None,
    config: ConfigOption = None,
) -> None:
    """Веб-консоль: журнал решений, обжалование, показатели, реестр. Ctrl-C — остановка."""
    from web.app import build_app, serve

    settings = settings_or_exit(config)
    engine = _engine(settings)
    app = build_app(
        engine, settings.web, zone=settings.monitor.tz, posts_per_week=settings.monitor.posts_per_week
    )
    where_host, where_port = host or settings.web.host, port or settings.web.port

    async def main() -> None:
        from dozor.app import install_signal_handlers

        stop, started = asyncio.Event(), asyncio.Event()
        install_signal_handlers(stop)
        task = asyncio.create_task(serve(app, where_host, where_port, stop, started))
        await started.wait()
        out.print(f"Консоль: http://{where_host}:{where_port}/ (Ctrl-C — остановка)")
        await task

    try:
        asyncio.run(main())
    except OSError as exc:
        err.print(f"[red]Консоль не запущена:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Пароль", hide_input=True, confirmation_prompt="Пароль ещё раз"))


def _change(config: object, action: object) -> None:
    from sqlmodel import Session

    from web.accounts import AccountError

    settings = settings_or_exit(config)  # type: ignore[arg-type]
    engine = _engine(settings)
    try:
        with Session(engine) as session:
            action(session, datetime.now(UTC))  # type: ignore[operator]
            session.commit()
    except AccountError as exc:
        err.print(f"[red]Ошибка:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@users_app.command("add")
def users_add(
    name: NameArg,
    role: Annotated[
        str, typer.Option(help="moderator — пресс-служба; it — отдел ИТО; viewer — только просмотр.")
    ],
    password_stdin: StdinOpt = False,
    config: ConfigOption = None,
) -> None:
    """Добавить учётную запись; пароль (не короче 10 символов) спрашивается дважды, хранится хеш argon2."""
    from web.accounts import add_user

    password = _password(password_stdin)
    _change(config, lambda session, now: add_user(session, name, role, password, now))
    out.print(f"Учётная запись «{name}» ({role}) добавлена.")


@users_app.command("password")
def users_password(name: NameArg, password_stdin: StdinOpt = False, config: ConfigOption = None) -> None:
    """Сменить пароль; все открытые сеансы этой учётной записи закрываются."""
    from web.accounts import set_password

    password = _password(password_stdin)
    _change(config, lambda session, now: set_password(session, name, password, now))
    out.print(f"Пароль «{name}» изменён.")


@users_app.command("disable")
def users_disable(name: NameArg, config: ConfigOption = None) -> None:
    """Отключить учётную запись (войти с ней нельзя, сеансы закрываются)."""
    from web.accounts import set_active

    _change(config, lambda session, now: set_active(session, name, False, now))
    out.print(f"Учётная запись «{name}» отключена.")


@users_app.command("enable")
def users_enable(name: NameArg, config: ConfigOption = None) -> None:
    """Включить отключённую учётную запись снова."""
    from web.accounts import set_active

    _change(config, lambda session, now: set_active(session, name, True, now))
    out.print(f"Учётная запись «{name}» включена.")


@users_app.command("list")
def users_list(config: ConfigOption = None) -> None:
    """Учётные записи консоли: имя, роль, включена ли, последний вход."""
    from sqlmodel import Session

    from web.accounts import list_users

    settings = settings_or_exit(config)
    engine = _engine(settings)
    table = Table("Имя", "Роль", "Включена", "Последний вход", title="Учётные записи консоли")
    with Session(engine) as session:
        for u in list_users(session):
            last = u.last_login_at.strftime("%d.%m.%Y %H:%M") if u.last_login_at else "—"
            table.add_row(u.name, u.role, "да" if u.active else "нет", last)
    engine.dispose()
    out.print(table)
