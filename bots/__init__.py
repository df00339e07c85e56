"""Adapters to the real platforms: VK and Telegram intake, actions, the moderators' queue in Telegram.
May import moderation/, models/ and monitor/ ports; never emulators/ or dozor/.
"""
