"""Generated article records for tests and benchmarks of the export path.

Deterministic (record ``i`` is always the same) and filled in every part of
the schema, including nested lists of structs, so exports are exercised the
way real crawls exercise them. Optional parts appear only on some records,
as on real pages.
"""

from __future__ import annotations

from typing import Any

from newsarchive import schema
from newsarchive.normalize import capture_id, normalize_record

_WORDS = (
    "election",
    "council",
    "budget",
    "harbour",
    "festival",
    "storm",
    "court",
    "school",
    "minister",
    "river",
    "market",
    "museum",
    "transport",
    "housing",
    "energy",
    "report",
)


def _sentence(i: int, n: int) -> str:
    return " ".join(_WORDS[(i * 7 + k * 3) % len(_WORDS)] for k in range(n)).capitalize() + "."


def synthetic_record(i: int, crawl_id: str = "crawl-1", paragraphs: int = 8) -> dict[str, Any]:
    """Record number ``i``: a plausible, fully shaped, normalized article."""
    url = f"https://news{i % 5}.example.com/{_WORDS[i % len(_WORDS)]}/story-{i}"
    fetched_at = f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
    body = [_sentence(i + p, 12 + p % 5) for p in range(paragraphs)]
    record: dict[str, Any] = {
        "url": url,
        "requested_url": url + "?utm_source=rss",
        "publisher": f"Example News {i % 5}",
        "headline": _sentence(i, 6),
        "lede": _sentence(i + 1, 15),
        "description": _sentence(i + 2, 10),
        "article_body": "\n".join(body),
        "body_sections": [
            {"headline": None, "paragraphs": body[:4]},
            {"headline": "Background", "paragraphs": body[4:]},
        ],
        "authors": [
            {"name": f"Reporter {i % 37}", "name_raw": f"By Reporter {i % 37}", "url": None}
        ],
        "date_published": f"2024-05-{1 + i % 28:02d}T08:00:00+02:00",
        "date_published_raw": f"{1 + i % 28} May 2024 08:00",
        "date_published_source": "json_ld",
        "in_language": "en",
        "section": _WORDS[i % len(_WORDS)],
        "topics": [_WORDS[(i + k) % len(_WORDS)] for k in range(i % 4)],
        "breadcrumbs": [{"url": f"https://news{i % 5}.example.com/", "title": "Home"}],
        "images": [
            {
                "url": f"https://img.example.com/{i}.jpg",
                "alt": "A view",
                "caption": "The harbour at dawn",
                "credit": "Example Photo",
                "is_cover": True,
            }
        ],
        "quotes": [{"text": _sentence(i + 3, 8), "speaker": f"Official {i % 11}"}]
        if i % 3 == 0
        else [],
        "related_links": [
            {"url": f"https://news{i % 5}.example.com/story-{i + 1}", "title": _sentence(i + 4, 5)}
        ],
        "free_access": None if i % 10 else False,
        "extraction": {
            "extractor_version": "0.1.0",
            "rule": "generic",
            "page_type": "article",
            "probability": 0.97,
        },
        "provenance": {
            "crawl_id": crawl_id,
            "spider": "news",
            "fetched_at": fetched_at,
            "fetch_status": 200,
            "content_mime_type": "text/html",
            "warc_filename": f"newsarchive-{crawl_id}.warc.gz",
            "warc_record_offset": i * 4096,
            "warc_record_length": 4000,
            "discovered_via": {"type": "news_sitemap", "url": None, "lastmod": None},
        },
    }
    if i % 2:
        record["main_image"] = record["images"][0]
        record["captions"] = [
            {
                "text": "The harbour at dawn",
                "credit": "Example Photo",
                "image_url": f"https://img.example.com/{i}.jpg",
            }
        ]
    out = normalize_record(schema.conform(record))
    out["capture_id"] = capture_id(url=url, fetched_at=fetched_at)
    out["article_version"] = 1
    return out
