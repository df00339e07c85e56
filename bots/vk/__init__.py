"""VK adapter: reads comments (Bots Long Poll + wall.getComments catch-up), acts as a page manager and
reads page facts.

The loopback emulator used by tests and the demo lives in `bots.vk.emulator` and is not imported here.
"""

from bots.vk.actions import VkActions
from bots.vk.pages import PostKind, VkManager, VkPageInfo, VkPost
from bots.vk.transport import API_VERSION, make_vk, map_error
from bots.vk.worker import CursorStore, MemoryCursorStore, VkWorker

__all__ = [
    "API_VERSION",
    "CursorStore",
    "MemoryCursorStore",
    "PostKind",
    "VkActions",
    "VkManager",
    "VkPageInfo",
    "VkPost",
    "VkWorker",
    "make_vk",
    "map_error",
]
