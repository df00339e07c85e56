"""A loopback HTTP emulator of the VK API (5.199) that the real vk_api client talks to.

No machine here reaches VK, so tests and the demo run the real client against this server: API methods on
`/method/<name>` (reached through `bots.vk.transport`), Bots Long Poll on `/lp/<group_id>` (reached directly,
because vk_api polls whatever `server` address `groups.getLongPollServer` returns).

    with VkEmulator() as vk:
        vk.add_group(1, "Администрация города", token="grp-token")
        ...
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from emulators.vk import api as emulator_api
from emulators.vk.execute import ExecuteAnswer
from emulators.vk.model import HttpFault, TokenKind, VkFault
from emulators.vk.state import VkWorld

log = logging.getLogger(__name__)

API_VERSION = "5.199"
_SECRET_PARAMS = frozenset({"access_token", "key"})


class VkEmulator(VkWorld):
    """The emulator: the scriptable world of `VkWorld` served over HTTP on 127.0.0.1 and a random port."""

    def __init__(
        self,
        rate_limits: dict[TokenKind, int] | None = None,
        host: str = "127.0.0.1",
        longpoll_history: int = 10_000,
    ) -> None:
        super().__init__(rate_limits, longpoll_history)
        self._host = host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> VkEmulator:
        """Bind a free port and serve from a daemon thread; `base_url` is valid afterwards."""
        if self._server is not None:
            return self
        server = _Server((self._host, 0), self)
        self._server = server
        self.base_url = f"http://{self._host}:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="vk-emulator", daemon=True
        )
        self._thread.start()
        log.info("VK emulator listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Release waiting long polls first, so shutdown does not hang on them."""
        self.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> VkEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _request_params(params: dict[str, str]) -> list[dict[str, str]]:
    """VK echoes the request's parameters in errors; the token stays out, as on VK."""
    return [{"key": k, "value": v} for k, v in params.items() if k not in _SECRET_PARAMS]


class _Handler(BaseHTTPRequestHandler):
    """One request; the emulator it serves hangs on the server object."""

    server_version = "VkEmulator/1.0"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            params.update(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        if url.path.startswith("/method/"):
            self._api(url.path.removeprefix("/method/"), params)
        elif url.path.startswith("/lp/"):
            self._longpoll(url.path.removeprefix("/lp/"), params)
        else:
            self._send(404, {"error": "not found"})

    def _api(self, method: str, params: dict[str, str]) -> None:
        try:
            result = emulator_api.call(self.server.emulator, method, params)
            body: dict[str, Any] = (
                result.body() if isinstance(result, ExecuteAnswer) else {"response": result}
            )
        except VkFault as fault:
            body = {
                "error": {
                    "error_code": fault.code,
                    "error_msg": fault.message,
                    "request_params": [{"key": "method", "value": method}, *_request_params(params)],
                }
            }
        except HttpFault as fault:
            self._send(fault.status, {"error": "emulated HTTP failure"})
            return
        self._send(200, body)

    def _longpoll(self, group: str, params: dict[str, str]) -> None:
        if params.get("act") != "a_check" or not group.isdigit():
            self._send(200, {"failed": 2})
            return
        try:
            wait = float(params.get("wait", "25"))
        except ValueError:
            wait = 25.0
        answer = self.server.emulator.longpoll_check(
            int(group), params.get("key", ""), params.get("ts", ""), wait
        )
        self._send(200, answer)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines carry long-poll keys in the query string: log the path only, at debug."""
        log.debug("%s %s", self.command, urlsplit(self.path).path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: VkEmulator) -> None:
        super().__init__(address, _Handler)
        self.emulator = emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone before its answer (a daemon killed while its long poll waited) is no error here."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)
