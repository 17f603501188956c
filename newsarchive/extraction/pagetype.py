"""Page type and the probability that a page is a news article.

A crawler fetches hubs, galleries, live blogs, error pages and bot walls too;
they are recorded with a low probability instead of invented article fields.
Evidence is a table of weighted signals summed into a logistic score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, cast

import lxml.etree

from newsarchive.extraction import structured
from newsarchive.extraction.document import Document, ld_types
from newsarchive.extraction.headline import page_title
from newsarchive.extraction.text import visible_texts

# Phrases of bot challenges and block pages (checked on short pages only).
_BLOCK_PATTERNS = re.compile(
    r"just a moment\.\.\.|attention required|access denied|please enable javascript and cookies"
    r"|enable cookies|verify you are (?:a )?human|are you a robot|captcha|ddos protection"
    r"|request unsuccessful|checking your browser|unusual traffic|bot detection"
    r"|zugriff verweigert|pardon our interruption",
    re.IGNORECASE,
)
# Attribute steps first: libxml2 runs them several times faster than a test of every element
# (their elements are taken in Python: a ``/..`` step is quadratic, see xpathsafe).
_BLOCK_CLASSES = lxml.etree.XPath(
    '//@class[contains(., "g-recaptcha") or contains(., "h-captcha")'
    ' or contains(., "cf-browser-verification")]'
)
_BLOCK_IDS = lxml.etree.XPath('//@id[contains(., "challenge-form") or contains(., "cf-challenge")]')
_HAS_TEXTAREA = lxml.etree.XPath("boolean(.//textarea)")
# Text of the headings and paragraphs: one pass over the text nodes, as the union
# ``//h1//text() | //body//p//text()`` is quadratic in libxml2 (each set merged into the other).
_SAMPLE_TEXTS = lxml.etree.XPath(
    "(//text()[ancestor::h1 or ancestor::p[ancestor::body]])[position() <= $most]"
)
_HEADING_TEXTS = lxml.etree.XPath("//text()[ancestor::h1]")
_ERROR_PATTERNS = re.compile(
    r"\b404\b|not found|page (?:does not|doesn't) exist|seite nicht gefunden|"
    r"page introuvable|página no encontrada|pagina non trovata|niet gevonden|"
    r"internal server error|service unavailable|\b50[0-3]\b",
    re.IGNORECASE,
)
_ERROR_BODY = 1500  # body characters under which an error heading marks an error page
_SHORT_PAGE = 2500  # characters of visible text under which a block/error page is plausible
_GALLERY_TYPES = ("ImageGallery", "MediaGallery")
_HUB_TYPES = ("CollectionPage", "SearchResultsPage", "ProfilePage")


@dataclass
class Verdict:
    """The page type, the article probability and the reasons for a non-article verdict."""

    page_type: str
    probability: float
    reasons: list[str] = field(default_factory=list)


def _visible_text_length(doc: Document, limit: int) -> int:
    """Characters of visible text, counted only up to ``limit`` (the caller's threshold)."""
    body = doc.root.find("body")
    scope = body if body is not None else doc.root
    total = 0
    for text in visible_texts(scope):
        total += len(text.strip())
        if total >= limit:
            break
    return total


def _paragraph_chars(doc: Document, enough: int = _SHORT_PAGE) -> int:
    """Characters in paragraphs of prose (over 80 characters), counted up to ``enough``."""
    total = 0
    for paragraph in doc.root.iter("p"):
        text = paragraph.text_content().strip()
        if len(text) > 80:
            total += len(text)
            if total >= enough:
                break
    return total


def _title(doc: Document) -> str:
    title = page_title(doc)
    return title.text_content().strip() if title is not None else ""


def _has_ld(doc: Document, *types: str) -> bool:
    return any(True for _ in doc.json_ld_objects(*types))


def _has_article_ld(doc: Document) -> bool:
    """True when JSON-LD declares an article type (not just a WebPage)."""
    return any(
        t.lower() not in ("webpage", "itempage", "collectionpage")
        for obj in structured.article_objects(doc)
        for t in ld_types(obj)
    )


def _block_markup(root: Any) -> bool:
    """Whether the page holds a captcha or challenge widget outside a form with a text
    area (a captcha there guards comments or a contact form against spam)."""
    guards: dict[Any, bool] = {}  # form -> holds a text area (each form searched once)

    def guarded(form: Any) -> bool:
        if form not in guards:
            guards[form] = bool(_HAS_TEXTAREA(form))
        return guards[form]

    values = cast(list[Any], _BLOCK_CLASSES(root)) + cast(list[Any], _BLOCK_IDS(root))
    for value in values:
        if not any(guarded(form) for form in value.getparent().iterancestors("form")):
            return True
    return False


def _special_type(doc: Document, visible: int, body_chars: int) -> Verdict | None:
    """Block, error, live blog or gallery: the types recognised by explicit markers.

    Bot walls are short pages; error pages may carry a full site navigation, so
    an error title/heading counts on any page with little body and no article data.
    """
    title = _title(doc)
    if visible < _SHORT_PAGE:
        sample = title + " " + " ".join(cast(list[str], _SAMPLE_TEXTS(doc.root, most=20)))
        if _BLOCK_PATTERNS.search(sample) or _block_markup(doc.root):
            return Verdict("block_page", 0.02, ["block or bot-challenge page"])
    if visible < _SHORT_PAGE or (body_chars < _ERROR_BODY and not _has_article_ld(doc)):
        headings = " ".join(cast(list[str], _HEADING_TEXTS(doc.root)))
        if _ERROR_PATTERNS.search(title) or _ERROR_PATTERNS.search(headings):
            return Verdict("error", 0.02, ["error page"])
    if _has_ld(doc, "LiveBlogPosting"):
        return Verdict("liveblog", 0.3, ["live blog (LiveBlogPosting)"])
    if _has_ld(doc, *_GALLERY_TYPES) and not structured.article_objects(doc):
        return Verdict("gallery", 0.2, ["image gallery"])
    return None


def article_score(doc: Document, headline: str | None, body_chars: int, has_date: bool) -> float:
    """Logistic score of article evidence: structured type, og:type, date, text length."""
    og_type = (doc.meta_first("og:type") or "").lower()
    ld_article = _has_article_ld(doc)
    signals = (
        (ld_article, 2.0),
        (og_type == "article", 1.0),
        (og_type in ("website", "profile"), -1.0),
        (_has_ld(doc, *_HUB_TYPES), -2.0),
        (has_date, 1.0),
        (bool(headline), 0.5),
        (body_chars >= 1500, 1.5),
        (300 <= body_chars < 1500, 0.5),
        (body_chars < 150, -2.5),
    )
    score = sum(weight for present, weight in signals if present) - 1.5
    return 1 / (1 + math.exp(-score))


def classify(
    doc: Document, headline: str | None, body: str | None, dates: dict[str, str | None]
) -> Verdict:
    """The page type and article probability of ``doc``."""
    body_chars = len(body) if body else _paragraph_chars(doc)
    visible = body_chars if body_chars >= _SHORT_PAGE else _visible_text_length(doc, _SHORT_PAGE)
    special = _special_type(doc, visible, body_chars)
    if special:
        return special
    probability = round(
        article_score(doc, headline, body_chars, bool(dates.get("date_published"))), 3
    )
    if probability >= 0.5:
        return Verdict("article", probability)
    return Verdict("hub", probability, ["little article evidence: treated as a hub page"])
