"""Who is in a chat as the Bot API tells it: administrators (getChatAdministrators) and one member's standing,
restricted until when or banned (getChatMember)."""

from __future__ import annotations

from typing import Any

from emulators.telegram.model import DEFAULT_MEMBER_PERMISSIONS, AdminRights, ApiError
from emulators.telegram.params import Files, Method, Params, int_param, member_chat
from emulators.telegram.state import BotAccount, EmulatorState


async def get_chat_member(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    """A member's status in a group: restricted (with until_date, 0 = for ever), kicked, member or left."""
    chat = member_chat(state, bot, params)
    user_id = int_param(params, "user_id")
    user = state.users.get(user_id)
    if user is None:
        raise ApiError(400, "Bad Request: user not found")
    if user_id in chat.admins:
        return _admin_member(state, user_id, chat.admins[user_id])
    if (chat.id, user_id) in state.bans:
        return {"status": "kicked", "user": user.to_api(), "until_date": state.bans[(chat.id, user_id)]}
    record = state.restrictions.get((chat.id, user_id))
    if record is not None and (record.until_date == 0 or record.until_date > state.clock.time()):
        flags = {**DEFAULT_MEMBER_PERMISSIONS, **record.permissions}
        flags.update(can_react_to_messages=True, can_edit_tag=False, can_manage_topics=False)
        is_member = user_id in chat.members
        return {
            "status": "restricted",
            "user": user.to_api(),
            "is_member": is_member,
            **flags,
            "until_date": record.until_date,
        }
    status = "member" if user_id in chat.members else "left"
    return {"status": status, "user": user.to_api()}


async def get_chat_administrators(state: EmulatorState, bot: BotAccount, params: Params, files: Files) -> Any:
    chat = member_chat(state, bot, params)
    return [_admin_member(state, user_id, rights) for user_id, rights in chat.admins.items()]


def _admin_member(state: EmulatorState, user_id: int, rights: AdminRights) -> dict[str, Any]:
    user = state.users[user_id].to_api()
    if rights.is_owner:
        return {"status": "creator", "user": user, "is_anonymous": False}
    flags = dict.fromkeys(
        [
            "can_manage_chat",
            "can_manage_video_chats",
            "can_promote_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
            "can_send_welcome_messages",
        ],
        True,
    )
    flags["can_promote_members"] = False
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": False,
        **flags,
        "can_delete_messages": rights.can_delete_messages,
        "can_restrict_members": rights.can_restrict_members,
    }


MEMBER_METHODS: dict[str, Method] = {
    "getchatadministrators": get_chat_administrators,
    "getchatmember": get_chat_member,
}
