"""VK adapter: comments by Bots Long Poll and wall.getComments catch-up, actions as manager, page facts.
May import moderation/ and monitor/ ports; the loopback emulator lives in emulators/vk/.
"""
