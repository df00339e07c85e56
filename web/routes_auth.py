"""Logging in and out: a double-submitted CSRF token on the login form, throttling, secure session cookies."""

from __future__ import annotations

import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.accounts import log_in, log_out, throttled
from web.http import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    checked_form,
    db,
    remote,
    render,
    safe_next,
    secure_cookies,
    state,
)


async def login_form(request: Request) -> Response:
    if getattr(request.state, "user", None) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    # a page opened twice (another tab, a stray request for the icon) must not void the first form's token
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request, "login.html", {"login_csrf": token, "next": safe_next(request.query_params.get("next"))}
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=3600,
    )
    return response


async def login(request: Request) -> Response:
    form = await request.form()
    cookie, field = request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get("csrf")
    if not cookie or not isinstance(field, str) or not secrets.compare_digest(cookie, field):
        raise HTTPException(403, "Форма входа устарела: откройте страницу входа ещё раз.")
    name, password = str(form.get("name", ""))[:100], str(form.get("password", ""))[:1000]
    target = safe_next(str(form.get("next", "/")))
    console = state(request)
    now, config = console.clock(), console.config
    wait = await db(
        request,
        throttled,
        name.strip(),
        remote(request),
        now,
        config.max_failed_logins,
        config.lockout_minutes,
    )
    if wait:
        message = f"Слишком много неудачных попыток входа. Попробуйте снова через {wait} мин."
        return render(
            request, "login.html", {"error": message, "login_csrf": cookie, "next": target}, status=429
        )
    result = await db(request, log_in, name, password, remote(request), now, config.session_hours, write=True)
    if result is None:
        message = "Неверное имя или пароль."
        return render(
            request, "login.html", {"error": message, "login_csrf": cookie, "next": target}, status=401
        )
    token, _user = result
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=int(config.session_hours * 3600),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


async def logout(request: Request) -> Response:
    await checked_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    await db(request, log_out, token, state(request).clock(), write=True)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def icon(request: Request) -> Response:
    """Browsers ask for it on every site; answering saves a redirect to the login form."""
    return Response(status_code=204)


ROUTES = [
    Route("/favicon.ico", icon, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
