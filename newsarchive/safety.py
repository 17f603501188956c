"""Safety checks for the crawler: addresses we refuse to fetch, and pages that are bot walls.

Addresses: a crawl follows URLs that other people's pages, sitemaps and
redirects name, so a hostile page could point it at a router, a cloud
metadata endpoint or the crawler's own machine. :func:`is_refused_address`
names why an address (or a host written as one, in any of the legacy IPv4
spellings resolvers accept) must not be fetched unless a plan allows it.

Block pages: anti-bot services answer with a 200, 202, 403, 429 or 503 page
that is a challenge, not the article. :func:`detect_block_page` recognises
them from headers and markers, so the spider records "block page" instead of
exporting an empty article. Vendor challenge markers count on any page;
generic phrases ("Access denied", "enable JavaScript and cookies", a captcha
widget) count only on pages with little visible text, because real articles
embed captchas in comment forms and write about denied access.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Plain dicts, or Scrapy-style headers with bytes names and values.
HeadersLike = Mapping[str, str] | Mapping[bytes, bytes]

# (ipaddress property, reason), checked in order: the first true one names the refusal.
REFUSED_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
    ("is_private", "private"),
    ("is_site_local", "site-local"),
)
# Host names that always mean this machine (RFC 6761).
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64 well-known prefix).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


def parse_address(text: str) -> IpAddress | None:
    """An IP address from ``text``: IPv6 with or without brackets/zone, dotted IPv4, and the
    legacy IPv4 spellings getaddrinfo accepts (``127.1``, ``2130706433``, ``0x7f.0.0.1``)."""
    candidate = text.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(candidate):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(candidate))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def classify_address(address: IpAddress) -> str | None:
    """Why ``address`` is refused ("loopback", "private", ...), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = classify_address(inner)
            return f"{reason} (IPv4 inside IPv6)" if reason else None
    for attribute, reason in REFUSED_PROPERTIES:
        if getattr(address, attribute, False):
            return reason
    if not address.is_global:
        return "not globally routable"
    return None


def is_refused_address(ip_or_host: str) -> str | None:
    """The reason to refuse a target (e.g. ``"loopback address 127.0.0.1"``), or None.

    Host names other than ``localhost`` return None: resolve them and check
    each resolved address, since a public name can point at a private address.
    """
    host = ip_or_host.strip().rstrip(".").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return f"loopback host name {host}"
    address = parse_address(host)
    if address is None:
        return None
    reason = classify_address(address)
    return f"{reason} address {address}" if reason else None


# --------------------------------------------------------------------------- block pages

BLOCK_STATUSES = frozenset({200, 202, 401, 403, 405, 429, 503})
# Pages with fewer visible words than this count as "small" (a challenge, not an article).
SMALL_PAGE_WORDS = 150
# Elements whose content no reader sees; an unclosed one hides the rest of the page.
_INVISIBLE_ELEMENTS = frozenset({"script", "style", "noscript", "template"})
_TAG_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-:")


@dataclass(frozen=True)
class BlockSignature:
    """One way a bot wall shows itself; any header or marker match fires it."""

    reason: str
    markers: tuple[str, ...] = ()  # lower-case substrings of the HTML
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case header name, substring of value)
    small_page_only: bool = False
    statuses: frozenset[int] = BLOCK_STATUSES


BLOCK_SIGNATURES: tuple[BlockSignature, ...] = (
    BlockSignature("Cloudflare challenge", headers=(("cf-mitigated", "challenge"),)),
    BlockSignature(
        "Cloudflare challenge",
        markers=(
            "window._cf_chl_opt",
            "cf_chl_opt",
            "cf-chl-widget",
            "cf-browser-verification",
            "<title>just a moment...</title>",
            "attention required! | cloudflare",
            "cf-error-details",
        ),
    ),
    BlockSignature("DataDome captcha", markers=("captcha-delivery.com",)),
    BlockSignature(
        "DataDome block",
        headers=(("x-datadome", ""), ("x-dd-b", "")),
        statuses=frozenset({401, 403, 405, 429}),
    ),
    BlockSignature(
        "PerimeterX captcha", markers=("px-captcha", "_pxcaptcha", "captcha.px-cdn.net")
    ),
    BlockSignature("Akamai block", markers=("errors.edgesuite.net",)),
    BlockSignature("Akamai block", headers=(("server", "akamaighost"),), statuses=frozenset({403})),
    BlockSignature(
        "captcha page",
        small_page_only=True,
        markers=(
            "g-recaptcha",
            "recaptcha/api.js",
            "h-captcha",
            "hcaptcha.com/1/api.js",
            "cf-turnstile",
            "captcha",
        ),
    ),
    BlockSignature(
        "JavaScript and cookie check",
        small_page_only=True,
        markers=(
            "enable js and cookies",
            "enable javascript and cookies",
            "please enable cookies",
            "enable javascript to continue",
            "checking your browser",
            "javascript is disabled",
        ),
    ),
    BlockSignature(
        "access denied page",
        small_page_only=True,
        markers=(
            "access denied",
            "access to this page has been denied",
            "you have been blocked",
            "request blocked",
            "are you a robot",
            "not a robot",
            "unusual traffic",
            "verify you are human",
            "automated access",
            "bot detection",
        ),
    ),
)


def _tag_name(html: str, start: int) -> str:
    """The lower-case element name that starts at ``start`` (after ``<``), bounded in length."""
    end = start
    limit = min(len(html), start + 32)  # no HTML element name is longer
    while end < limit and html[end] in _TAG_NAME_CHARS:
        end += 1
    return html[start:end]


def _after_markup(html: str, lt: int) -> int:
    """Where text resumes after the markup at ``html[lt] == "<"`` (len(html) when it never does).

    Every search starts where the previous one ended and what it scans is consumed, so a
    page is read once whatever it holds (unclosed scripts, tags or comments end the scan).
    """
    end = len(html)
    if html.startswith("<!--", lt):
        close = html.find("-->", lt + 4)
        return end if close < 0 else close + 3
    following = html[lt + 1 : lt + 2]
    if not (following.isalpha() or following in ("/", "!", "?")):
        return lt + 1  # "a < b" is text
    gt = html.find(">", lt + 1)
    if gt < 0:
        return end  # a tag left open at the end of the page shows nothing
    name = _tag_name(html, lt + 1)
    if name not in _INVISIBLE_ELEMENTS:
        return gt + 1
    close = html.find("</" + name, gt + 1)
    if close < 0:
        return end
    close_gt = html.find(">", close)
    return end if close_gt < 0 else close_gt + 1


def visible_word_count(html: str, enough: int | None = None) -> int:
    """Words a reader would see (scripts, styles, comments and tags removed).

    Linear in the page length (one left-to-right pass with ``str.find``): a hostile page
    must not be able to make this slow. Counting stops at ``enough`` words when given.
    """
    html = html.lower()
    words = 0
    position = 0
    while position < len(html):
        lt = html.find("<", position)
        text_end = len(html) if lt < 0 else lt
        words += len(html[position:text_end].split())
        if lt < 0 or (enough is not None and words >= enough):
            break
        position = _after_markup(html, lt)
    return words


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list | tuple):  # Scrapy Headers: a list of values per name
        return ", ".join(_text(v) for v in value)
    return str(value)


def _lower_headers(headers: HeadersLike | None) -> dict[str, str]:
    return {_text(name).lower(): _text(value).lower() for name, value in (headers or {}).items()}


def _matches(signature: BlockSignature, headers: dict[str, str], html: str | bytes) -> str | None:
    for name, needle in signature.headers:
        if name in headers and needle in headers[name]:
            return f"header {name}"
    as_bytes = isinstance(html, bytes)
    for marker in signature.markers:
        if (marker.encode() if as_bytes else marker) in html:  # type: ignore[operator]
            return f"marker {marker!r}"
    return None


def detect_block_page(
    status: int | None, headers: HeadersLike | None, html_text: str | bytes | None
) -> str | None:
    """Why this response is a bot challenge or block page (e.g. ``"Cloudflare challenge
    (header cf-mitigated)"``), or None when it looks like a real page."""
    if status not in BLOCK_STATUSES:
        return None
    # The whole page: a long script must not hide its text. Bytes are searched as bytes
    # (the markers are ASCII), which spares decoding pages that show no marker at all.
    html: str | bytes = (html_text or "").lower()
    lowered = _lower_headers(headers)
    small: bool | None = None  # counted only when a signature needs it
    for signature in BLOCK_SIGNATURES:
        if status not in signature.statuses:
            continue
        evidence = _matches(signature, lowered, html)
        if evidence is None:
            continue
        if signature.small_page_only:
            if small is None:
                text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
                small = visible_word_count(text, SMALL_PAGE_WORDS) < SMALL_PAGE_WORDS
            if not small:
                continue
        return f"{signature.reason} ({evidence}, HTTP {status})"
    if status == 429:
        return "rate limited (HTTP 429)"
    return None
