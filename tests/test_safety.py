"""Refused addresses (SSRF guard) and bot-challenge / block page detection."""

from __future__ import annotations

import pytest

from newsarchive.safety import detect_block_page, is_refused_address


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("127.0.0.1", "loopback address 127.0.0.1"),
        ("127.1", "loopback address 127.0.0.1"),  # legacy spellings resolvers accept
        ("2130706433", "loopback address 127.0.0.1"),
        ("0x7f.0.0.1", "loopback address 127.0.0.1"),
        ("017700000001", "loopback address 127.0.0.1"),
        ("localhost", "loopback host name localhost"),
        ("api.localhost.", "loopback host name api.localhost"),
        ("10.1.2.3", "private address 10.1.2.3"),
        ("172.16.0.9", "private address 172.16.0.9"),
        ("192.168.0.1", "private address 192.168.0.1"),
        ("169.254.169.254", "link-local address 169.254.169.254"),  # cloud metadata
        ("0.0.0.0", "unspecified address 0.0.0.0"),
        ("224.0.0.251", "multicast address 224.0.0.251"),
        ("240.0.0.1", "reserved address 240.0.0.1"),
        ("100.64.0.1", "not globally routable address 100.64.0.1"),
        ("::1", "loopback address ::1"),
        ("[::1]", "loopback address ::1"),
        ("::", "unspecified address ::"),
        ("fe80::1%eth0", "link-local address fe80::1"),
        ("fd12:3456::1", "private address fd12:3456::1"),
        ("ff02::1", "multicast address ff02::1"),
        ("::ffff:127.0.0.1", "loopback (IPv4 inside IPv6) address ::ffff:7f00:1"),
        ("::ffff:10.0.0.1", "private (IPv4 inside IPv6) address ::ffff:a00:1"),
        ("2002:a9fe:a9fe::", "link-local (IPv4 inside IPv6) address 2002:a9fe:a9fe::"),
        ("64:ff9b::c0a8:1", "private (IPv4 inside IPv6) address 64:ff9b::c0a8:1"),
    ],
)
def test_refused_addresses(target: str, reason: str) -> None:
    assert is_refused_address(target) == reason


@pytest.mark.parametrize(
    "target",
    [
        "8.8.8.8",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "news.example",
        "deadbeef.example",
    ],
)
def test_public_addresses_and_names_pass(target: str) -> None:
    assert is_refused_address(target) is None


# --------------------------------------------------------------------------- block pages

ARTICLE = (
    "<html><head><title>Budget passes</title></head><body><article>"
    + "".join(
        f"<p>Paragraph {i} of a real article about the council budget vote and what it means "
        "for residents, with quotes from officials and background.</p>"
        for i in range(15)
    )
    + "</article></body></html>"
)

CLOUDFLARE = """<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
<div class="main-wrapper"><h1>news.example</h1><p>Verifying you are human.</p></div>
<script>(function(){window._cf_chl_opt={cvId: '3', cZone: 'news.example'};})();</script>
</body></html>"""
DATADOME = """<html><head><title>news.example</title></head><body>
<iframe src="https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAA" width="100%">
</iframe></body></html>"""
PERIMETERX = """<html><head><title>Access to this page has been denied</title></head><body>
<div id="px-captcha"></div><p>Press &amp; Hold to confirm you are a human (and not a bot).</p>
</body></html>"""
AKAMAI = """<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>
You don't have permission to access "http://news.example/" on this server.<P>
Reference #18.2f3d1402.1700000000.1a2b3c4d<P>https://errors.edgesuite.net/18.2f3d1402</BODY>
</HTML>"""
JS_COOKIES = """<html><body><noscript>Please enable JS and cookies to continue.</noscript>
<script src="/challenge.js"></script></body></html>"""
RECAPTCHA = """<html><body><h1>One more step</h1><p>Please complete the security check.</p>
<div class="g-recaptcha" data-sitekey="x"></div></body></html>"""


@pytest.mark.parametrize(
    ("status", "headers", "html", "expected"),
    [
        (403, {"cf-mitigated": "challenge", "Server": "cloudflare"}, "", "Cloudflare challenge"),
        (503, {"Server": "cloudflare"}, CLOUDFLARE, "Cloudflare challenge"),
        (200, {}, CLOUDFLARE, "Cloudflare challenge"),
        (403, {"X-DataDome": "protected"}, DATADOME, "DataDome captcha"),
        (403, {"X-DataDome": "protected"}, "<html></html>", "DataDome block"),
        (200, {}, PERIMETERX, "PerimeterX captcha"),
        (403, {"Server": "AkamaiGHost"}, AKAMAI, "Akamai block"),
        (202, {}, JS_COOKIES, "JavaScript and cookie check"),
        (200, {}, RECAPTCHA, "captcha page"),
        (
            403,
            {},
            "<html><h1>Access denied</h1><p>Your request was blocked.</p></html>",
            "access denied page",
        ),
        (429, {"Retry-After": "30"}, "<html>slow down</html>", "rate limited"),
    ],
)
def test_block_pages_are_detected(
    status: int, headers: dict[str, str], html: str, expected: str
) -> None:
    reason = detect_block_page(status, headers, html)
    assert reason is not None and reason.startswith(expected), reason
    assert f"HTTP {status}" in reason


def test_real_pages_are_not_block_pages() -> None:
    assert detect_block_page(200, {"Server": "cloudflare"}, ARTICLE) is None
    # Articles may embed a captcha in their comment form and write about denied access.
    commented = ARTICLE.replace(
        "</article>",
        "</article><form><div class='g-recaptcha'></div>"
        "</form><p>Access denied to the archives, critics say.</p>",
    )
    assert detect_block_page(200, {}, commented) is None
    # Protected sites send DataDome headers with every normal page too.
    assert detect_block_page(200, {"X-DataDome": "protected"}, ARTICLE) is None
    # Statuses that are plain errors are left to the error handling.
    assert detect_block_page(404, {}, "<html><h1>Access denied</h1></html>") is None
    assert detect_block_page(200, None, None) is None
    assert detect_block_page(200, {}, b"") is None


def test_bytes_bodies_and_bytes_headers() -> None:
    reason = detect_block_page(503, {b"Server": b"cloudflare"}, CLOUDFLARE.encode())
    assert reason is not None and reason.startswith("Cloudflare challenge")


def test_scrapy_style_headers_with_value_lists() -> None:
    headers = {b"Server": [b"cloudflare"], b"Cf-Mitigated": [b"challenge"]}
    reason = detect_block_page(403, headers, b"<html></html>")  # type: ignore[arg-type]
    assert reason == "Cloudflare challenge (header cf-mitigated, HTTP 403)"


# Inputs that made the old regular expressions backtrack (quadratic or worse): 160 KB of
# unclosed <script> took 54 s, "<a " x 40,000 took 10.7 s. These are 10x larger; the
# check reads a page once, so each takes milliseconds. The 5 s bound only guards against
# a return of the backtracking (which would take hours here), not against a slow machine.
HOSTILE_BLOCK_CHECK_PAGES = {
    "unclosed scripts": "captcha " + "<script>" * 200_000,
    "unclosed tags": "captcha " + "<a " * 400_000,
    "unclosed comments": "captcha " + "<!--" * 400_000,
    "unclosed styles with text": "access denied " + "<style>word " * 150_000,
    "script closers without >": "captcha " + "<script></script" * 100_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BLOCK_CHECK_PAGES))
def test_block_check_reads_hostile_pages_in_linear_time(name: str) -> None:
    import time

    page = HOSTILE_BLOCK_CHECK_PAGES[name]
    started = time.process_time()
    for status in (200, 403):
        detect_block_page(status, {}, page)
        detect_block_page(status, {}, page.encode())
    assert time.process_time() - started < 5.0


def test_visible_words_skip_scripts_styles_comments_and_tags() -> None:
    from newsarchive.safety import visible_word_count

    page = (
        "<html><head><title>One two</title><SCRIPT>var a = '<p>no words</p>';</SCRIPT >"
        "<style>p { x: y }</style></head><body><!-- hidden words --><p>three <b>four</b></p>"
        "<noscript>hidden</noscript> a < b <template><p>hidden</p></template>"
    )
    assert visible_word_count(page) == 6  # One two three four a b
    assert visible_word_count("<p>text</p><script>never closed " + "w " * 500) == 1
    assert visible_word_count("<p>one two three four</p>", enough=2) == 4


def test_words_after_300000_characters_of_script_count() -> None:
    """A real article under a large state blob is no 'small page' (it used to be cut)."""
    blob = "<script>var state=" + "x" * 400_000 + ";</script>"
    loader = '<script src="https://www.google.com/recaptcha/api.js"></script>'
    page = f"<html><head>{loader}{blob}</head><body>{ARTICLE}</body>"
    assert detect_block_page(200, {}, page) is None
