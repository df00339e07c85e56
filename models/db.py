"""Database engine: a SQLite file by default, PostgreSQL by a DSN from the environment.

SQL parameters never appear in errors (they carry comment texts and authors' names into logs), and a
database that cannot be reached raises DatabaseUnavailable, which says in one line what to check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, make_url
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine

DEFAULT_SQLITE_PATH = Path("var") / "dozor.sqlite3"
DSN_ENV = "DOZOR_DATABASE_URL"
CONNECT_TIMEOUT_S = 10  # PostgreSQL: an unreachable host fails start-up in seconds, not minutes


def database_url(configured: str | None = None) -> str:
    """The DSN from the environment wins over config; the SQLite file under var/ is the fallback."""
    url = os.environ.get(DSN_ENV) or configured
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


class DatabaseUnavailable(OperationalError):
    """No connection to the database could be opened. Still an OperationalError for code that waits out an
    outage; `explain()` is the one line for an administrator."""

    def __init__(self, url: str, orig: BaseException) -> None:
        super().__init__(None, None, orig, hide_parameters=True)
        self.url = url

    def __reduce__(self) -> Any:
        return (self.__class__, (self.url, self.orig))

    def explain(self) -> str:
        """What is wrong and what to do, in Russian, with the password hidden."""
        where = make_url(self.url).render_as_string(hide_password=True)
        source = f"переменную {DSN_ENV}" if os.environ.get(DSN_ENV) else "[storage] url в config.toml"
        if self.url.startswith("sqlite"):
            todo = f"Проверьте путь к файлу, права на его каталог и {source}."
        else:
            todo = f"Проверьте, что сервер работает и принимает подключения, и {source}."
        return f"База данных {where} недоступна: {_reason(self.orig)}. {todo}"


_REASONS = (
    ("connection refused", "сервер не принимает подключения"),
    ("timeout expired", "сервер не ответил вовремя"),
    ("could not translate host name", "имя сервера не найдено"),
    ("name or service not known", "имя сервера не найдено"),
    ("password authentication failed", "пользователь или пароль не подошли"),
    ("no password supplied", "нужен пароль"),
    ("does not exist", "такой базы или пользователя на сервере нет"),
    ("unable to open database file", "файл базы не открывается (нет каталога или прав)"),
)


def _reason(orig: BaseException | None) -> str:
    message = str(orig or "").strip()
    lowered = message.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return reason
    first = message.splitlines()[0] if message else "причина неизвестна"
    return first.removeprefix("connection failed: ")


def make_engine(url: str) -> Engine:
    """An engine with the pragmas a daemon with several workers needs on SQLite."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    else:
        driver_url = url
        if url.startswith("postgresql://"):
            driver_url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in make_url(driver_url).query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        engine = create_engine(
            driver_url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args
        )
    event.listen(engine, "handle_error", _unavailable_on_connect(url))
    return engine


def _unavailable_on_connect(url: str) -> Any:
    def handle(context: ExceptionContext) -> BaseException | None:
        """A failure to open a connection (there is no connection yet) becomes DatabaseUnavailable."""
        if context.connection is None and not context.is_pre_ping:
            return DatabaseUnavailable(url, context.original_exception)
        return None

    return handle
