"""Fetching an organisation's official site with timeouts, a redirect limit and a size cap."""

from __future__ import annotations

import logging
import re

import aiohttp

from monitor.config import MonitorConfig
from monitor.ports import SiteUnavailable

log = logging.getLogger(__name__)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
USER_AGENT = "Mozilla/5.0 (compatible; DozorMonitor/0.1; official pages compliance check)"


def decode_html(body: bytes, header_charset: str | None) -> str:
    """Decode by HTTP header, meta tag, UTF-8, then windows-1251 (common on old municipal sites)."""
    candidates = [header_charset]
    if match := META_CHARSET.search(body[:4096]):
        candidates.append(match.group(1).decode("ascii", "ignore"))
    for charset in [*candidates, "utf-8"]:
        if not charset:
            continue
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1251", errors="replace")


class AiohttpSiteFetcher:
    """SiteFetcher over aiohttp. A site without a scheme is tried over https first, then http."""

    def __init__(self, timeout_s: float = 15.0, max_redirects: int = 5, max_bytes: int = 3_000_000) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(timeout_s, 10.0))
        self._max_redirects = max_redirects
        self._max_bytes = max_bytes

    @classmethod
    def from_config(cls, config: MonitorConfig) -> AiohttpSiteFetcher:
        return cls(config.site_timeout_s, config.site_max_redirects, config.site_max_bytes)

    async def fetch(self, url: str) -> str:
        urls = [url] if "://" in url else [f"https://{url}", f"http://{url}"]
        last: SiteUnavailable | None = None
        for candidate in urls:
            try:
                return await self._get(candidate)
            except SiteUnavailable as exc:
                last = exc
        assert last is not None
        raise last

    async def _get(self, url: str) -> str:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"}
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout, headers=headers) as session,
                session.get(url, allow_redirects=True, max_redirects=self._max_redirects) as resp,
            ):
                if resp.status >= 400:
                    raise SiteUnavailable(f"{url}: HTTP {resp.status}")
                body = await resp.content.read(self._max_bytes)
                return decode_html(body, resp.charset)
        except aiohttp.TooManyRedirects as exc:
            raise SiteUnavailable(f"{url}: more than {self._max_redirects} redirects") from exc
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise SiteUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
