"""The `news` spider's arguments, from ``scrapy crawl news -a NAME=VALUE`` or from Python.

``scrapy crawl -a`` passes every value as a string, while ``newsarchive crawl``
(and crawl plans, see :func:`newsarchive.plan.site_spider_args`) pass lists,
booleans and numbers: each argument has one converter that accepts both.
Lists given as strings are comma-separated, or a JSON array (needed for
regular expressions that contain commas).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from newsarchive.discovery.dates import is_since, parse_rfc3339

DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_PORTS = frozenset(DEFAULT_PORTS.values())
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def as_list(value: Any) -> list[str]:
    """``"a,b"``, ``'["a", "b"]'``, a list/tuple or None -> list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def as_url_list(value: Any) -> list[str]:
    """Like :func:`as_list`, each item an http(s) URL (a bare host gets ``http://``)."""
    from newsarchive.plan import url_error

    urls = []
    for item in as_list(value):
        if "://" not in item:
            item = f"http://{item}"
        url, error = url_error(item)
        if error:
            raise ValueError(error)
        urls.append(url)
    return urls


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def as_optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def as_optional_text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def as_patterns(value: Any) -> list[str]:
    patterns = as_list(value)
    for pattern in patterns:
        re.compile(pattern)  # raises re.error with the position of the mistake
    return patterns


def as_since(value: Any) -> str | None:
    text = as_optional_text(value)
    if text is not None and parse_rfc3339(text) is None:
        raise ValueError(f"articles_since is not an RFC 3339 date: {text!r}")
    return text


def host_and_port(url: str) -> tuple[str, int] | None:
    """``(host without www., port)`` of an http(s) URL, the default port written out."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS:
        return None
    return (parts.hostname or "").lower().removeprefix("www."), port or DEFAULT_PORTS[parts.scheme]


def scope_entry(entry: str, named_urls: list[str]) -> tuple[str, frozenset[int]]:
    """``(host, ports)`` an ``allowed_hosts`` entry allows.

    ``host:port`` allows that port. A bare host allows the ports the seeds and named
    sources use on it; the web ports (80 and 443) unless those all use other ports: a
    site served on 127.0.0.1:28417 must not send the crawl to 127.0.0.1:80.
    """
    host, colon, port = entry.rpartition(":")
    bare_ipv6 = entry.count(":") > 1 and not entry.startswith("[")
    if colon and port.isdigit() and not bare_ipv6:
        return host.strip("[]"), frozenset({int(port)})
    host = entry.strip("[]")
    used = set()
    for url in named_urls:
        found = host_and_port(url)
        if found and (found[0] == host or found[0].endswith("." + host)):
            used.add(found[1])
    other = frozenset(used - WEB_PORTS)
    return host, other | WEB_PORTS if used & WEB_PORTS or not other else other


@dataclass
class SpiderOptions:
    """What one crawl of one site should do (defaults: discover everything from the seeds)."""

    start_urls: list[str] = field(default_factory=list)
    allowed_hosts: list[str] = field(default_factory=list)
    robots_sitemaps: bool = True
    news_sitemaps: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    discover_feeds: bool = True
    follow_links: bool = True
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    canonical_hosts: list[str] = field(default_factory=list)  # see normalize.same_site
    max_depth: int = 2
    max_pages: int | None = None  # enforced by CLOSESPIDER_PAGECOUNT; kept for the record
    articles_since: str | None = None
    refetch: str = "never"
    site: str | None = None
    plan: str | None = None

    def __post_init__(self) -> None:
        if not self.allowed_hosts:  # the hosts of the seeds, or else of the sitemaps and feeds
            urls = self.start_urls or self.entry_urls
            self.allowed_hosts = sorted({urlsplit(u).hostname or "" for u in urls})
        self.allowed_hosts = sorted({h.lower().removeprefix("www.") for h in self.allowed_hosts})
        self._include = [re.compile(p) for p in self.include]
        self._exclude = [re.compile(p) for p in self.exclude]
        self._since: datetime | None = parse_rfc3339(self.articles_since)
        named = [*self.start_urls, *self.news_sitemaps, *self.sitemaps, *self.feeds]
        self._scope = [scope_entry(entry, named) for entry in self.allowed_hosts]

    @property
    def allowed_domains(self) -> list[str]:
        """The allowed host names without ports (Scrapy's ``allowed_domains``)."""
        return sorted({host for host, _ in self._scope if host})

    @property
    def entry_urls(self) -> list[str]:
        """Where the crawl starts: seeds, and a plan's sitemaps and feeds."""
        return [*self.start_urls, *self.news_sitemaps, *self.sitemaps, *self.feeds]

    def on_allowed_host(self, url: str) -> bool:
        """On an allowed host (or below it) and on one of that host's allowed ports."""
        found = host_and_port(url)
        if found is None:
            return False
        host, port = found
        return any(
            (host == h or host.endswith("." + h)) and port in ports for h, ports in self._scope
        )

    def wants_page(self, url: str) -> bool:
        """A discovered page URL is in scope: allowed host, include and exclude patterns."""
        if not self.on_allowed_host(url):
            return False
        if self._include and not any(p.search(url) for p in self._include):
            return False
        return not any(p.search(url) for p in self._exclude)

    def recent_enough(self, date_text: str | None) -> bool:
        """ "articles since": an entry dated before it is skipped; undated entries pass."""
        return is_since(date_text, self._since)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "start_urls": as_url_list,
    "allowed_hosts": as_list,
    "robots_sitemaps": as_bool,
    "news_sitemaps": as_url_list,
    "sitemaps": as_url_list,
    "feeds": as_url_list,
    "discover_feeds": as_bool,
    "follow_links": as_bool,
    "include": as_patterns,
    "exclude": as_patterns,
    "canonical_hosts": as_list,
    "max_depth": int,
    "max_pages": as_optional_int,
    "articles_since": as_since,
    "refetch": str,
    "site": as_optional_text,
    "plan": as_optional_text,
}


def spider_options(arguments: Mapping[str, Any]) -> tuple[SpiderOptions, dict[str, Any]]:
    """``(options, other arguments)``; a bad value raises ValueError naming the argument."""
    known: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for name, value in arguments.items():
        if name not in CONVERTERS:
            rest[name] = value
            continue
        try:
            known[name] = CONVERTERS[name](value)
        except (ValueError, TypeError, re.error, json.JSONDecodeError) as exc:
            raise ValueError(f"spider argument {name}={value!r}: {exc}") from None
    return SpiderOptions(**known), rest
