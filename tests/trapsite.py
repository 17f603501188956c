"""A tiny programmable web server on 127.0.0.1 and a crawl runner, for hostile-site tests.

``HostileSite({"/path": handler})`` serves each path with a function returning
``(status, headers, body)``; every request is logged with its headers, so a test
can count fetches and read what the crawler sent. :func:`crawl` runs one
crawl in a subprocess (Twisted's reactor cannot restart in pytest's process)
and returns its stats; with ``audit=True`` the subprocess records every
``socket.connect`` and ``socket.getaddrinfo`` it makes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from support.crawls import exported_articles

Reply = tuple[int, list[tuple[str, str]], bytes]
Handler = Callable[[BaseHTTPRequestHandler], Reply]

ARTICLE = """<!doctype html><html lang="en"><head><title>{title}</title>
<meta property="og:type" content="article"></head><body>
<article><h1>{title}</h1>{paragraphs}</article></body></html>"""
TEXT = (
    "The harbour authority opened the new quay on Monday after three years of building "
    "work, and the first ferry tied up there before noon while a crowd watched from the pier. "
)


def article_html(title: str) -> bytes:
    paragraphs = "".join(f"<p>{TEXT * 2}</p>" for _ in range(5))
    return ARTICLE.format(title=title, paragraphs=paragraphs).encode()


def html(body: bytes, *headers: tuple[str, str]) -> Reply:
    return 200, [("Content-Type", "text/html; charset=utf-8"), *headers], body


def text(body: str, status: int = 200, content_type: str = "text/plain") -> Reply:
    return status, [("Content-Type", content_type)], body.encode()


@dataclass
class Hit:
    path: str
    headers: dict[str, str]


@dataclass
class HostileSite:
    """Serve ``routes`` (path -> handler); unknown paths get a 404."""

    routes: Mapping[str, Handler]
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        site = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                site.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}))
                handler = site.routes.get(path)
                status, headers, body = handler(self) if handler else (404, [], b"not here")
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def __enter__(self) -> HostileSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class MeasuringRobotParser:
    """``ROBOTSTXT_PARSER`` for tests: Scrapy's Protego parser that logs the bytes it is given."""

    @classmethod
    def from_crawler(cls, crawler: Any, robotstxt_body: bytes) -> Any:
        import logging

        from scrapy.robotstxt import ProtegoRobotParser

        if robotstxt_body:
            logging.getLogger("trapsite").warning("robots parser got %d bytes", len(robotstxt_body))
        return ProtegoRobotParser.from_crawler(crawler, robotstxt_body)


RUNNER = r"""
import json, sys
args = json.loads(sys.argv[1])
sys.path.insert(0, args["tests"])
if args["audit"]:
    seen = open(args["audit"], "a")

    def audit(event, event_args):
        if event == "socket.connect":
            seen.write(json.dumps(["connect", repr(event_args[1])]) + "\n")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            host = event_args[0]
            host = host.decode() if isinstance(host, bytes) else str(host)
            seen.write(json.dumps(["lookup", host]) + "\n")
        else:
            return
        seen.flush()

    sys.addaudithook(audit)
import logging
from pathlib import Path
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
from newsarchive.crawler import CrawlOptions, run_crawl
options = CrawlOptions(args["seeds"], Path(args["out"]), allow_private=True,
                       overrides=args["settings"], spider_args=args["spider_args"])
result = run_crawl(options)
print(json.dumps({k: v for k, v in result.stats.items() if isinstance(v, (int, float, str))}))
"""

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "NEWSARCHIVE_PROGRESS": False,
    "NEWSARCHIVE_EXTRACT_WORKERS": 0,
    "RETRY_TIMES": 0,
}


@dataclass
class CrawlRun:
    out: Path
    returncode: int
    stderr: str
    stats: dict[str, Any]

    def pages(self) -> list[dict[str, Any]]:
        path = self.out / "pages.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def articles(self) -> list[dict[str, Any]]:
        return exported_articles(self.out)

    def report(self) -> dict[str, Any]:
        return json.loads((self.out / "report.json").read_text(encoding="utf-8"))

    def warc_records(self) -> list[tuple[str, str, Any]]:
        """``(record type, target URI, record headers)`` of every WARC record written."""
        from warcio.archiveiterator import ArchiveIterator

        found = []
        for path in sorted((self.out / "warc").glob("*.warc.gz")):
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    found.append((record.rec_type, uri, record))
        return found


def crawl(
    seeds: list[str],
    out: Path,
    *,
    spider_args: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    audit: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> CrawlRun:
    args = {
        "seeds": seeds,
        "out": str(out),
        "spider_args": dict(spider_args or {}),
        "settings": {**FAST, **(settings or {})},
        "audit": str(audit) if audit else None,
        "tests": str(Path(__file__).parent),
    }
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=out.parent,
        env={**os.environ, **(env or {})},
    )
    lines = run.stdout.strip().splitlines()
    stats = json.loads(lines[-1]) if run.returncode == 0 and lines else {}
    return CrawlRun(out, run.returncode, run.stderr, stats)
