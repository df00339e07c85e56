"""The VK methods the moderators' workbench reads and writes with: users.get (authors' names, up to 1,000 ids
a call), wall.getComment (is a comment deleted now), groups.getBanned (is an author banned, until when) and
wall.createComment (a page's reply to an author), in VK 5.199's shapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from emulators.vk.model import EmuComment, EmuGroup, TokenInfo, VkFault
from emulators.vk.params import Params, int_param, require_manager, require_own_group, wall_group
from emulators.vk.state import VkWorld

USERS_PER_CALL = 1000

PEOPLE_TOKEN_KINDS: dict[str, frozenset[str]] = {
    "users.get": frozenset({"user", "group", "service"}),
    "wall.getComment": frozenset({"user"}),
    "groups.getBanned": frozenset({"user", "group"}),
    "wall.createComment": frozenset({"user", "group"}),
}


def users_get(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    refs = [ref.strip() for ref in params.get("user_ids", "").split(",") if ref.strip()]
    if not refs and info.user_id is not None:
        refs = [str(info.user_id)]
    if len(refs) > USERS_PER_CALL:
        raise VkFault(100, "One of the parameters specified was missing or invalid: user_ids is too long")
    fields = {f.strip() for f in params.get("fields", "").split(",")}
    return [_profile(world, ref, fields) for ref in refs]


def _profile(world: VkWorld, ref: str, fields: set[str]) -> dict[str, Any]:
    found = next((p for p in world.profiles.values() if p.screen_name and p.screen_name == ref), None)
    if found is None:
        if not ref.lstrip("id").isdigit():
            raise VkFault(113, "Invalid user id")
        user_id = int(ref.lstrip("id"))
        found = world.profiles.get(user_id)
        if found is None:  # every id is someone on VK; one the emulator does not know reads as deleted
            return {"id": user_id, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"}
    body: dict[str, Any] = {
        "id": found.id,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "can_access_closed": True,
        "is_closed": False,
    }
    if "screen_name" in fields:
        body["screen_name"] = found.screen_name or f"id{found.id}"
    return body


def wall_get_comment(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = wall_group(world, params)
    comment = group.comments.get(int_param(params, "comment_id"))
    if comment is None:
        raise VkFault(100, "One of the parameters specified was missing or invalid: comment_id is invalid")
    body = VkWorld.comment_object(comment)
    if comment.deleted:  # VK keeps the place of a deleted comment, without its text
        body.update(deleted=True, text="")
    return {"items": [body], "profiles": [], "groups": [], "can_post": True}


def groups_get_banned(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = world.group(int_param(params, "group_id"))
    require_own_group(group, info)
    if info.kind == "user":
        require_manager(group, info)
    wanted = int_param(params, "owner_id", 0) or None
    now = time.time()
    bans = [
        ban
        for ban in group.bans.values()
        if (wanted is None or ban.owner_id == wanted) and (ban.end_date is None or ban.end_date > now)
    ]
    offset, count = int_param(params, "offset", 0), min(int_param(params, "count", 20), 200)
    items = []
    for ban in bans[offset : offset + count]:
        kind = "group" if ban.owner_id < 0 else "profile"
        items.append(
            {
                "type": kind,
                kind: {"id": abs(ban.owner_id)} if kind == "group" else {"id": ban.owner_id},
                "ban_info": {
                    "admin_id": ban.admin_id or 0,
                    "date": 0,
                    "reason": ban.reason,
                    "comment": ban.comment,
                    "comment_visible": ban.comment_visible,
                    "end_date": ban.end_date or 0,
                },
            }
        )
    return {"count": len(bans), "items": items}


def wall_create_comment(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = wall_group(world, params)
    post_id = int_param(params, "post_id")
    if post_id not in group.posts:
        raise VkFault(212, "Access to post comments denied: post not found")
    message = params.get("message", "")
    if not message.strip():
        raise VkFault(100, "One of the parameters specified was missing or invalid: message is empty")
    as_group = params.get("from_group", "0") not in ("", "0")
    if info.kind == "group":
        require_own_group(group, info)
        from_id = -group.id
    else:
        if as_group:
            require_manager(group, info)
        from_id = -group.id if as_group else info.user_id or 0
    parent = group.comments.get(int_param(params, "reply_to_comment", 0))
    comment = EmuComment(
        group.next_id(),
        -group.id,
        post_id,
        from_id,
        int(time.time()),
        message,
        reply_to_comment=parent.id if parent else None,
        reply_to_user=parent.from_id if parent else None,
        thread_id=(parent.thread_id or parent.id) if parent else None,
    )
    group.comments[comment.id] = comment
    world.emit(group, "wall_reply_new", VkWorld.comment_object(comment))
    return {"comment_id": comment.id, "parents_stack": [comment.thread_id] if comment.thread_id else []}


def page_replies(world: VkWorld, group_id: int) -> list[EmuComment]:
    """The page's own comments (its replies to authors), for tests and the demonstration."""
    with world.lock:
        group: EmuGroup = world.group(group_id)
        return [c for c in group.comments.values() if c.from_id == -group_id]


PEOPLE_HANDLERS: dict[str, Callable[[VkWorld, TokenInfo, Params], Any]] = {
    "users.get": users_get,
    "wall.getComment": wall_get_comment,
    "groups.getBanned": groups_get_banned,
    "wall.createComment": wall_create_comment,
}
