"""Telegram adapter: channel posts and comments, moderation actions, the moderators' cards, the digest.
May import moderation/, models/ and monitor/ ports; the loopback emulator lives in emulators/telegram/.
"""
