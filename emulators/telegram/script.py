"""Scripting the emulated Telegram: what citizens, admins and moderators do, and what a test reads back.

Tests and the out-of-the-box demo drive the world through these calls; the bot under test only ever sees the
resulting updates through getUpdates, exactly as it would on the real Telegram.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from emulators.telegram.model import (
    TELEGRAM_SERVICE_USER_ID,
    AdminRights,
    EmuChat,
    EmuUser,
    RestrictionRecord,
    StoredMessage,
)
from emulators.telegram.state import BotAccount, EmulatorState

CHANNEL_BOT_USER_ID = 136817688  # the placeholder `from` of messages sent on behalf of a channel
_MEDIA_KINDS = ("photo", "video", "poll", "text")


class ScriptError(Exception):
    """A scripted action that the real Telegram would not allow (e.g. a restricted user writing)."""


class TelegramWorld:
    """Scripting and read-back over the emulator's state; the HTTP server adds nothing to it but transport."""

    def __init__(self, state: EmulatorState | None = None) -> None:
        self.state = state or EmulatorState()
        self._ids = itertools.count(1)
        self.service_user = self._register(EmuUser(TELEGRAM_SERVICE_USER_ID, "Telegram"))
        self.channel_bot = self._register(
            EmuUser(CHANNEL_BOT_USER_ID, "Channel", username="Channel_Bot", is_bot=True)
        )

    # --- accounts and chats --------------------------------------------------------------------------------

    def _register(self, user: EmuUser) -> EmuUser:
        self.state.users[user.id] = user
        return user

    def add_bot(self, token: str, username: str = "dozor_bot", first_name: str = "Дозор") -> EmuUser:
        """Register a bot; its id is the number before the colon, as in real tokens."""
        user = self._register(
            EmuUser(int(token.split(":", 1)[0]), first_name, username=username, is_bot=True)
        )
        self.state.bots[token] = BotAccount(token, user)
        return user

    def add_user(self, first_name: str, last_name: str | None = None, username: str | None = None) -> EmuUser:
        return self._register(EmuUser(100000 + next(self._ids), first_name, last_name, username))

    def _new_chat(self, chat_type: str, title: str, **fields: Any) -> EmuChat:
        chat = EmuChat(id=-1000000000000 - next(self._ids), type=chat_type, title=title, **fields)
        self.state.chats[chat.id] = chat
        return chat

    def create_channel(
        self,
        title: str,
        *,
        username: str | None = None,
        description: str | None = None,
        has_photo: bool = True,
        discussion_title: str | None = None,
    ) -> tuple[EmuChat, EmuChat | None]:
        """A channel and, unless `discussion_title` is empty, its linked discussion group."""
        channel = self._new_chat(
            "channel", title, username=username, description=description, has_photo=has_photo
        )
        if discussion_title == "":
            return channel, None
        group = self.create_group(discussion_title or f"{title} — обсуждение")
        channel.linked_chat_id, group.linked_chat_id = group.id, channel.id
        return channel, group

    def create_group(self, title: str, members: Iterable[EmuUser] = ()) -> EmuChat:
        group = self._new_chat("supergroup", title)
        group.members.update(user.id for user in members)
        return group

    def add_admin(
        self,
        chat: EmuChat,
        user: EmuUser,
        *,
        is_owner: bool = False,
        can_delete_messages: bool = True,
        can_restrict_members: bool = True,
    ) -> None:
        chat.admins[user.id] = AdminRights(is_owner, can_delete_messages, can_restrict_members)

    def add_member(self, chat: EmuChat, user: EmuUser) -> None:
        chat.members.add(user.id)

    # --- clock ---------------------------------------------------------------------------------------------

    def set_clock(self, moment: datetime) -> None:
        self.state.clock.set(moment)

    def advance_clock(self, seconds: float) -> None:
        self.state.clock.advance(seconds)

    # --- channel posts and comments ------------------------------------------------------------------------

    def post_to_channel(self, channel: EmuChat, text: str, kind: str = "text") -> StoredMessage:
        """Publish a post: the bot gets channel_post, the discussion group gets the automatic forward."""
        if kind not in _MEDIA_KINDS:
            raise ScriptError(f"unknown post kind {kind!r}")
        post = self.state.new_message(channel, {"sender_chat": channel.to_api(), **_content(kind, text)})
        self.state.deliver(channel, "channel_post", post.payload)
        group = self._linked(channel)
        if group is not None:
            origin = {
                "type": "channel",
                "date": post.date,
                "chat": channel.to_api(),
                "message_id": post.message_id,
            }
            fields = {
                "from": self.service_user.to_api(),
                "sender_chat": channel.to_api(),
                "is_automatic_forward": True,
                "forward_origin": origin,
                **_content(kind, text),
            }
            forward = self.state.new_message(group, fields)
            self.state.deliver(group, "message", forward.payload)
        return post

    def edit_channel_post(self, post: StoredMessage, text: str) -> None:
        key = "caption" if "caption" in post.payload else "text"
        post.payload[key] = text
        post.payload["edit_date"] = int(self.state.clock.time())
        self.state.deliver(self.state.chats[post.chat_id], "edited_channel_post", post.payload)

    def forward_of(self, post: StoredMessage) -> StoredMessage:
        """The automatic forward of a channel post in its discussion group."""
        group = self._linked(self.state.chats[post.chat_id])
        for stored in self.state.messages.values():
            origin = stored.payload.get("forward_origin") or {}
            if group and stored.chat_id == group.id and origin.get("message_id") == post.message_id:
                return stored
        raise ScriptError(f"post {post.message_id} has no automatic forward")

    def post_comment(
        self,
        post: StoredMessage,
        text: str,
        *,
        user: EmuUser | None = None,
        as_chat: EmuChat | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """A comment under a channel post, from a user or on behalf of a channel (`as_chat`)."""
        forward = self.forward_of(post)
        group = self.state.chats[forward.chat_id]
        self._check_may_write(group, user, as_chat)
        target = reply_to or forward
        fields: dict[str, Any] = {
            "message_thread_id": forward.message_id,
            "reply_to_message": dict(target.payload),
            "text": text,
        }
        if as_chat is not None:
            fields.update({"from": self.channel_bot.to_api(), "sender_chat": as_chat.to_api()})
        elif user is not None:
            fields["from"] = user.to_api()
        else:
            raise ScriptError("a comment needs a user or a sender chat")
        comment = self.state.new_message(group, fields)
        self.state.deliver(group, "message", comment.payload)
        return comment

    def say(self, chat: EmuChat, user: EmuUser, text: str) -> StoredMessage:
        """A user writes in a group (a moderator's command in the moderators' chat)."""
        if not self.state.is_in_chat(user.id, chat):
            raise ScriptError(f"user {user.id} is not in chat {chat.id}")
        fields: dict[str, Any] = {"from": user.to_api(), "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message = self.state.new_message(chat, fields)
        self.state.deliver(chat, "message", message.payload)
        return message

    def replies_to(self, message: StoredMessage) -> list[StoredMessage]:
        """Messages a bot sent in the same chat after `message` (its answers)."""
        return [
            m
            for m in self.sent_by_bots(self.state.chats[message.chat_id])
            if m.message_id > message.message_id
        ]

    def edit_comment(self, comment: StoredMessage, text: str) -> None:
        comment.payload["text"] = text
        comment.payload["edit_date"] = int(self.state.clock.time())
        self.state.deliver(self.state.chats[comment.chat_id], "edited_message", comment.payload)

    def _linked(self, channel: EmuChat) -> EmuChat | None:
        return self.state.chats.get(channel.linked_chat_id) if channel.linked_chat_id else None

    def _check_may_write(self, group: EmuChat, user: EmuUser | None, as_chat: EmuChat | None) -> None:
        if as_chat is not None and (group.id, as_chat.id) in self.state.sender_chat_bans:
            raise ScriptError(f"channel {as_chat.id} is banned in {group.id}")
        if user is None:
            return
        if (group.id, user.id) in self.state.bans:
            raise ScriptError(f"user {user.id} is banned in {group.id}")
        restriction = self.restriction(group, user.id)
        if restriction is not None and not restriction.permissions.get("can_send_messages", True):
            raise ScriptError(f"user {user.id} may not send messages in {group.id}")

    # --- buttons -------------------------------------------------------------------------------------------

    def press_button(
        self, message: StoredMessage, user: EmuUser, *, text: str | None = None, data: str | None = None
    ) -> str:
        """A user presses an inline button (found by its text, or raw callback data); returns the query id."""
        if data is None:
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            found = [button for row in rows for button in row if button["text"] == text]
            if not found:
                raise ScriptError(f"no button {text!r} on message {message.message_id}")
            data = str(found[0]["callback_data"])
        bot = next((bot for bot in self.state.bots.values() if bot.token == message.sent_by_token), None)
        if bot is None:
            raise ScriptError("buttons only come from messages a bot sent")
        callback_id = self.state.take_callback_id()
        query = {
            "id": callback_id,
            "from": user.to_api(),
            "chat_instance": f"ci{abs(message.chat_id)}",
            "message": dict(message.payload),
            "data": data,
        }
        self.state.deliver_to(bot, "callback_query", query)
        return callback_id

    # --- read-back -----------------------------------------------------------------------------------------

    def messages_in(self, chat: EmuChat, *, include_deleted: bool = False) -> list[StoredMessage]:
        found = [
            m
            for m in self.state.messages.values()
            if m.chat_id == chat.id and (include_deleted or not m.deleted)
        ]
        return sorted(found, key=lambda stored: stored.message_id)

    def sent_by_bots(self, chat: EmuChat) -> list[StoredMessage]:
        return [stored for stored in self.messages_in(chat) if stored.sent_by_token is not None]

    def is_deleted(self, message: StoredMessage) -> bool:
        return self.state.messages[(message.chat_id, message.message_id)].deleted

    def restriction(self, chat: EmuChat, user_id: int) -> RestrictionRecord | None:
        """The user's restriction in force now (an expired until_date has lifted it)."""
        record = self.state.restrictions.get((chat.id, user_id))
        if record is None or (record.until_date and record.until_date <= self.state.clock.time()):
            return None
        return record

    def answer_to(self, callback_id: str) -> str | None:
        answer = self.state.callback_answers.get(callback_id)
        return answer.text if answer else None

    async def wait_until(self, condition: Callable[[], object], timeout: float = 5.0) -> None:
        """Let the bot under test catch up: poll `condition` until it holds, or fail after `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise TimeoutError("the emulated world did not reach the expected state in time")
            await asyncio.sleep(0.01)


def _content(kind: str, text: str) -> dict[str, Any]:
    """Message fields for a post of the given kind; media carry the text as a caption."""
    if kind == "photo":
        size = {"file_id": "ph1", "file_unique_id": "ph1", "width": 1280, "height": 720}
        return {"photo": [size], "caption": text}
    if kind == "video":
        video = {"file_id": "vd1", "file_unique_id": "vd1", "width": 1280, "height": 720, "duration": 30}
        return {"video": video, "caption": text}
    if kind == "poll":
        options = [
            {"persistent_id": "yes", "text": "Да", "voter_count": 0},
            {"persistent_id": "no", "text": "Нет", "voter_count": 0},
        ]
        poll = {
            "id": "poll1",
            "question": text,
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return {"poll": poll}
    return {"text": text}
