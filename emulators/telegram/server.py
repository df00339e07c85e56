"""A Telegram Bot API emulator on loopback that the real aiogram client talks to.

No machine running Dozor's tests or demo reaches Telegram, so the adapter is exercised against this server
through `AiohttpSession(api=TelegramAPIServer.from_base(base_url))`: the wire format, error shapes and limits
are met by the real client, not by a mock.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from emulators.telegram.methods import METHODS
from emulators.telegram.model import ApiError
from emulators.telegram.params import Files, Params
from emulators.telegram.script import ScriptError, TelegramWorld
from emulators.telegram.state import EmulatorState

logger = logging.getLogger(__name__)

__all__ = ["ApiError", "ScriptError", "TelegramEmulator"]


class TelegramEmulator(TelegramWorld):
    """The scripted Telegram world served over HTTP at `base_url` (127.0.0.1, a free port)."""

    def __init__(self, per_chat_per_minute: int = 20, overall_per_second: int = 30) -> None:
        super().__init__(EmulatorState(per_chat_per_minute, overall_per_second))
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # access_log=None: request paths carry bot tokens and must never reach a log.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()
        self.state.closing = False
        logger.info("telegram emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        self.state.wake_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("telegram emulator stopped")

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def make_bot(self, token: str) -> Bot:
        """A real aiogram Bot pointed at this emulator (the caller closes its session)."""
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(token=token, session=session)

    async def _handle(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        try:
            bot = self.state.bot_for(request.match_info["token"])
            params, files = await _read_params(request)
            self.state.record_call(method_name, params)
            status = self.state.take_http_failure(method_name)
            if status is not None:
                page = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
                return web.Response(text=page, status=status, content_type="text/html")
            failure = self.state.take_failure(method_name)
            if failure is not None:
                raise failure
            method = METHODS.get(method_name.lower())
            if method is None:
                raise ApiError(404, "Not Found")
            hold = self.state.take_hold(method_name, after=False)
            if hold is not None:
                await hold.wait()
            result = await method(self.state, bot, params, files)
            hold = self.state.take_hold(method_name, after=True)
            if hold is not None:
                await hold.wait()
        except ApiError as error:
            return _json_response(error.to_api(), error.code)
        return _json_response({"ok": True, "result": result}, 200)


async def _read_params(request: web.Request) -> tuple[Params, Files]:
    """Form fields as strings and uploaded files by field name, whatever encoding the client chose."""
    params: Params = {key: value for key, value in request.query.items()}
    files: Files = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read())
                else:
                    params[key] = str(value)
    return params, files


def _json_response(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )
