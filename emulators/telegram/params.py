"""Reading a Bot API request's fields and checking the calling bot's place in a chat, as Telegram answers
mistakes (shared by the emulator's method modules)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from emulators.telegram.model import AdminRights, ApiError, EmuChat
from emulators.telegram.state import BotAccount, EmulatorState

Params = dict[str, str]
Files = dict[str, tuple[str, bytes]]
Method = Callable[[EmulatorState, BotAccount, Params, Files], Awaitable[Any]]


def int_param(params: Params, key: str) -> int:
    try:
        return int(params[key])
    except KeyError:
        raise ApiError(400, f"Bad Request: {key} is empty") from None
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {key} specified") from None


def json_param(params: Params, key: str) -> Any:
    raw = params.get(key)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None


def member_chat(state: EmulatorState, bot: BotAccount, params: Params) -> EmuChat:
    chat = state.chat(params.get("chat_id", ""))
    if not state.is_in_chat(bot.user.id, chat):
        kind = (
            "channel" if chat.type == "channel" else "supergroup" if chat.type == "supergroup" else chat.type
        )
        raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
    return chat


def rights(chat: EmuChat, bot: BotAccount) -> AdminRights | None:
    return chat.admins.get(bot.user.id)
