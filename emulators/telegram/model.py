"""The records a Telegram Bot API emulator keeps, and the rules of Bot API text formatting.

The emulator exists so that the real aiogram client can be exercised over loopback; these records are shaped
so that tests can read back exactly what a moderator or a citizen would have seen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

TELEGRAM_SERVICE_USER_ID = 777000  # the "Telegram" account that authors automatic forwards


class ApiError(Exception):
    """An error the emulator answers with, in the Bot API's shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class Clock:
    """Wall time shifted by a settable offset, so tests can age messages past Telegram's 48-hour limit."""

    def __init__(self) -> None:
        self._offset = 0.0

    def time(self) -> float:
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def set(self, moment: datetime) -> None:
        """Make `now()` read `moment`; the clock keeps running from there."""
        self._offset = moment.timestamp() - time.time()

    def advance(self, seconds: float) -> None:
        self._offset += seconds


@dataclass
class EmuUser:
    """A Telegram account: a citizen, a moderator, a bot or the service account."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class AdminRights:
    """The subset of administrator rights the product relies on (clause 1.3.1 counts who holds them)."""

    is_owner: bool = False
    can_delete_messages: bool = True
    can_restrict_members: bool = True


@dataclass
class EmuChat:
    """A channel, a supergroup (discussion or moderators' group) or a private chat."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    description: str | None = None
    has_photo: bool = False
    linked_chat_id: int | None = None
    admins: dict[int, AdminRights] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)
    next_message_id: int = 1

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.username:
            data["username"] = self.username
        return data

    def full_info(self) -> dict[str, Any]:
        """The getChat answer (ChatFullInfo) with the fields aiogram requires."""
        data = self.to_api()
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if self.description is not None:
            data["description"] = self.description
        if self.linked_chat_id is not None:
            data["linked_chat_id"] = self.linked_chat_id
        if self.has_photo:
            data["photo"] = {
                "small_file_id": f"photo-s-{self.id}",
                "small_file_unique_id": f"ps{abs(self.id)}",
                "big_file_id": f"photo-b-{self.id}",
                "big_file_unique_id": f"pb{abs(self.id)}",
            }
        if self.type in ("group", "supergroup"):
            data["permissions"] = dict(DEFAULT_MEMBER_PERMISSIONS)
        return data

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


DEFAULT_MEMBER_PERMISSIONS: dict[str, bool] = {
    "can_send_messages": True,
    "can_send_audios": True,
    "can_send_documents": True,
    "can_send_photos": True,
    "can_send_videos": True,
    "can_send_video_notes": True,
    "can_send_voice_notes": True,
    "can_send_polls": True,
    "can_send_other_messages": True,
    "can_add_web_page_previews": True,
    "can_change_info": False,
    "can_invite_users": True,
    "can_pin_messages": False,
}


@dataclass
class StoredMessage:
    """One message as the emulator keeps it: the Bot API payload plus what a test needs to read back."""

    chat_id: int
    message_id: int
    date: int
    payload: dict[str, Any]
    html: str | None = None
    sent_by_token: str | None = None
    deleted: bool = False
    edits: int = 0

    @property
    def text(self) -> str | None:
        value = self.payload.get("text", self.payload.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.payload.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    def button_texts(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [str(button["text"]) for row in rows for button in row]


@dataclass(frozen=True)
class RestrictionRecord:
    """What restrictChatMember left behind; `until_date` 0 means forever, as in the Bot API."""

    permissions: dict[str, bool]
    until_date: int


@dataclass(frozen=True)
class UploadedDocument:
    """A file a bot sent with sendDocument (the weekly digest, an export)."""

    chat_id: int
    message_id: int
    filename: str
    data: bytes
    caption: str | None


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot told the user who pressed a button."""

    text: str | None
    show_alert: bool


_ENTITY_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Parses the HTML subset Telegram accepts, refusing what Telegram refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, int, dict[str, str]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ENTITY_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        if tag == "blockquote" and any(open_tag == "blockquote" for open_tag, _, _ in self.stack):
            raise ApiError(400, "Bad Request: can't parse entities: blockquotes can't be nested")
        self.stack.append((tag, self.length, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        _, start, attrs = self.stack.pop()
        if self.length == start:
            return
        kind = _ENTITY_TAGS[tag]
        if tag == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        entity: dict[str, Any] = {"type": kind, "offset": start, "length": self.length - start}
        if tag == "a":
            entity["url"] = attrs.get("href", "")
        self.entities.append(entity)


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn parse_mode=HTML text into plain text and entities, or raise the 400 Telegram would answer."""
    parser = _TelegramHtml()
    parser.feed(html)
    parser.close()
    if parser.stack:
        tag = parser.stack[-1][0]
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag corresponding to \"{tag}\""
        )
    parser.entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return "".join(parser.parts), parser.entities
