"""The Telegram Bot API emulator: a loopback HTTP server the real aiogram client talks to; a scripted world.
Imports nothing of the product.
"""
