"""Sitemap URLs named in robots.txt (``Sitemap:`` lines, anywhere in the file)."""

from __future__ import annotations

from newsarchive.discovery.sitemaps import absolute_http_url

# robots.txt files beyond this size are truncated by Google too (500 KiB).
MAX_ROBOTS_BYTES = 512 * 1024


def sitemaps_from_robots(body: bytes | str, robots_url: str) -> list[str]:
    """Absolute, de-duplicated sitemap URLs from a robots.txt body, in file order."""
    if isinstance(body, bytes):
        body = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    found: list[str] = []
    for line in body.splitlines():
        content = line.split("#", 1)[0].strip().lstrip("\ufeff")
        name, sep, value = content.partition(":")
        if not sep or name.strip().lower() != "sitemap":
            continue
        url = absolute_http_url(value.strip(), robots_url)
        if url and url not in found:
            found.append(url)
    return found
