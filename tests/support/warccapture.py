"""A WarcCapture opened on a folder without a crawl, and exchanges to archive through it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from newsarchive.warc.records import Exchange


def capture_in(folder: Path, settings: dict[str, Any]) -> Any:
    """``WarcCapture`` as a crawl opens it (recovery, writer, CDXJ and digest index)."""
    from scrapy.settings import Settings

    from newsarchive.warc.capture import WarcCapture

    crawler = SimpleNamespace(settings=Settings(settings), stats=None)
    capture = WarcCapture(crawler, folder)  # type: ignore[arg-type]
    capture.open("news")
    return capture


def html_exchange(url: str, body: bytes) -> Exchange:
    """A GET answered 200 with ``body`` as HTML, fetched now."""
    return Exchange(
        url=url,
        method="GET",
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[(b"Content-Type", b"text/html; charset=utf-8")],
        body=body,
        started_at=datetime.now(UTC),
    )
