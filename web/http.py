"""What every console page shares: the app's state, who is logged in, CSRF on forms, roles, rendering, and
security headers. Anonymous requests never reach a page: the middleware sends them to the login form.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from models.console import Role
from models.store_support import audit
from web.accounts import CurrentUser, session_user
from web.settings import WebConfig

T = TypeVar("T")
SESSION_COOKIE = "dozor_session"
LOGIN_CSRF_COOKIE = "dozor_login_csrf"
OPEN_PATHS = ("/login", "/favicon.ico")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TEMPLATES = Path(__file__).with_name("templates")
SECTIONS = (("/log", "log"), ("/comments", "log"), ("/authors", "log"), ("/queue", "queue"),
            ("/figures", "figures"), ("/registry", "registry"))  # fmt: skip
ROLE_LABEL = {Role.MODERATOR: "модератор", Role.IT: "отдел ИТО", Role.VIEWER: "просмотр"}


@dataclass
class ConsoleState:
    """What the app runs with: the database, settings, templates and uploads awaiting confirmation."""

    engine: Engine
    config: WebConfig
    zone: ZoneInfo
    posts_per_week: int = 5
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    uploads: dict[str, Any] = field(default_factory=dict)
    templates: Jinja2Templates = field(default_factory=lambda: Jinja2Templates(directory=str(TEMPLATES)))

    def today(self) -> Any:
        return self.clock().astimezone(self.zone).date()


def state(request: Request) -> ConsoleState:
    console: ConsoleState = request.app.state.console
    return console


async def db(request: Request, fn: Callable[..., T], *args: Any, write: bool = False) -> T:
    """Run `fn(session, *args)` in a worker thread; commit when it writes."""
    engine = state(request).engine

    def call() -> T:
        with Session(engine, expire_on_commit=False) as session:
            result = fn(session, *args)
            if write:
                session.commit()
            return result

    return await run_in_threadpool(call)


def user(request: Request) -> CurrentUser:
    """The logged-in user (the middleware guarantees one on every page but the login form)."""
    current: CurrentUser = request.state.user
    return current


def require(request: Request, *, act: bool = False, it: bool = False) -> CurrentUser:
    """Refuse (403) a viewer who tries to act, and anyone but IT where IT alone may go."""
    current = user(request)
    if act and not current.can_act:
        raise HTTPException(403, "Учётная запись только для просмотра: действовать через консоль нельзя.")
    if it and not current.is_it:
        raise HTTPException(403, "Этот раздел — только для отдела ИТО.")
    return current


async def checked_form(request: Request) -> FormData:
    """The posted form after checking its CSRF token against the session's (403 when missing or wrong)."""
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not secrets.compare_digest(token, user(request).csrf):
        raise HTTPException(403, "Форма устарела или пришла не со страницы консоли: обновите страницу.")
    return form


def remote(request: Request) -> str:
    return request.client.host if request.client else "?"


def secure_cookies(request: Request) -> bool:
    """Secure cookies everywhere but plain HTTP on the server itself (the console's own loopback port)."""
    return not (request.url.scheme == "http" and (request.url.hostname or "") in LOOPBACK)


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> Response:
    """A page in the console's frame, with the user, CSRF token and role labels available to the template."""
    current = getattr(request.state, "user", None)
    values = {
        "user": current,
        "role_label": ROLE_LABEL,
        "csrf": current.csrf if current else "",
        **(context or {}),
    }
    return state(request).templates.TemplateResponse(request, template, values, status_code=status)


async def record(request: Request, event: str, details: Mapping[str, Any]) -> None:
    """An audit record of a console action, in the shared audit log."""
    actor = f"console:{user(request).name}"
    now = state(request).clock()
    await db(request, lambda s: audit(s, now, actor, event, details), write=True)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class AuthMiddleware(BaseHTTPMiddleware):
    """Every request but the login form needs a live session; anonymous GETs go to the login form, other
    methods are refused. Adds the security headers to every answer."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request.state.user = None
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            now = state(request).clock()
            request.state.user = await db(request, session_user, token, now)
        if request.state.user is None and request.url.path not in OPEN_PATHS:
            if request.method in ("GET", "HEAD"):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response: Response = RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
            else:
                response = Response(
                    "Нужно войти в консоль.", status_code=403, media_type="text/plain; charset=utf-8"
                )
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
