"""The VK API emulator: a loopback HTTP server the real vk_api client talks to, with VK's errors and limits.
Imports nothing of the product.
"""
