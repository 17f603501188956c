"""How often ``replay --rwp``'s first visit shows the page, in fresh browser profiles.

Each open uses a new Chromium profile, so the viewer's service worker is registered
from scratch: the moment the start-up race (the viewer's app frame reaching the
server before the worker is active) can strike. Serves a one-page WARC file written
here with ``newsarchive.replaywebpage.serving`` and counts the opens whose page text
did not show within ``--wait`` seconds (no reload is ever made). Run several at once
to load the machine, as the race needs:

    .venv/bin/python bench/replaywebpage_first_open.py [--opens 10] [--wait 20]

Needs Debian's Chromium, playwright and the ReplayWeb.page scripts (fetched with
``npm pack`` on first use).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from playwright.sync_api import sync_playwright
from support.browser import launch_offline
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.replaywebpage import REPLAY_BASE, archive_url, ensure_ui, serving

URL = "http://127.0.0.1:9/story.html"  # archived only: the viewer never fetches it
TEXT = "The quay reopens after the storm"


def write_warc(path: Path) -> None:
    """One HTML response for :data:`URL` holding :data:`TEXT`."""
    body = f"<!doctype html><title>Quay</title><p>{TEXT}</p>".encode()
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        head = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        record = writer.create_warc_record(
            URL, "response", payload=io.BytesIO(body), http_headers=head
        )
        writer.write_record(record)


def shows_the_page(context: object, base: str, source: str, wait_s: float) -> bool:
    page = context.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(f"{base}/?{urlencode({'source': source, 'url': URL})}")
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            for frame in page.frames:
                if f"{REPLAY_BASE}w/" not in frame.url or "mp_/" not in frame.url:
                    continue
                try:
                    if TEXT in frame.evaluate("document.body ? document.body.innerText : ''"):
                        return True
                except Exception:  # the frame navigated meanwhile
                    continue
            page.wait_for_timeout(250)
        return False
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opens", type=int, default=10)
    parser.add_argument("--wait", type=float, default=20.0, help="seconds per open")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rwp-bench-") as scratch:
        warc = Path(scratch) / "one.warc.gz"
        write_warc(warc)
        failed = 0
        with serving({warc.name: warc}, ensure_ui()) as base, sync_playwright() as driver:
            for n in range(args.opens):
                context = launch_offline(driver, Path(scratch) / f"profile-{n}")
                try:
                    ok = shows_the_page(context, base, archive_url(warc.name), args.wait)
                finally:
                    context.close()
                failed += not ok
                print(f"open {n + 1}: {'shown' if ok else 'NOT SHOWN'}", flush=True)
    print(f"{failed} of {args.opens} first opens did not show the page")


if __name__ == "__main__":
    main()
