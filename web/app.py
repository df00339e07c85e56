"""The console's ASGI application and its server: Starlette routes, Jinja2 pages, uvicorn.

`build_app` takes an engine and settings, so tests, `dozor web` and `dozor run` build the same app; `serve`
runs it until a stop event is set, inside whatever event loop the caller has.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from monitor.digest.labels import GROUND_LABEL, PLATFORM_LABEL, age
from web import routes_auth, routes_log, routes_registry
from web.http import AuthMiddleware, ConsoleState, render
from web.search import DECIDED_BY_LABEL
from web.settings import WebConfig


async def _http_error(request: Request, exc: Exception) -> Response:
    """Errors as console pages in Russian (plain text for a refused anonymous request)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (301, 302, 303, 307):
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "Такой страницы нет."
    if exc.status_code == 405:
        detail = "Так к этой странице обращаться нельзя."
    return render(request, "error.html", {"message": detail, "code": exc.status_code}, status=exc.status_code)


def build_app(
    engine: Engine,
    config: WebConfig | None = None,
    *,
    zone: ZoneInfo | None = None,
    posts_per_week: int = 5,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    """The console over one database."""
    console = ConsoleState(engine, config or WebConfig(), zone or ZoneInfo("Asia/Barnaul"), posts_per_week)
    if clock is not None:
        console.clock = clock
    app = Starlette(
        routes=[*routes_auth.ROUTES, *routes_log.ROUTES, *routes_registry.ROUTES],
        middleware=[Middleware(AuthMiddleware)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.console = console
    _filters(console)
    return app


def _filters(console: ConsoleState) -> None:
    """Dates in the monitor's time zone, ages in words, ground and platform names in Russian."""
    env = console.templates.env

    def moment(value: datetime | None) -> str:
        if value is None:
            return ""
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(console.zone).strftime("%d.%m.%Y %H:%M")

    def day(value: date | None) -> str:
        return value.strftime("%d.%m.%Y") if value else ""

    def waited(value: datetime, now: datetime) -> str:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return age(aware, now)

    env.filters.update(moment=moment, day=day, age=waited)
    env.globals.update(grounds_map=GROUND_LABEL, decided=DECIDED_BY_LABEL, platforms=PLATFORM_LABEL)


class _Server(uvicorn.Server):
    """uvicorn without signal handling of its own: the daemon's handlers or the caller stop it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    app: Starlette, host: str, port: int, stop: asyncio.Event, started: asyncio.Event | None = None
) -> None:
    """Serve until `stop` is set, in the caller's event loop; `started` is set once the port is open."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    if started is not None:
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        started.set()
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopper.cancel()
    await task
