"""The VK API methods the emulator answers, with VK 5.199's shapes and refusals.

Each handler takes the world (lock held), the caller's token info and the request parameters (strings, as they
arrive on the wire) and returns the value of "response" or raises `VkFault`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from emulators.vk import execute
from emulators.vk.model import EmuBan, EmuComment, EmuGroup, EmuPost, TokenInfo, VkFault
from emulators.vk.params import Params
from emulators.vk.params import int_param as _int
from emulators.vk.params import require_manager as _require_manager
from emulators.vk.params import require_own_group as _require_own_group
from emulators.vk.params import wall_group as _wall_group
from emulators.vk.people import PEOPLE_HANDLERS, PEOPLE_TOKEN_KINDS
from emulators.vk.state import VkWorld

Handler = Callable[[VkWorld, TokenInfo, Params], Any]

# access_token_type from the schema (vk-api-schema/*_methods.json)
TOKEN_KINDS: dict[str, frozenset[str]] = {
    "groups.getLongPollServer": frozenset({"user", "group"}),
    "groups.getById": frozenset({"user", "group", "service"}),
    "groups.getMembers": frozenset({"user", "group", "service"}),
    "groups.ban": frozenset({"user"}),
    "groups.unban": frozenset({"user"}),
    "wall.get": frozenset({"user", "service"}),
    "wall.getById": frozenset({"user", "service"}),
    "wall.getComments": frozenset({"user", "service"}),
    "wall.deleteComment": frozenset({"user"}),
    "wall.restoreComment": frozenset({"user"}),
    "execute": frozenset({"user", "group"}),
    **PEOPLE_TOKEN_KINDS,
}

YEAR = 365 * 24 * 3600


def check_token_kind(method: str, info: TokenInfo) -> None:
    """Refuse the way VK does: 27 for a community token on a user method, 28 for a service token."""
    allowed = TOKEN_KINDS.get(method)
    if allowed is None:
        raise VkFault(3, "Unknown method passed")
    if info.kind in allowed:
        return
    if info.kind == "group":
        raise VkFault(27, "Group authorization failed: method is unavailable with group auth.")
    raise VkFault(28, "Application authorization failed: method is unavailable with service token.")


def _attachments(post: EmuPost) -> list[dict[str, Any]]:
    if post.kind == "text":
        return []
    body: dict[str, Any] = {"id": post.id * 10, "owner_id": post.owner_id}
    if post.kind == "poll":
        body["question"] = post.text[:60] or "Опрос"
    return [{"type": post.kind, post.kind: body}]


def _post_object(group: EmuGroup, post: EmuPost) -> dict[str, Any]:
    live = [c for c in group.comments.values() if c.post_id == post.id and not c.deleted]
    return {
        "id": post.id,
        "owner_id": post.owner_id,
        "from_id": post.owner_id,
        "date": post.date,
        "text": post.text,
        "post_type": "post",
        "attachments": _attachments(post),
        "comments": {"count": len(live), "can_post": 1},
        "is_pinned": int(post.is_pinned),
    }


def wall_get(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = _wall_group(world, params)
    count = min(_int(params, "count", 20), 100)
    offset = _int(params, "offset", 0)
    posts = sorted(group.posts.values(), key=lambda p: (not p.is_pinned, -p.date, -p.id))
    return {"count": len(posts), "items": [_post_object(group, p) for p in posts[offset : offset + count]]}


def wall_get_by_id(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    items = []
    for ref in params.get("posts", "").split(","):
        owner, _, post_id = ref.strip().partition("_")
        group = world.groups.get(-int(owner)) if owner.lstrip("-").isdigit() else None
        post = group.posts.get(int(post_id)) if group and post_id.isdigit() else None
        if group and post:
            items.append(_post_object(group, post))
    return {"items": items}


def _thread(group: EmuGroup, root: EmuComment, items_count: int) -> dict[str, Any]:
    replies = sorted(
        (c for c in group.comments.values() if c.thread_id == root.id and not c.deleted), key=lambda c: c.id
    )
    return {
        "count": len(replies),
        "items": [_comment(group, c) for c in replies[:items_count]],
        "can_post": True,
        "show_reply_button": True,
        "groups_can_post": True,
    }


def _comment(group: EmuGroup, comment: EmuComment, items_count: int = 0) -> dict[str, Any]:
    obj = VkWorld.comment_object(comment)
    if comment.deleted:  # a deleted comment kept for its replies: VK shows a stub without the text
        obj.update({"text": "", "deleted": True})
    if comment.thread_id is None:
        obj["thread"] = _thread(group, comment, items_count)
    return obj


def _listed(group: EmuGroup, comment: EmuComment) -> bool:
    """Live comments are listed; a deleted top-level comment too while it has live replies (as a stub)."""
    if not comment.deleted:
        return True
    return comment.thread_id is None and any(
        c.thread_id == comment.id and not c.deleted for c in group.comments.values()
    )


def wall_get_comments(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = _wall_group(world, params)
    post_id = _int(params, "post_id")
    if post_id not in group.posts:
        raise VkFault(212, "Access to post comments denied: post not found")
    count = min(_int(params, "count", 10), 100)
    offset = _int(params, "offset", 0)
    items_count = min(_int(params, "thread_items_count", 0), 10)
    parent = _int(params, "comment_id", 0) or None
    level = sorted(
        (
            c
            for c in group.comments.values()
            if c.post_id == post_id and c.thread_id == parent and _listed(group, c)
        ),
        key=lambda c: c.id,
        reverse=params.get("sort") == "desc",
    )
    start = _int(params, "start_comment_id", 0)
    if start:
        positions = [i for i, c in enumerate(level) if c.id == start]
        if not positions:
            raise VkFault(100, "One of the parameters specified was missing or invalid: start_comment_id")
        offset += positions[0]
    page = level[offset : offset + count]
    on_post = sum(1 for c in group.comments.values() if c.post_id == post_id and not c.deleted)
    return {
        "count": len(level) if parent else on_post,  # VK counts replies in the post's total
        "current_level_count": len(level),
        "can_post": True,
        "show_reply_button": True,
        "groups_can_post": True,
        "items": [_comment(group, c, items_count) for c in page],
    }


def _managed_comment(world: VkWorld, info: TokenInfo, params: Params) -> tuple[EmuGroup, EmuComment, int]:
    group = _wall_group(world, params)
    user_id = _require_manager(group, info)
    comment = group.comments.get(_int(params, "comment_id"))
    if comment is None:
        raise VkFault(104, "Not found")
    return group, comment, user_id


def wall_delete_comment(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group, comment, user_id = _managed_comment(world, info, params)
    if comment.deleted:
        raise VkFault(104, "Not found: comment already deleted")
    comment.deleted, comment.deleter_id = True, user_id
    group.deletions[comment.id] = group.deletions.get(comment.id, 0) + 1
    world.effects.append(("delete", group.id, comment.id))
    world.emit(
        group,
        "wall_reply_delete",
        {
            "owner_id": comment.owner_id,
            "id": comment.id,
            "deleter_id": user_id,
            "post_id": comment.post_id,
            "user_id": comment.from_id,
        },
    )
    return 1


def wall_restore_comment(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group, comment, _ = _managed_comment(world, info, params)
    if not comment.deleted:
        raise VkFault(243, "Comment has not been deleted")
    comment.deleted, comment.deleter_id = False, None
    world.effects.append(("restore", group.id, comment.id))
    world.emit(group, "wall_reply_restore", world.comment_object(comment))
    return 1


def groups_ban(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = world.group(_int(params, "group_id"))
    admin_id = _require_manager(group, info)
    owner_id = _int(params, "owner_id")
    if owner_id in group.managers:
        raise VkFault(15, "Access denied: cannot ban a manager")
    end_date = _int(params, "end_date", 0) or None
    if end_date is not None and not time.time() < end_date <= time.time() + YEAR + 60:
        raise VkFault(100, "One of the parameters specified was missing or invalid: end_date")
    reason = _int(params, "reason", 0)
    if reason not in range(5):
        raise VkFault(100, "One of the parameters specified was missing or invalid: reason")
    group.bans[owner_id] = EmuBan(
        group.id,
        owner_id,
        end_date,
        reason,
        params.get("comment", ""),
        params.get("comment_visible", "0") in ("1", "true"),
        admin_id,
    )
    world.effects.append(("ban", group.id, owner_id, end_date))
    world.emit(
        group,
        "user_block",
        {
            "admin_id": admin_id,
            "user_id": owner_id,
            "unblock_date": end_date or 0,
            "reason": reason,
            "comment": params.get("comment", ""),
        },
    )
    return 1


def groups_unban(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = world.group(_int(params, "group_id"))
    admin_id = _require_manager(group, info)
    owner_id = _int(params, "owner_id")
    if group.bans.pop(owner_id, None) is not None:
        world.effects.append(("unban", group.id, owner_id))
        world.emit(group, "user_unblock", {"admin_id": admin_id, "user_id": owner_id, "by_end_date": 0})
    return 1


def _resolve_group(world: VkWorld, ref: str) -> EmuGroup:
    ref = ref.strip()
    for group in world.groups.values():
        if ref in (str(group.id), group.screen_name, f"club{group.id}", f"public{group.id}"):
            return group
    raise VkFault(100, "One of the parameters specified was missing or invalid: group_ids is invalid")


def _addresses_info(addresses: list[str]) -> dict[str, Any]:
    """groups.getById gives only the main address (the rest need groups.getAddresses)."""
    info: dict[str, Any] = {"is_enabled": bool(addresses), "count": len(addresses)}
    if addresses:
        info["main_address_id"] = 1
        info["main_address"] = {"id": 1, "address": addresses[0], "title": "Приёмная"}
    return info


def _group_full(group: EmuGroup, fields: set[str]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "screen_name": group.screen_name,
        "is_closed": 0,
        "type": "page",
        "photo_50": "https://vk.ru/images/community_50.png",
    }
    optional: dict[str, Any] = {
        "description": group.description,
        "contacts": list(group.contacts),
        "site": group.site,
        "has_photo": int(group.has_photo),
        "cover": {"enabled": int(group.cover_enabled), "images": []},
        "addresses": _addresses_info(group.addresses),
    }
    obj.update({k: v for k, v in optional.items() if k in fields})
    return obj


def groups_get_by_id(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    refs = [r for r in params.get("group_ids", "").split(",") if r.strip()]
    if not refs:
        refs = [params.get("group_id") or str(info.group_id or "")]
    fields = {f.strip() for f in params.get("fields", "").split(",")}
    return {"groups": [_group_full(_resolve_group(world, r), fields) for r in refs], "profiles": []}


def groups_get_members(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = _resolve_group(world, params.get("group_id", ""))
    if params.get("filter") != "managers":
        return {"count": 0, "items": []}
    _require_own_group(group, info)
    if info.kind != "group":
        _require_manager(group, info)
    items = [{"id": uid, "role": role} for uid, role in sorted(group.managers.items())]
    return {"count": len(items), "items": items}


def groups_get_long_poll_server(world: VkWorld, info: TokenInfo, params: Params) -> Any:
    group = world.group(_int(params, "group_id"))
    _require_own_group(group, info)
    if info.kind == "user" and group.managers.get(info.user_id or 0) not in ("administrator", "creator"):
        raise VkFault(15, "Access denied: only an administrator can use the community's long poll")
    return {
        "key": world.new_longpoll_key(group),
        "server": f"{world.base_url}/lp/{group.id}",
        "ts": str(len(group.events)),
    }


HANDLERS: dict[str, Handler] = {
    "groups.getLongPollServer": groups_get_long_poll_server,
    "groups.getById": groups_get_by_id,
    "groups.getMembers": groups_get_members,
    "groups.ban": groups_ban,
    "groups.unban": groups_unban,
    "wall.get": wall_get,
    "wall.getById": wall_get_by_id,
    "wall.getComments": wall_get_comments,
    "wall.deleteComment": wall_delete_comment,
    "wall.restoreComment": wall_restore_comment,
    **PEOPLE_HANDLERS,
}


def call(world: VkWorld, method: str, params: Params) -> Any:
    """Run one API request under the world's lock; raises VkFault or HttpFault for the error answers.

    An injected hang holds the request before the lock (so the rest of the world goes on), as a stalled VK
    front end would. `execute` answers an ExecuteAnswer (its body has `execute_errors` beside `response`).
    """
    world.hang_if_asked(method, params)
    with world.lock:
        info = world.admit(method, params.get("access_token"))
        check_token_kind(method, info)
        world.run_hooks(method, params)
        if method == "execute":
            return execute.execute(params.get("code", ""), info, lambda m, i, p: _inner(world, m, i, p))
        return HANDLERS[method](world, info, params)


def _inner(world: VkWorld, method: str, info: TokenInfo, params: Params) -> Any:
    """One call inside execute: no rate check of its own, but injected failures and token rules apply."""
    world.count_inner(method)
    check_token_kind(method, info)
    world.run_hooks(method, params)
    if method == "execute":
        raise VkFault(13, "Runtime error occurred during code invocation: execute inside execute")
    return HANDLERS[method](world, info, params)
