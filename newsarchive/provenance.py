"""Build the ``provenance`` block and ``capture_id`` of a record from capture information.

One function for every producer of records (the crawl's provenance pipeline and
re-extraction from WARC files), so a record says where its bytes came from in
exactly the same way whichever path produced it. Pure apart from the random
fallback crawl id / capture id, which only apply when nothing better is known.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from newsarchive import schema
from newsarchive.fetchfacts import FetchFacts, WarcPointer, field_names
from newsarchive.normalize import capture_id

# Provenance fields copied as they are from the WARC pointer: those named like one of its fields.
_WARC_POINTER_FIELDS = tuple(
    name for name in field_names(WarcPointer) if name in field_names(schema.Provenance)
)


# A crawl id names folders and files (OUTPUT/SITE/CRAWL_ID, newsarchive-CRAWL_ID-*.warc.gz) and
# Redis keys (the same characters as newsarchive.distributed.keys allows): one path segment,
# never "..", never a separator.
_CRAWL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


class CrawlIdError(ValueError):
    """A crawl id that could name a path outside the output tree, or is not portable."""


def check_crawl_id(crawl_id: Any, source: str = "crawl id") -> str:
    """``crawl_id`` when it is safe as a folder and file name; CrawlIdError naming ``source``.

    Every way a crawl id enters (command line, NEWSARCHIVE_CRAWL_ID, crawl-finish)
    comes through here, so ``../../x`` can never write outside the output tree.
    """
    text = crawl_id if isinstance(crawl_id, str) else repr(crawl_id)
    if not isinstance(crawl_id, str) or not _CRAWL_ID.fullmatch(crawl_id) or ".." in crawl_id:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise CrawlIdError(
            f"{source} {shown!r} is not allowed: use 1-128 letters, digits, '.', '_', '~' or '-', "
            "starting with a letter or digit, without '..' (e.g. 2024-05-01-nightly)"
        )
    return crawl_id


def new_crawl_id(now: datetime | None = None) -> str:
    """A fresh crawl id, ``YYYYMMDDThhmmssZ-xxxx``: sortable by start time, unique enough."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def crawl_id_for(crawler: Any) -> str:
    """The crawl id of a running Scrapy crawler: ``NEWSARCHIVE_CRAWL_ID`` or one generated once.

    Every component (spider, pipelines, WARC writer) asks here, so a crawl started
    with plain ``scrapy crawl`` still uses one id everywhere.
    """
    cached = getattr(crawler, "_newsarchive_crawl_id", None)
    if cached:
        return str(cached)
    configured = crawler.settings.get("NEWSARCHIVE_CRAWL_ID")
    crawl_id = check_crawl_id(configured, "NEWSARCHIVE_CRAWL_ID") if configured else new_crawl_id()
    crawler._newsarchive_crawl_id = crawl_id
    return str(crawl_id)


def mime_type(content_type: str | None) -> str | None:
    """``text/html; charset=utf-8`` -> ``text/html`` (lower case), None when absent."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def capture_id_for(warc: WarcPointer | None, url: str | None, fetched_at: str | None) -> str:
    """Stable id of one fetch (see :func:`newsarchive.normalize.capture_id`).

    Derived from the WARC record id when the fetch was archived, so re-extracting
    the same record later gives the same id; random only when nothing is known.
    """
    record_id = warc.warc_record_id if warc else None
    if record_id or (url and fetched_at):
        return capture_id(warc_record_id=record_id, url=url, fetched_at=fetched_at)
    return uuid.uuid4().hex


def build_provenance(
    capture: FetchFacts, *, crawl_id: str | None, spider: str | None
) -> dict[str, Any]:
    """Turn the facts of a fetch (from the spider, the add-on or a WARC record) into provenance.

    WARC fields come from the pointer (None when the fetch was not archived);
    ``crawl_id`` and ``spider`` from the caller, else from the facts. Returns a dict
    shaped exactly like ``schema.Provenance``.
    """
    warc = capture.warc
    block: dict[str, Any] = {
        name: getattr(warc, name) if warc else None for name in _WARC_POINTER_FIELDS
    }
    block.update(
        crawl_id=crawl_id or capture.crawl_id,
        spider=spider or capture.spider,
        fetch_status=capture.status,
        content_mime_type=mime_type(capture.content_type),
        discovered_via=capture.discovered_via,
        fetched_at=capture.fetch_time,
    )
    return schema.conform(block, schema.Provenance)
