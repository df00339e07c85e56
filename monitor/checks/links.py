"""Finding a link to an official page in an organisation's site HTML, however broken that HTML is."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from moderation.types import Platform
from monitor.ports import PageRef

HOSTS: dict[Platform, frozenset[str]] = {
    Platform.VK: frozenset(
        {"vk.com", "vk.ru", "m.vk.com", "m.vk.ru", "www.vk.com", "www.vk.ru", "new.vk.com"}
    ),
    Platform.TELEGRAM: frozenset({"t.me", "telegram.me", "www.t.me", "www.telegram.me", "telegram.dog"}),
}
RAW_URL = re.compile(r"(?:https?:)?//(?:[\w-]+\.)*(?:vk\.com|vk\.ru|t\.me|telegram\.me)/[\w.@%-]+", re.I)


class _LinkCollector(HTMLParser):
    """Collects href values; html.parser never raises on malformed markup, which old municipal sites need."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "data-href", "src"} and value:
                self.links.append(value.strip())


def extract_links(html: str) -> list[str]:
    """Every href in the document plus bare social URLs in text or scripts (widgets often hide them there)."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.links + RAW_URL.findall(html)


def page_aliases(page: PageRef) -> set[str]:
    """Path segments under which the platform serves this page (VK also answers to club<id>)."""
    aliases = {page.address.lower().lstrip("@")}
    if page.platform is Platform.VK and page.platform_id:
        group_id = page.platform_id.lstrip("-")
        aliases |= {f"club{group_id}", f"public{group_id}", f"event{group_id}"}
    return aliases


def link_target(url: str, platform: Platform) -> str | None:
    """The first path segment of a link to the platform, lower-cased; None for links elsewhere."""
    bare_host = "//" not in url and url.lower().startswith(tuple(f"{h}/" for h in HOSTS[platform]))
    candidate = f"//{url}" if bare_host else url
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if (parts.hostname or "").lower() not in HOSTS[platform]:
        return None
    segment = parts.path.strip("/").split("/")[0]
    return segment.lower().lstrip("@") or None


def find_page_link(html: str, page: PageRef) -> str | None:
    """The first link in the HTML that leads to this page, as written on the site."""
    aliases = page_aliases(page)
    for url in extract_links(html):
        if link_target(url, page.platform) in aliases:
            return url
    return None
