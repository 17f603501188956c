"""Orchestration of one extraction: document -> metadata -> rules -> body parts -> record.

Every stage reads the same :class:`Document`. A stage that fails on a strange
page records a validation message and leaves its fields empty: one broken
field never costs the caller the rest of the record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from newsarchive import schema
from newsarchive.extraction import (
    authors,
    body,
    captions,
    dates,
    headline,
    language,
    metadata,
    pagetype,
    pullquotes,
    quotes,
    related,
    rules,
    survey,
)
from newsarchive.extraction.document import Document, NotHTML, load_document, sniff_binary
from newsarchive.extraction.text import clean_lines
from newsarchive.normalize import normalize_record
from newsarchive.version import __version__

log = logging.getLogger(__name__)
T = TypeVar("T")

EXTRACTOR = "newsarchive"
_NO_CONTENT_TYPES = frozenset({"block_page", "error"})
QUOTE_TEXT_BUDGET = 200_000  # characters of body text searched for quotations


def _guarded(name: str, func: Callable[[], T], default: Any, messages: list[str]) -> T:
    """Run one stage; on an unexpected error log it, note it, and return ``default``.

    ``default`` is the empty value of the stage's type (``[]``, ``{}``, ``None``).
    """
    try:
        return func()
    except (RecursionError, MemoryError) as exc:
        messages.append(f"{name}: page too complex ({type(exc).__name__})")
    except Exception as exc:  # a bug in one field must not lose the record
        log.warning("extraction stage %s failed: %s", name, exc, exc_info=True)
        messages.append(f"{name}: {type(exc).__name__}: {exc}")
    return default


def source_domain(url: str | None) -> str | None:
    """Host of ``url`` without port and a leading ``www.``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _not_html_record(data: bytes | str, url: str | None, exc: NotHTML) -> dict[str, Any]:
    """The record of an empty or binary input: probability 0, a message, nothing invented."""
    is_empty = not (data.strip() if isinstance(data, bytes | str) else data)
    binary = isinstance(data, bytes) and sniff_binary(data)
    page_type = "binary" if binary or (not is_empty and "binary" in str(exc)) else "empty"
    record = {
        "url": url,
        "canonical_url": url,
        "source_domain": source_domain(url),
        "extraction": {
            "extractor": EXTRACTOR,
            "extractor_version": __version__,
            "rule": None,
            "page_type": page_type,
            "probability": 0.0,
            "validation_messages": [f"not an HTML page: {exc}"],
        },
    }
    return _finish(record)


def _finish(record: dict[str, Any]) -> dict[str, Any]:
    """Shape like the schema, then normalize (ids, URL forms, clean text, content hash).

    ``normalize_record`` keeps every key, so the record is conformed only once.
    """
    shaped = schema.conform(record)
    messages = shaped["extraction"]["validation_messages"]
    return _guarded("normalize", lambda: normalize_record(shaped), shaped, messages)


def _match_rule(doc: Document, published: str | None, messages: list[str]) -> Any:
    """The site rule for the page (by host and date, else by markup fingerprint), or None."""
    return _guarded("rules", lambda: rules.for_document(doc, published), None, messages)


def _rule_id(rule: rules.SiteRule | None) -> str:
    """'generic' or the rule's 'id@version' for ``extraction.rule``."""
    return "generic" if rule is None else rule.label


def _within_budget(paragraphs: list[str], messages: list[str]) -> list[str]:
    """The paragraphs quote detection reads, cut at ``QUOTE_TEXT_BUDGET`` characters.

    Real articles are far shorter; the cut bounds the time a hostile page (megabytes
    of text in one paragraph) can cost, and the message records that it happened.
    """
    kept, used = [], 0
    for paragraph in paragraphs:
        if used + len(paragraph) > QUOTE_TEXT_BUDGET:
            kept.append(paragraph[: max(QUOTE_TEXT_BUDGET - used, 0)])
            messages.append(f"quotes: only the first {QUOTE_TEXT_BUDGET} characters searched")
            break
        kept.append(paragraph)
        used += len(paragraph)
    return [p for p in kept if p]


def _language(doc: Document, text: str | None, messages: list[str]) -> str | None:
    return _guarded("language", lambda: language.extract_language(doc, text), None, messages)


def _body_parts(doc: Document, hints: dict[str, Any], messages: list[str]) -> dict[str, Any]:
    """Lede, body, language, captions, images, quotes and related links.

    The language is read after the body: its text is the best evidence for
    the text-based check, and the quote finder needs the language.
    """
    result = _guarded("body", lambda: body.extract_body(doc, hints), None, messages)
    if result is None:
        return {"in_language": _language(doc, None, messages)}
    container, rule = result.node, hints.get("rule")
    paragraphs = [p for p in result.paragraphs or [] if p]
    lede = clean_lines(result.lede)
    text_paragraphs = _within_budget(([lede] if lede else []) + paragraphs, messages)
    blockquotes = list(getattr(result, "blockquotes", None) or [])
    lang = _language(doc, "\n".join(text_paragraphs), messages)
    return {
        "in_language": lang,
        "lede": lede,
        "article_body": "\n".join(paragraphs) or None,
        "article_body_html": result.html,
        "body_sections": list(result.sections or []),
        "container": container,
        "captions": _guarded(
            "captions", lambda: captions.extract_captions(doc, container, rule), [], messages
        ),
        "images": _guarded(
            "images", lambda: captions.extract_images(doc, container, rule), [], messages
        ),
        "quotes": _guarded(
            "quotes",
            lambda: quotes.extract_quotes(
                text_paragraphs, lang, blockquotes, pullquotes.attributed_quotes(container)
            ),
            [],
            messages,
        ),
        "related_links": _guarded(
            "related", lambda: related.extract_related(doc, container, rule), [], messages
        ),
    }


def run(
    data: bytes | str, url: str | None = None, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Extract the article record of one page (see docs/ARCHITECTURE.md).

    ``None`` counts as empty input and ``bytearray``/``memoryview`` as bytes;
    any other type is a caller bug and raises ``TypeError`` with a clear message.
    """
    if data is None:
        data = b""
    elif isinstance(data, bytearray | memoryview):
        data = bytes(data)
    elif not isinstance(data, bytes | str):
        raise TypeError(f"extract() needs bytes or str page content, got {type(data).__name__}")
    try:
        doc = load_document(data, url, headers)
    except NotHTML as exc:
        return _not_html_record(data, url, exc)
    messages = list(doc.messages)
    # The whole-page walks while the freshly parsed tree is in the CPU's caches.
    _guarded("survey", lambda: survey.survey(doc), None, messages)
    # The body's walk ahead: it reads the page's class index on the way, which the
    # stages before the body ask for.
    try:
        body.walk_page(doc)
    except Exception as exc:  # both are then taken by their stages, which report a failure
        log.debug("walk ahead failed: %s", exc)
    meta = _guarded("metadata", lambda: metadata.extract_metadata(doc), {}, messages)
    publisher = meta.get("publisher")
    found_dates = _guarded("dates", lambda: dates.extract_dates(doc), {}, messages)
    rule = _match_rule(doc, found_dates.get("date_published"), messages)
    found_headline = _guarded(
        "headline", lambda: headline.extract_headline(doc, publisher, rule), None, messages
    )
    hints = {"headline": found_headline, "description": meta.get("description"), "rule": rule}
    parts = _body_parts(doc, hints, messages)
    container = parts.pop("container", None)
    found_authors = _guarded(
        "authors",
        lambda: authors.extract_authors(doc, publisher, container, parts.get("in_language")),
        [],
        messages,
    )
    body_text = "\n".join(t for t in (parts.get("lede"), parts.get("article_body")) if t)
    verdict = _guarded(
        "page_type",
        lambda: pagetype.classify(doc, found_headline, body_text, found_dates),
        pagetype.Verdict("article", 0.5, []),
        messages,
    )
    messages.extend(verdict.reasons)
    if verdict.page_type in _NO_CONTENT_TYPES:
        # A bot wall's or error page's "headline" and text are not an article's.
        parts = {"in_language": parts.get("in_language")}
        found_headline, found_authors = None, []
    record: dict[str, Any] = {
        **meta,
        **found_dates,
        **parts,
        "url": url,
        "source_domain": source_domain(meta.get("canonical_url") or url),
        "headline": found_headline,
        "authors": found_authors,
        "extraction": {
            "extractor": EXTRACTOR,
            "extractor_version": __version__,
            "rule": _rule_id(rule),
            "page_type": verdict.page_type,
            "probability": verdict.probability,
            "validation_messages": messages,
        },
    }
    return _finish(record)
