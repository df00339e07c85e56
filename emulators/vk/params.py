"""Reading a VK API request's parameters and checking who may call, as VK answers mistakes (shared by the
emulator's method modules)."""

from __future__ import annotations

from emulators.vk.model import EmuGroup, TokenInfo, VkFault
from emulators.vk.state import VkWorld

Params = dict[str, str]


def int_param(params: Params, name: str, default: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise VkFault(100, f"One of the parameters specified was missing or invalid: {name} is undefined")
        return default
    try:
        return int(raw)
    except ValueError:
        raise VkFault(
            100, f"One of the parameters specified was missing or invalid: {name} not integer"
        ) from None


def wall_group(world: VkWorld, params: Params) -> EmuGroup:
    owner_id = int_param(params, "owner_id", 0)
    if owner_id == 0 and params.get("domain"):
        domain = params["domain"]
        for group in world.groups.values():
            if domain in (group.screen_name, f"club{group.id}"):
                return group
        raise VkFault(100, "One of the parameters specified was missing or invalid: domain is invalid")
    if owner_id >= 0:
        raise VkFault(15, "Access denied: only community walls are emulated")
    return world.group(-owner_id)


def require_manager(group: EmuGroup, info: TokenInfo) -> int:
    """User-token methods that change a community need a manager; anyone else gets 15 (as on VK)."""
    if info.user_id is None or info.user_id not in group.managers:
        raise VkFault(15, "Access denied: no access to this community")
    return info.user_id


def require_own_group(group: EmuGroup, info: TokenInfo) -> None:
    if info.kind == "group" and info.group_id != group.id:
        raise VkFault(15, "Access denied: community token of another community")
