"""Loopback emulators of the VK API and the Telegram Bot API, and the demonstration's made-up city and pages.
Imported only by the demonstration (dozor.demo), the benchmarks and the tests; never by the product.
"""
