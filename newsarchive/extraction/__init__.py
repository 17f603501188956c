"""Article extraction: a pure function from page bytes + URL to a plain record.

No network, no files, no Scrapy: the crawler, WARC re-extraction and the
fixture tests all call :func:`extract`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["extract"]


def extract(
    html: bytes | str, url: str | None = None, *, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Extract an article record from ``html`` (see docs/ARCHITECTURE.md for the contract)."""
    from newsarchive.extraction.engine import run

    return run(html, url, headers)
