"""The demo server speaks HTTP the way real news sites do, on 127.0.0.1 only."""

from __future__ import annotations

import gzip
import http.client
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsarchive.server import DemoSite, default_site_dir
from newsarchive.server.generated import PAGE_SIZE, GeneratedSite
from newsarchive.server.handler import accepts_coding
from newsarchive.server.routes import RouteTable

SITE = default_site_dir()
SPUTNIK = "/20240526/viral-video-shows-idf-soldier-calling-for-military-coup-1118659541.html"
RUSSIAN = "/ru/2024/05/rybaki-protiv-kvot.html"
TERMINAL = "/business/2024/05/27/port-authority-approves-container-terminal-expansion/"


def fetch(
    base: str, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[http.client.HTTPResponse, bytes]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def served_bytes(relative: str, base: str) -> bytes:
    """What the server should send for a file: its bytes with {{BASE}} replaced."""
    return (SITE / relative).read_bytes().replace(b"{{BASE}}", base.encode())


def raw_exchange(base: str, request: bytes) -> bytes:
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def decode_chunked(payload: bytes) -> tuple[bytes, int]:
    """Body and number of data chunks of a chunked payload; fails on bad framing."""
    body, count = b"", 0
    while True:
        size_line, _, payload = payload.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert payload == b"\r\n", "chunked body must end with an empty trailer"
            return body, count
        body += payload[:size]
        assert payload[size : size + 2] == b"\r\n"
        payload = payload[size + 2 :]
        count += 1


def test_gzip_when_accepted_and_body_gunzips_to_the_file(demo_server: str) -> None:
    response, body = fetch(demo_server, TERMINAL, {"Accept-Encoding": "gzip, deflate"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept-Encoding"
    expected = served_bytes(TERMINAL.strip("/") + "/index.html", demo_server)
    assert gzip.decompress(body) == expected
    assert int(response.getheader("Content-Length")) == len(body) < len(expected)


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_identity_when_gzip_not_accepted(demo_server: str, accept: str | None) -> None:
    headers = {"Accept-Encoding": accept} if accept else {}
    response, body = fetch(demo_server, TERMINAL, headers)
    assert response.getheader("Content-Encoding") is None
    assert body == served_bytes(TERMINAL.strip("/") + "/index.html", demo_server)


def test_binary_assets_are_never_gzipped(demo_server: str) -> None:
    response, body = fetch(demo_server, "/docs/annual-report-2023.pdf", {"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("Content-Encoding") is None
    assert body.startswith(b"%PDF-") and body == (SITE / "docs/annual-report-2023.pdf").read_bytes()


def test_accept_encoding_parsing() -> None:
    assert accepts_coding("gzip", "gzip")
    assert accepts_coding("deflate, gzip;q=0.5", "gzip")
    assert accepts_coding("*", "gzip")
    assert not accepts_coding("gzip;q=0, *", "gzip")
    assert not accepts_coding("deflate, br", "gzip")
    assert not accepts_coding(None, "gzip")


def test_chunked_framing_on_the_wire(demo_server: str) -> None:
    request = f"GET {SPUTNIK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    head, _, payload = raw_exchange(demo_server, request).partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").lower().split("\r\n")
    assert head_lines[0].startswith("http/1.1 200")
    assert "transfer-encoding: chunked" in head_lines
    assert not any(line.startswith("content-length") for line in head_lines)
    body, chunks = decode_chunked(payload)
    assert chunks >= 2
    assert body == served_bytes(SPUTNIK.lstrip("/"), demo_server)


def test_chunked_gzip_is_framed_then_gunzips(demo_server: str) -> None:
    request = (
        f"GET {RUSSIAN} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    ).encode()
    head, _, payload = raw_exchange(demo_server, request).partition(b"\r\n\r\n")
    assert b"content-encoding: gzip" in head.lower()
    body, _ = decode_chunked(payload)
    assert gzip.decompress(body) == served_bytes(RUSSIAN.lstrip("/"), demo_server)


def test_http_1_0_clients_get_content_length_instead_of_chunks(demo_server: str) -> None:
    raw = raw_exchange(demo_server, f"GET {SPUTNIK} HTTP/1.0\r\n\r\n".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"chunked" not in head.lower()
    assert f"content-length: {len(body)}".encode() in head.lower()


def test_unchunked_pages_have_content_length(demo_server: str) -> None:
    response, body = fetch(demo_server, TERMINAL)
    assert response.getheader("Transfer-Encoding") is None
    assert int(response.getheader("Content-Length")) == len(body)


def test_charset_only_in_the_header_for_the_windows_1251_page(demo_server: str) -> None:
    response, body = fetch(demo_server, RUSSIAN)
    assert response.getheader("Content-Type") == "text/html; charset=windows-1251"
    assert b"charset" not in body.lower(), "the page itself must not declare its charset"
    text = body.decode("windows-1251")
    assert "Рыбаки перекрыли вход в гавань" in text
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/sitemap_index.xml", "application/xml; charset=utf-8"),
        ("/feeds/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/feeds/business.atom", "application/atom+xml; charset=utf-8"),
        ("/img/herald/logo.png", "image/png"),
    ],
)
def test_content_types(demo_server: str, path: str, content_type: str) -> None:
    response, _ = fetch(demo_server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type


@pytest.mark.parametrize("accept", ["gzip", None])
def test_if_none_match_gives_304(demo_server: str, accept: str | None) -> None:
    headers = {"Accept-Encoding": accept} if accept else {}
    first, _ = fetch(demo_server, TERMINAL, headers)
    etag = first.getheader("ETag")
    assert etag and etag.startswith('"')
    again, body = fetch(demo_server, TERMINAL, {**headers, "If-None-Match": etag})
    assert again.status == 304 and body == b""
    assert again.getheader("ETag") == etag
    other, body = fetch(demo_server, TERMINAL, {**headers, "If-None-Match": '"something-else"'})
    assert other.status == 200 and body


def test_gzip_and_identity_variants_have_different_etags(demo_server: str) -> None:
    plain, _ = fetch(demo_server, TERMINAL)
    zipped, _ = fetch(demo_server, TERMINAL, {"Accept-Encoding": "gzip"})
    assert plain.getheader("ETag") != zipped.getheader("ETag")


def test_if_modified_since_gives_304_then_200_for_older_dates(demo_server: str) -> None:
    first, _ = fetch(demo_server, "/robots.txt")
    last_modified = first.getheader("Last-Modified")
    assert last_modified and last_modified.endswith("GMT")
    again, body = fetch(demo_server, "/robots.txt", {"If-Modified-Since": last_modified})
    assert again.status == 304 and body == b""
    long_ago = {"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"}
    old, body = fetch(demo_server, "/robots.txt", long_ago)
    assert old.status == 200 and body
    garbage, _ = fetch(demo_server, "/robots.txt", {"If-Modified-Since": "yesterday-ish"})
    assert garbage.status == 200


def test_redirect_to_the_article_url(demo_server: str) -> None:
    response, body = fetch(demo_server, "/old/terminal-expansion")
    assert response.status == 301
    assert response.getheader("Location") == demo_server + TERMINAL
    assert b"moved" in body
    target, _ = fetch(demo_server, urlsplit(response.getheader("Location")).path)
    assert target.status == 200


def test_folder_without_trailing_slash_redirects(demo_server: str) -> None:
    response, _ = fetch(demo_server, "/world")
    assert response.status == 301
    assert response.getheader("Location") == demo_server + "/world/"


@pytest.mark.parametrize(
    "path",
    [
        "/world/this-story-does-not-exist.html",
        "/_routes.toml",
        "/_404.html",
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/.hidden",
    ],
)
def test_missing_and_private_files_give_a_404_page(demo_server: str, path: str) -> None:
    response, body = fetch(demo_server, path)
    assert response.status == 404
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"couldn\xe2\x80\x99t find that page" in body


def test_head_sends_headers_without_body(demo_server: str) -> None:
    get, body = fetch(demo_server, TERMINAL)
    head, head_body = fetch(demo_server, TERMINAL, method="HEAD")
    assert head.status == 200 and head_body == b""
    assert head.getheader("Content-Length") == str(len(body))
    assert head.getheader("ETag") == get.getheader("ETag")


def test_robots_txt_disallows_private_and_names_the_sitemap(demo_server: str) -> None:
    _, body = fetch(demo_server, "/robots.txt")
    lines = body.decode().splitlines()
    assert "Disallow: /private/" in lines
    assert f"Sitemap: {demo_server}/sitemap_index.xml" in lines


def test_base_placeholder_is_substituted_everywhere(demo_server: str) -> None:
    for path in ["/", "/sitemap_index.xml", "/sitemap-news.xml", "/feeds/rss.xml", SPUTNIK]:
        _, body = fetch(demo_server, path)
        assert b"{{BASE}}" not in body, path
    _, news = fetch(demo_server, "/sitemap-news.xml")
    assert f"<loc>{demo_server}/20240526/".encode() in news
    _, page = fetch(demo_server, SPUTNIK)
    assert f'<link rel="canonical" href="{demo_server}{SPUTNIK}">'.encode() in page


def test_every_sitemap_and_feed_url_is_served(demo_server: str) -> None:
    for source in ["/sitemap-news.xml", "/sitemap-pages.xml", "/feeds/rss.xml"]:
        _, body = fetch(demo_server, source)
        urls = re.findall(rf"<(?:loc|link)>({re.escape(demo_server)}[^<]*)<", body.decode())
        assert len(urls) >= 7, source
        for url in urls:
            response, _ = fetch(demo_server, urlsplit(url).path)
            assert response.status == 200, url


def test_request_log_records_what_was_served(demo_site: DemoSite) -> None:
    fetch(demo_site.base_url, "/robots.txt")
    fetch(demo_site.base_url, "/nope.html")
    assert ("GET", "/robots.txt", 200) in demo_site.request_log
    assert ("GET", "/nope.html", 404) in demo_site.request_log
    assert "/private/staff-memo.html" not in demo_site.requested_paths()


def test_site_stops_cleanly_and_frees_the_port() -> None:
    with DemoSite() as site:
        port = urlsplit(site.base_url).port
        fetch(site.base_url, "/")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(RuntimeError):
        _ = site.base_url


def test_route_table_rejects_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        RouteTable.from_dict({"paths": {"/a": {"chunky": True}}})
    (tmp_path / "_routes.toml").write_text("[redirects\n")
    with pytest.raises(ValueError, match="invalid route table"):
        DemoSite(tmp_path)


def test_missing_site_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="site folder not found"):
        DemoSite(tmp_path / "nowhere")


def test_generated_site_paginates_to_every_article() -> None:
    count = 2 * PAGE_SIZE + 7
    with DemoSite(generate=count) as site:
        seen: set[str] = set()
        path: str | None = "/"
        while path:
            response, body = fetch(site.base_url, path)
            assert response.status == 200
            text = body.decode()
            seen.update(re.findall(r'href="(/news/[^"]+)"', text))
            nxt = re.search(r'rel="next" href="([^"]+)"', text)
            path = nxt.group(1) if nxt else None
        assert len(seen) == count
        _, sitemap_index = fetch(site.base_url, "/sitemap_index.xml")
        sitemap_url = re.search(r"<loc>([^<]+)</loc>", sitemap_index.decode()).group(1)
        _, sitemap = fetch(site.base_url, urlsplit(sitemap_url).path)
        listed = re.findall(r"<loc>([^<]+)</loc>", sitemap.decode())
        assert {urlsplit(u).path for u in listed} == seen
        article_path = sorted(seen)[0]
        response, body = fetch(site.base_url, article_path, {"Accept-Encoding": "gzip"})
        page = gzip.decompress(body).decode()
        for marker in ("<h1>", 'class="byline"', "<time datetime=", "<figcaption>", "“", "said"):
            assert marker in page
        assert fetch(site.base_url, article_path.replace(".html", "x.html"))[0].status == 404


def test_generated_site_is_deterministic() -> None:
    first = GeneratedSite(300).resolve("/page/3/", "http://h")
    second = GeneratedSite(300).resolve("/page/3/", "http://h")
    assert first.status == 200 and first.body == second.body
    with pytest.raises(ValueError):
        GeneratedSite(0)


def test_serve_command_prints_base_url_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "serve", str(SITE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        response, body = fetch(base, "/robots.txt")
        assert response.status == 200 and b"Disallow: /private/" in body
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 130


# --------------------------------------------------------------------------- the site's page table

PAGES = tomllib.loads((SITE / "_pages.toml").read_text(encoding="utf-8"))["page"]
ROLE_STATUS = {"redirect": None, "not_found": 404}  # every other role answers 200


@pytest.mark.parametrize("page", PAGES, ids=[p["path"] for p in PAGES])
def test_every_listed_path_answers_as_its_role(demo_server: str, page: dict) -> None:
    response, body = fetch(demo_server, page["path"])
    if page["role"] == "redirect":
        assert response.status == page["status"]
        assert response.getheader("Location") == demo_server + page["to"]
    else:
        assert response.status == ROLE_STATUS.get(page["role"], 200)
        assert body


def test_every_html_page_of_the_site_is_listed() -> None:
    listed = {p["path"] for p in PAGES}
    for file in SITE.rglob("*.html"):
        rel = file.relative_to(SITE).as_posix()
        if rel.startswith("_"):
            continue
        path = "/" + rel.removesuffix("index.html")
        assert path in listed, f"{path} is missing from fixtures/site/_pages.toml"


def test_robots_disallows_exactly_the_disallowed_pages(demo_server: str) -> None:
    from urllib.robotparser import RobotFileParser

    parser = RobotFileParser()
    parser.parse(fetch(demo_server, "/robots.txt")[1].decode().splitlines())
    for page in PAGES:
        allowed = parser.can_fetch("newsarchive", demo_server + page["path"])
        assert allowed == (page["role"] != "disallowed"), page["path"]


def test_site_has_at_least_twelve_articles_in_five_templates() -> None:
    articles = [p for p in PAGES if p["role"] == "article"]
    assert len(articles) >= 12
    assert len({p["template"] for p in articles}) >= 5


def test_route_table_status_headers_and_types_on_any_folder(tmp_path: Path) -> None:
    (tmp_path / "gone.html").write_text("<p>withdrawn</p>", encoding="utf-8")
    (tmp_path / "data.bin").write_bytes(b"\x00\x01")
    (tmp_path / "_routes.toml").write_text(
        '[paths."/gone.html"]\nstatus = 410\nchunked = true\nheaders = { "X-Reason" = "legal" }\n'
        '[redirects]\n"/x" = { to = "https://elsewhere.test/y", status = 308 }\n',
        encoding="utf-8",
    )
    with DemoSite(tmp_path) as site:
        response, body = fetch(site.base_url, "/gone.html")
        assert response.status == 410 and body == b"<p>withdrawn</p>"
        assert response.getheader("X-Reason") == "legal"
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.getheader("ETag") is None, "validators only on 200 responses"
        response, _ = fetch(site.base_url, "/x")
        assert (
            response.status == 308 and response.getheader("Location") == "https://elsewhere.test/y"
        )
        response, _ = fetch(site.base_url, "/data.bin")
        assert response.getheader("Content-Type") == "application/octet-stream"
        response, body = fetch(site.base_url, "/")
        assert response.status == 404 and b"Page not found" in body, "built-in 404 page"


def test_a_path_can_be_served_brotli_coded_or_never_coded(tmp_path: Path) -> None:
    """``encoding`` in the route table: br (when accepted) or identity; 304s across codings."""
    import brotli

    page = b"<p>" + b"the same words again " * 50 + b"</p>"
    for name in ("br.html", "plain.html", "gz.html"):
        (tmp_path / name).write_bytes(page)
    (tmp_path / "_routes.toml").write_text(
        '[paths."/br.html"]\nencoding = "br"\n[paths."/plain.html"]\nencoding = "identity"\n',
        encoding="utf-8",
    )
    accept = {"Accept-Encoding": "gzip, deflate, br"}
    with DemoSite(tmp_path) as site:
        response, body = fetch(site.base_url, "/br.html", accept)
        assert response.getheader("Content-Encoding") == "br"
        assert brotli.decompress(body) == page
        etag = response.getheader("ETag")
        assert etag.endswith('-br"')
        again, _ = fetch(site.base_url, "/br.html", {"If-None-Match": etag})
        assert again.status == 304, "the identity variant matches the br variant's tag"
        response, body = fetch(site.base_url, "/br.html", {"Accept-Encoding": "gzip"})
        assert response.getheader("Content-Encoding") is None and body == page
        response, body = fetch(site.base_url, "/plain.html", accept)
        assert response.getheader("Content-Encoding") is None and body == page
        response, body = fetch(site.base_url, "/gz.html", accept)
        assert gzip.decompress(body) == page, "gzip stays the default"
    (tmp_path / "_routes.toml").write_text('[paths."/x.html"]\nencoding = "zstd"\n')
    with pytest.raises(ValueError, match="encoding must be one of"):
        DemoSite(tmp_path)


def test_serve_command_refuses_dir_with_generate(capsys: pytest.CaptureFixture[str]) -> None:
    from newsarchive import cli

    assert cli.main(["serve", str(SITE), "--generate", "5"]) == 2
    assert cli.main(["serve", "--generate", "0"]) == 2
    assert cli.main(["serve", "/no/such/folder"]) == 2
    assert "site folder not found" in capsys.readouterr().err


def test_keep_alive_responses_do_not_wait_for_delayed_acks(demo_server: str) -> None:
    """With Nagle's algorithm on, each response on a kept-alive connection stalls ~40 ms
    (headers and body are separate writes): 50 requests would take 2 s, not a few ms."""
    parts = urlsplit(demo_server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    started = time.perf_counter()
    for _ in range(50):
        conn.request("GET", TERMINAL, headers={"Accept-Encoding": "gzip"})
        assert conn.getresponse().read()
    elapsed = time.perf_counter() - started
    conn.close()
    assert elapsed < 1.2, f"50 keep-alive requests took {elapsed:.2f}s"


def test_a_client_that_resets_its_connection_prints_no_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A crawl killed mid-request resets its connections: `newsarchive serve` went on
    printing a socketserver traceback for each one."""
    import socket
    import struct
    import time

    with DemoSite() as site:
        host, port = site.base_url.removeprefix("http://").split(":")
        for _ in range(3):
            client = socket.create_connection((host, int(port)))
            client.sendall(b"GET / HTTP/1.1\r\n")  # half a request, then a reset (RST)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        time.sleep(0.5)  # the server's threads notice the resets
    assert "Traceback" not in capfd.readouterr().err
