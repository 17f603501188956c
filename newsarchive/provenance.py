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
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from newsarchive import schema
from newsarchive.normalize import capture_id

# Provenance fields copied as they are from the WARC pointer the capture extension stores.
_WARC_POINTER_FIELDS = (
    "warc_filename",
    "warc_record_offset",
    "warc_record_length",
    "warc_record_id",
    "content_digest",
    "fetched_at",
    "ip_address",
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


def capture_id_for(warc: Mapping[str, Any] | None, url: str | None, fetched_at: str | None) -> str:
    """Stable id of one fetch (see :func:`newsarchive.normalize.capture_id`).

    Derived from the WARC record id when the fetch was archived, so re-extracting
    the same record later gives the same id; random only when nothing is known.
    """
    record_id = (warc or {}).get("warc_record_id")
    if record_id or (url and fetched_at):
        return capture_id(warc_record_id=record_id, url=url, fetched_at=fetched_at)
    return uuid.uuid4().hex


def build_provenance(
    capture: Mapping[str, Any], *, crawl_id: str | None, spider: str | None
) -> dict[str, Any]:
    """Turn capture info (the spider's ``_capture`` or a WARC record's headers) into provenance.

    ``capture`` keys: ``status``, ``content_type``, ``discovered_via`` and ``warc``
    (the pointer ``{"warc_filename", "warc_record_offset", ...}`` or None when the
    fetch was not archived) and optionally ``fetched_at``, used when there is no
    pointer. Returns a dict shaped exactly like ``schema.Provenance``.
    """
    warc = capture.get("warc") or {}
    block: dict[str, Any] = {name: warc.get(name) for name in _WARC_POINTER_FIELDS}
    block.update(
        crawl_id=crawl_id or capture.get("crawl_id"),
        spider=spider or capture.get("spider"),
        fetch_status=capture.get("status"),
        content_mime_type=mime_type(capture.get("content_type")),
        discovered_via=capture.get("discovered_via"),
    )
    block["fetched_at"] = block["fetched_at"] or capture.get("fetched_at")
    return schema.conform(block, schema.Provenance)
