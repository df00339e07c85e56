"""Bot API methods as the emulator answers them, with the errors Telegram gives for the same mistakes.

Each method takes the state, the calling bot and the request's form fields (all strings, JSON for objects, as
aiogram sends them) and returns the `result` value or raises ApiError.
"""

from __future__ import annotations

from typing import Any

from emulators.telegram.members import MEMBER_METHODS
from emulators.telegram.model import (
    DEFAULT_MEMBER_PERMISSIONS,
    ApiError,
    CallbackAnswer,
    EmuChat,
    RestrictionRecord,
    StoredMessage,
    UploadedDocument,
    parse_html,
)
from emulators.telegram.params import Files, Method, Params
from emulators.telegram.params import int_param as _int
from emulators.telegram.params import json_param as _json
from emulators.telegram.params import member_chat as _member_chat
from emulators.telegram.params import rights as _rights
from emulators.telegram.state import BotAccount, EmulatorState

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
DELETE_WINDOW = 48 * 3600
MAX_DELETE_IDS = 100
_NO_RIGHTS_RESTRICT = "Bad Request: not enough rights to restrict/unrestrict chat member"


def _format(params: Params) -> tuple[str, list[dict[str, Any]], str | None]:
    """Text, entities and the raw HTML of a message, validated as Telegram validates them."""
    raw = params.get("text", params.get("caption", ""))
    if params.get("parse_mode", "").lower() == "html":
        text, entities = parse_html(raw)
        html: str | None = raw
    else:
        text, entities, html = raw, [], None
    if len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text, entities, html


def _keyboard(params: Params) -> dict[str, Any] | None:
    markup = _json(params, "reply_markup")
    if markup is None:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return {"inline_keyboard": rows}


def _sender_fields(bot: BotAccount, text: str, entities: list[dict[str, Any]], key: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"from": bot.user.to_api(), key: text}
    if entities:
        fields["entities" if key == "text" else "caption_entities"] = entities
    return fields


async def get_me(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    return {**bot.user.to_api(), "can_join_groups": True, "can_read_all_group_messages": True}


async def get_updates(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    allowed = _json(params, "allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = frozenset(str(kind) for kind in allowed) if allowed else None
    offset = int(params.get("offset", "0") or 0)
    limit = int(params.get("limit", "100") or 100)
    timeout = float(params.get("timeout", "0") or 0)
    return await state.next_updates(bot, offset, limit, timeout)


async def send_message(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat = _member_chat(state, bot, params)
    text, entities, html = _format(params)
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    keyboard = _keyboard(params)
    state.limiter.check(chat.id)
    fields = _sender_fields(bot, text, entities, "text")
    if keyboard:
        fields["reply_markup"] = keyboard
    if "message_thread_id" in params:
        fields["message_thread_id"] = _int(params, "message_thread_id")
    replied = _replied(state, chat, params)
    if replied is not None:
        fields["reply_to_message"] = dict(replied.payload)
    sent = state.new_message(chat, fields, html=html, sent_by_token=bot.token)
    state.effects.append(("send", chat.id, sent.message_id))
    return sent.payload


def _replied(state: EmulatorState, chat: EmuChat, params: Params) -> StoredMessage | None:
    """The message a new one answers (reply_parameters, or the older reply_to_message_id)."""
    reply = _json(params, "reply_parameters") or {}
    message_id = reply.get("message_id") if isinstance(reply, dict) else None
    if message_id is None and "reply_to_message_id" in params:
        message_id = _int(params, "reply_to_message_id")
    if message_id is None:
        return None
    found = state.live_message(chat.id, int(message_id))
    if found is None and not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
        raise ApiError(400, "Bad Request: message to be replied not found")
    return found


async def send_document(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat = _member_chat(state, bot, params)
    reference = params.get("document", "")
    if not reference.startswith("attach://") or reference[9:] not in files:
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
    filename, data = files[reference[9:]]
    caption, entities, html = _format({k: v for k, v in params.items() if k != "text"})
    state.limiter.check(chat.id)
    fields = _sender_fields(bot, caption, entities, "caption") if caption else {"from": bot.user.to_api()}
    file_id = f"doc-{len(state.documents) + 1}"
    fields["document"] = {
        "file_id": file_id,
        "file_unique_id": file_id,
        "file_name": filename,
        "file_size": len(data),
    }
    stored = state.new_message(chat, fields, html=html, sent_by_token=bot.token)
    state.documents.append(UploadedDocument(chat.id, stored.message_id, filename, data, caption or None))
    state.effects.append(("send", chat.id, stored.message_id))
    return stored.payload


def _editable(state: EmulatorState, bot: BotAccount, params: Params) -> StoredMessage:
    chat = _member_chat(state, bot, params)
    stored = state.live_message(chat.id, _int(params, "message_id"))
    if stored is None:
        raise ApiError(400, "Bad Request: message to edit not found")
    if stored.sent_by_token != bot.token:
        raise ApiError(400, "Bad Request: message can't be edited")
    return stored


async def edit_message_text(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    """As Telegram: "message is not modified" for exactly the same text, entities and buttons (which is how a
    sender finds its own message again), "not found" for no such message, "can't be edited" for others'."""
    stored = _editable(state, bot, params)
    if "text" not in stored.payload:
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    text, entities, html = _format(params)
    keyboard = _keyboard(params)
    if (
        text == stored.payload.get("text")
        and entities == stored.payload.get("entities", [])
        and (keyboard == stored.reply_markup)
    ):
        raise ApiError(400, "Bad Request: message is not modified")
    stored.payload["text"] = text
    stored.payload.pop("entities", None)
    if entities:
        stored.payload["entities"] = entities
    _replace_keyboard(stored, keyboard)
    stored.html = html
    return _mark_edited(state, stored)


async def edit_message_reply_markup(
    state: EmulatorState, bot: BotAccount, params: Params, files: Files
) -> Any:
    stored = _editable(state, bot, params)
    keyboard = _keyboard(params)
    if keyboard == stored.reply_markup:
        raise ApiError(400, "Bad Request: message is not modified")
    _replace_keyboard(stored, keyboard)
    return _mark_edited(state, stored)


def _replace_keyboard(stored: StoredMessage, keyboard: dict[str, Any] | None) -> None:
    stored.payload.pop("reply_markup", None)
    if keyboard and keyboard["inline_keyboard"]:
        stored.payload["reply_markup"] = keyboard


def _mark_edited(state: EmulatorState, stored: StoredMessage) -> dict[str, Any]:
    stored.edits += 1
    state.effects.append(("edit", stored.chat_id, stored.message_id))
    stored.payload["edit_date"] = int(state.clock.time())
    return stored.payload


async def answer_callback_query(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    callback_id = params.get("callback_query_id", "")
    if callback_id in state.callback_answers or callback_id not in state.issued_callbacks:
        raise ApiError(
            400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
    show_alert = params.get("show_alert", "").lower() in ("true", "1")
    state.callback_answers[callback_id] = CallbackAnswer(params.get("text"), show_alert)
    return True


async def delete_message(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat = _member_chat(state, bot, params)
    stored = state.live_message(chat.id, _int(params, "message_id"))
    if stored is None:
        raise ApiError(400, "Bad Request: message to delete not found")
    _check_deletable(state, bot, chat, stored)
    state.delete(stored)
    return True


async def delete_messages(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    """1-100 messages at once: missing ones are skipped; one that cannot be deleted refuses the whole call
    (nothing is deleted), so a caller learns which by deleting those one at a time."""
    chat = _member_chat(state, bot, params)
    ids = _json(params, "message_ids")
    if not isinstance(ids, list) or not ids:
        raise ApiError(400, "Bad Request: message identifiers are not specified")
    if len(ids) > MAX_DELETE_IDS or not all(isinstance(i, int) for i in ids):
        raise ApiError(400, "Bad Request: too many message identifiers specified")
    found = [m for i in dict.fromkeys(ids) if (m := state.live_message(chat.id, i)) is not None]
    for stored in found:
        _check_deletable(state, bot, chat, stored)
    for stored in found:
        state.delete(stored)
    return True


def _check_deletable(state: EmulatorState, bot: BotAccount, chat: EmuChat, stored: StoredMessage) -> None:
    rights = _rights(chat, bot)
    own = stored.sent_by_token == bot.token
    if not own and (rights is None or not rights.can_delete_messages):
        raise ApiError(400, "Bad Request: message can't be deleted")
    if state.clock.time() - stored.date >= DELETE_WINDOW:
        raise ApiError(400, "Bad Request: message can't be deleted")


def _restrictable(state: EmulatorState, bot: BotAccount, params: Params) -> tuple[EmuChat, int]:
    chat = _member_chat(state, bot, params)
    rights = _rights(chat, bot)
    if chat.type != "supergroup":
        raise ApiError(400, "Bad Request: method is available only for supergroups")
    if rights is None or not rights.can_restrict_members:
        raise ApiError(400, _NO_RIGHTS_RESTRICT)
    user_id = _int(params, "user_id")
    if user_id in chat.admins:
        owner = chat.admins[user_id].is_owner
        raise ApiError(
            400,
            "Bad Request: can't remove chat owner"
            if owner
            else "Bad Request: user is an administrator of the chat",
        )
    return chat, user_id


def _until(state: EmulatorState, params: Params) -> int:
    """Telegram treats an until_date under 30 s or over 366 days away as forever (0)."""
    until = int(params.get("until_date", "0") or 0)
    ahead = until - state.clock.time()
    return 0 if until == 0 or ahead < 30 or ahead > 366 * 86400 else until


async def restrict_chat_member(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat, user_id = _restrictable(state, bot, params)
    permissions = _json(params, "permissions")
    if not isinstance(permissions, dict):
        raise ApiError(400, "Bad Request: can't parse permissions JSON object")
    granted = {key: bool(permissions.get(key, False)) for key in DEFAULT_MEMBER_PERMISSIONS}
    if granted == DEFAULT_MEMBER_PERMISSIONS:
        state.restrictions.pop((chat.id, user_id), None)
    else:
        state.restrictions[(chat.id, user_id)] = RestrictionRecord(granted, _until(state, params))
    lifted = granted == DEFAULT_MEMBER_PERMISSIONS
    state.effects.append(("restrict", chat.id, user_id, lifted, _until(state, params)))
    return True


async def ban_chat_member(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat, user_id = _restrictable(state, bot, params)
    state.bans[(chat.id, user_id)] = _until(state, params)
    state.effects.append(("ban", chat.id, user_id, False, _until(state, params)))
    chat.members.discard(user_id)
    return True


async def unban_chat_member(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat, user_id = _restrictable(state, bot, params)
    state.bans.pop((chat.id, user_id), None)
    return True


def _sender_chat_target(state: EmulatorState, bot: BotAccount, params: Params) -> tuple[EmuChat, int]:
    chat = _member_chat(state, bot, params)
    rights = _rights(chat, bot)
    if rights is None or not rights.can_restrict_members:
        raise ApiError(400, "Bad Request: not enough rights to ban/unban sender chat")
    return chat, _int(params, "sender_chat_id")


async def ban_chat_sender_chat(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat, sender_chat_id = _sender_chat_target(state, bot, params)
    state.sender_chat_bans.add((chat.id, sender_chat_id))
    return True


async def unban_chat_sender_chat(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat, sender_chat_id = _sender_chat_target(state, bot, params)
    state.sender_chat_bans.discard((chat.id, sender_chat_id))
    return True


async def get_chat(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    return state.chat(params.get("chat_id", "")).full_info()


METHODS: dict[str, Method] = {
    "getme": get_me,
    "getupdates": get_updates,
    "sendmessage": send_message,
    "senddocument": send_document,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "answercallbackquery": answer_callback_query,
    "deletemessage": delete_message,
    "deletemessages": delete_messages,
    "restrictchatmember": restrict_chat_member,
    "banchatmember": ban_chat_member,
    "unbanchatmember": unban_chat_member,
    "banchatsenderchat": ban_chat_sender_chat,
    "unbanchatsenderchat": unban_chat_sender_chat,
    "getchat": get_chat,
    **MEMBER_METHODS,
}
