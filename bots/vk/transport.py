"""The wire between vk_api and VK (or the emulator), and the one place where VK errors become ours.

vk_api posts every call to the fixed address https://api.vk.ru/method/<name> through `VkApi.http`, a
requests.Session that can be passed in. Mounting `EmulatorAdapter` on that session sends the calls to the
loopback emulator instead; in real use no adapter is mounted and nothing here changes the client's behaviour.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import vk_api
from requests.adapters import HTTPAdapter
from vk_api.exceptions import ApiError, ApiHttpError, Captcha, VkApiError

from moderation.daemon.ports import Forbidden, NotFound, PlatformError, RateLimited, TransientError

log = logging.getLogger(__name__)

API_VERSION = "5.199"
TOO_MANY_RPS = 6
RPS_RETRY_DELAY = 0.5
VK_API_HOSTS = ("https://api.vk.ru/", "https://api.vk.com/")

REQUEST_TIMEOUT = (5.0, 9.0)  # connect, read: under the action runner's 10 s per call
RATE_CODES = frozenset({6, 9, 14, 29})
TRANSIENT_CODES = frozenset({1, 10})
FORBIDDEN_CODES = frozenset({5, 15, 17, 27, 28, 30, 203, 210, 211, 212, 260, 703, 704})
NOT_FOUND_CODES = frozenset({18, 104, 113})
# how long to back off, by code: 6 is per-second, 9 flood control and 29 the daily quota are much longer
RETRY_AFTER = {6: 1.0, 9: 60.0, 29: 3600.0, 14: 60.0}

_TOKEN_RE = re.compile(r"(access_token=|key=)[^&\s]+")


class TimedAdapter(HTTPAdapter):
    """Gives every request without a timeout of its own (vk_api sets none) this one: a VK that hangs must
    not hold a thread, and vk_api's client lock with it, for ever."""

    def __init__(self, timeout: float | tuple[float, float] = REQUEST_TIMEOUT) -> None:
        super().__init__()
        self._timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(
            request,
            stream=stream,
            timeout=timeout or self._timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


class EmulatorAdapter(TimedAdapter):
    """Rewrites https://api.vk.ru/... to the emulator's base URL; everything else passes unchanged."""

    def __init__(self, base_url: str, timeout: float | tuple[float, float] = REQUEST_TIMEOUT) -> None:
        super().__init__(timeout)
        self._base_url = base_url.rstrip("/") + "/"

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        for host in VK_API_HOSTS:
            if request.url and request.url.startswith(host):
                request.url = self._base_url + request.url[len(host) :]
                break
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


def emulator_session(base_url: str) -> requests.Session:
    """A requests.Session whose VK API calls go to the emulator at `base_url`."""
    session = requests.Session()
    session.trust_env = False  # loopback: an HTTP(S)_PROXY from the environment must not catch it
    adapter = EmulatorAdapter(base_url)
    for host in VK_API_HOSTS:
        session.mount(host, adapter)
    return session


def make_vk(token: str, base_url: str | None = None, *, rps_delay: float | None = None) -> vk_api.VkApi:
    """A real vk_api client for `token`, talking to the emulator when `base_url` is given.

    The API version is always pinned: vk_api's default (5.92) has other response shapes. `rps_delay` overrides
    vk_api's own client-side pacing (0.34 s) - community tokens may go at 1/20 s.
    """
    session = emulator_session(base_url) if base_url else None
    vk = vk_api.VkApi(token=token, api_version=API_VERSION, session=session)
    if session is None:  # vk_api's own session (its User-Agent), with every request timed
        vk.http.mount("https://", TimedAdapter())
    if rps_delay is not None:
        vk.RPS_DELAY = rps_delay
    vk.error_handlers[TOO_MANY_RPS] = _retry_once_on_error_6()
    return vk


def _retry_once_on_error_6() -> Callable[[ApiError], Any]:
    """vk_api's own handler for error 6 sleeps 0.5 s and calls again - recursively, without bound, so a
    throttled token would block a thread for ever (and end in RecursionError). Retry once, then let error 6
    out, where it becomes RateLimited and the caller backs off.
    """
    local = threading.local()

    def handler(error: ApiError) -> Any:
        if getattr(local, "retrying", False):
            return None  # vk_api raises the error when a handler returns None
        local.retrying = True
        try:
            time.sleep(RPS_RETRY_DELAY)
            return error.try_method()
        finally:
            local.retrying = False

    return handler


def redact(text: str) -> str:
    """Strip tokens and long-poll keys from anything that may reach a log."""
    return _TOKEN_RE.sub(r"\1***", text)


def map_error(exc: BaseException, method: str = "") -> PlatformError:
    """Translate any vk_api or requests failure into the project's error tree.

    vk_api has already slept 0.5 s and retried once on error 6, so an error 6 reaching us means the limit is
    really exhausted; callers should honour `retry_after`.
    """
    where = f"VK {method}: " if method else "VK: "
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, Captcha):
        return RateLimited(where + "captcha required", RETRY_AFTER[14])
    if isinstance(exc, ApiError):
        return _map_api_error(exc.code, where + redact(str(exc)))
    if isinstance(exc, ApiHttpError):
        status = exc.response.status_code
        if status == 429:
            return RateLimited(f"{where}HTTP 429", RETRY_AFTER[6])
        if status >= 500:
            return TransientError(f"{where}HTTP {status}")
        return PlatformError(f"{where}HTTP {status}")
    if isinstance(exc, requests.RequestException | ValueError | OSError):
        return TransientError(where + redact(f"{type(exc).__name__}: {exc}"))
    if isinstance(exc, VkApiError):
        return Forbidden(where + redact(f"{type(exc).__name__}: {exc}"))
    return PlatformError(where + redact(f"{type(exc).__name__}: {exc}"))


def _map_api_error(code: int, message: str) -> PlatformError:
    if code in RATE_CODES:
        return RateLimited(message, RETRY_AFTER[code])
    if code in TRANSIENT_CODES:
        return TransientError(message)
    if code in FORBIDDEN_CODES:
        return Forbidden(message)
    if code in NOT_FOUND_CODES:
        return NotFound(message)
    return PlatformError(message)


def call(vk: vk_api.VkApi, method: str, params: dict[str, Any] | None = None, *, raw: bool = False) -> Any:
    """One blocking API call with errors mapped; the only way the adapter calls VK (`raw`: the whole answer,
    as `execute` needs for its execute_errors)."""
    try:
        return vk.method(method, params or {}, raw=raw)
    except Exception as exc:  # every upstream failure is mapped, none escapes raw
        mapped = map_error(exc, method)
        log.warning("%s", mapped)
        raise mapped from exc


async def acall(vk: vk_api.VkApi, method: str, params: dict[str, Any] | None = None) -> Any:
    """`call` off the event loop: vk_api blocks (and sleeps to pace itself)."""
    return await asyncio.to_thread(call, vk, method, params)
