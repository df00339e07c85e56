"""The weekly compliance digest for the press service: data.py gathers, html.py/message.py render."""

from monitor.digest.data import DigestSources, Fix, PageLine, WeekDigest, gather_digest
from monitor.digest.html import render_html
from monitor.digest.job import BuiltDigest, DigestDeps, build_digest, send_weekly_digest
from monitor.digest.message import render_message

__all__ = [
    "BuiltDigest",
    "DigestDeps",
    "DigestSources",
    "Fix",
    "PageLine",
    "WeekDigest",
    "build_digest",
    "gather_digest",
    "render_html",
    "render_message",
    "send_weekly_digest",
]
