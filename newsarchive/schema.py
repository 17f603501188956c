"""The article record: the single source of truth for every field.

The dataclasses below define what an exported article looks like. The JSON
Schema shipped with the package, the Parquet/Arrow schema and the "every key
is always present" guarantee are all derived from them, never written twice.

Rules researchers rely on: every key is always present (``None`` for an
unknown scalar, ``[]`` for an empty list), snake_case names, RFC 3339 times,
the raw string beside each normalized date.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

SCHEMA_VERSION = "2.0.0"


TextKind = Literal["line", "paragraphs", "language"]


def doc(
    text: str,
    *,
    instant: bool = False,
    text_kind: TextKind | None = None,
    coverage: str | None = None,
    allowed: Iterable[str] | None = None,
    fixture: str | None = None,
    **kwargs: Any,
) -> Any:
    """A record field and everything the pipeline needs to know about it, in one place.

    * ``text``: the description (JSON Schema, docs/schema.md, Arrow metadata);
    * ``instant``: an RFC 3339 time (validated as such; a UTC timestamp in Parquet);
    * ``text_kind``: how normalization cleans it: ``line`` (one line; each item of a
      list of strings), ``paragraphs`` (lines kept), ``language`` (a BCP 47 tag);
    * ``coverage``: the label under which reports count how many articles have it;
    * ``allowed``: the only values it may hold besides null (validation, JSON ``enum``);
    * ``fixture``: how extraction fixtures compare it (see ``newsarchive.fixtures``).

    A new field is this one line plus the extractor that fills it (tests/test_registry.py).
    """
    if "default_factory" not in kwargs and "default" not in kwargs:
        kwargs["default"] = None
    metadata = {
        "doc": text,
        "instant": instant,
        "text": text_kind,
        "coverage": coverage,
        "allowed": tuple(allowed) if allowed is not None else None,
        "fixture": fixture,
    }
    return field(metadata=metadata, **kwargs)


def listof(
    text: str,
    *,
    text_kind: TextKind | None = None,
    coverage: str | None = None,
    fixture: str | None = None,
) -> Any:
    """A list field (empty by default), declared like :func:`doc`."""
    return doc(text, text_kind=text_kind, coverage=coverage, fixture=fixture, default_factory=list)


@dataclass
class Author:
    name: str | None = doc(
        "Person or agency name, without 'By', role or job title.", text_kind="line"
    )
    name_raw: str | None = doc("The author string as found on the page.")
    url: str | None = doc("Author page URL, when the page links one.")


@dataclass
class Image:
    url: str | None = doc("Absolute image URL.")
    alt: str | None = doc("The image's alt text, as published.", text_kind="line")
    caption: str | None = doc("Caption text without the credit.", text_kind="line")
    credit: str | None = doc(
        "Photo credit without its label ('Foto:', '©'), e.g. 'AP Photo / Ariel Schalit'.",
        text_kind="line",
    )
    is_cover: bool = doc("True for the article's lead image.", default=False)


@dataclass
class Caption:
    text: str | None = doc(
        "Caption text without the credit (null for a credit-only caption such as"
        " 'Photo by X on Unsplash').",
        text_kind="line",
    )
    credit: str | None = doc(
        "Photo credit split out of the caption, without its label"
        " ('Foto:', 'Photo by', '©', '照片：').",
        text_kind="line",
    )
    image_url: str | None = doc(
        "Absolute URL of the captioned image (a lazy loader's real address, not its placeholder)."
    )


@dataclass
class Quote:
    text: str | None = doc("The quoted words, without the quotation marks.", text_kind="line")
    speaker: str | None = doc(
        "Who said it, where the text or a pull quote's attribution names them.", text_kind="line"
    )


@dataclass
class Link:
    url: str | None = doc("Absolute URL.")
    title: str | None = doc("Link text or teaser headline.", text_kind="line")


@dataclass
class BodySection:
    headline: str | None = doc(
        "Subheading; null for the text before the first one.", text_kind="line"
    )
    paragraphs: list[str] = listof("Paragraph texts in order.", text_kind="line")


@dataclass
class DiscoveredVia:
    type: str | None = doc(
        "How the URL was found: seed, sitemap, news_sitemap, feed, link, redirect.",
        allowed=("seed", "sitemap", "news_sitemap", "feed", "link", "redirect"),
    )
    url: str | None = doc("The page, sitemap or feed that named the URL.")
    lastmod: str | None = doc("lastmod / publication date the source gave, RFC 3339.", instant=True)


@dataclass
class Extraction:
    extractor: str = doc("Software that produced the fields.", default="newsarchive")
    extractor_version: str | None = doc("Its version.")
    rule: str | None = doc("'generic' or the site rule id and version used.")
    page_type: str | None = doc(
        "article, hub, liveblog, gallery, error, block_page, empty, binary.",
        allowed=("article", "hub", "liveblog", "gallery", "error", "block_page", "empty", "binary"),
    )
    probability: float = doc("Probability that the page is a news article.", default=0.0)
    validation_messages: list[str] = listof("Problems found while extracting or validating.")


@dataclass
class Provenance:
    crawl_id: str | None = doc("The crawl that fetched the page.")
    spider: str | None = doc("Scrapy spider name.")
    fetched_at: str | None = doc("Capture start time, RFC 3339 UTC with 'Z'.", instant=True)
    fetch_status: int | None = doc("HTTP status of the archived response.")
    content_mime_type: str | None = doc("MIME type from Content-Type.")
    ip_address: str | None = doc("Server IP address.")
    warc_filename: str | None = doc("WARC file holding the response record.")
    warc_record_offset: int | None = doc("Byte offset of the record's gzip member.")
    warc_record_length: int | None = doc("Length in bytes of that gzip member.")
    warc_record_id: str | None = doc("WARC-Record-ID of the response record.")
    content_digest: str | None = doc("WARC-Payload-Digest of the response.")
    discovered_via: DiscoveredVia | None = doc("How the URL was discovered.")


@dataclass
class Article:
    """One extracted news article (or a non-article page with a low probability)."""

    schema_version: str = doc("Version of this schema.", default=SCHEMA_VERSION)
    # identity
    article_id: str | None = doc(
        "Stable id: sha256 of the SURT key of the canonical URL (of the final URL when the "
        "canonical one is on another site), first 32 hex digits."
    )
    capture_id: str | None = doc("Id of this fetch (one article can have many captures).")
    article_version: int | None = doc(
        "1 for the first exported text of this article_id, +1 each time its content_hash changes."
    )
    previous_capture_id: str | None = doc("capture_id of the version this one replaces.")
    url: str | None = doc("Final URL, after redirects.")
    requested_url: str | None = doc("URL that was requested.")
    canonical_url: str | None = doc(
        "Canonical URL declared by the page (or the final URL).", fixture="exact"
    )
    url_surtkey: str | None = doc(
        "surt.surt(url): the key of this capture in index.cdxj and in pywb."
    )
    source_domain: str | None = doc("Registered host of the page, without 'www.'.")
    publisher: str | None = doc(
        "Publisher name (og:site_name, JSON-LD publisher).", text_kind="line"
    )
    # content
    headline: str | None = doc(
        "Article headline.", text_kind="line", coverage="headline", fixture="text"
    )
    lede: str | None = doc(
        "Standfirst / teaser paragraph(s); first paragraph when none.",
        text_kind="paragraphs",
        coverage="lede",
        fixture="text",
    )
    description: str | None = doc("Meta description as published.", text_kind="line")
    article_body: str | None = doc(
        "Body text after the lede, paragraphs separated by '\\n'.", text_kind="paragraphs"
    )
    article_body_html: str | None = doc("Cleaned HTML of the body.")
    body_sections: list[BodySection] = listof("Body split at its subheadings.")
    authors: list[Author] = listof(
        "Authors (people and agencies).", coverage="authors", fixture="authors"
    )
    date_published: str | None = doc(
        "Publication time, RFC 3339.", instant=True, coverage="date", fixture="date"
    )
    date_published_raw: str | None = doc("The publication date string as found.")
    date_published_source: str | None = doc(
        "Where it came from: json_ld, meta, microdata, time_element, url, htmldate, text, sitemap,"
        " feed.",
        allowed=(
            "json_ld",
            "meta",
            "microdata",
            "time_element",
            "url",
            "htmldate",
            "text",
            "sitemap",
            "feed",
        ),
    )
    date_modified: str | None = doc("Last modification time, RFC 3339.", instant=True)
    date_modified_raw: str | None = doc("The modification date string as found.")
    in_language: str | None = doc(
        "Language, BCP 47 (e.g. 'en', 'de-AT').", text_kind="language", fixture="language"
    )
    section: str | None = doc(
        "Section / category of the article.", text_kind="line", fixture="text"
    )
    topics: list[str] = listof("Topic tags / keywords.", text_kind="line", fixture="topics")
    breadcrumbs: list[Link] = listof("Breadcrumb trail.")
    main_image: Image | None = doc("The lead image.")
    images: list[Image] = listof("Images in the article.")
    captions: list[Caption] = listof(
        "Image captions with credits split out.", coverage="captions", fixture="captions"
    )
    quotes: list[Quote] = listof(
        "Direct quotations in the body, block quotes and pull quotes, with speakers.",
        coverage="quotes",
        fixture="quotes",
    )
    related_links: list[Link] = listof(
        "Related / recommended / 'read also' links.", coverage="related links", fixture="links"
    )
    videos: list[str] = listof("Video URLs embedded in the article.")
    free_access: bool | None = doc("False when the page marks the article as paywalled.")
    content_hash: str | None = doc("sha256 of the normalized headline + lede + body.")
    # metadata
    extraction: Extraction = doc("How the fields were extracted.", default_factory=Extraction)
    provenance: Provenance | None = doc("Crawl provenance, added after extraction.")


# --------------------------------------------------------------------------- derived views


def is_record_class(tp: Any) -> TypeGuard[type]:
    """True for one of the record's dataclasses (a class, not an instance)."""
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(tp, False)``."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return tp, False


@dataclass(frozen=True)
class FieldInfo:
    """One field of the record, where it sits and what was declared about it (:func:`doc`)."""

    path: str  # dotted, from the record: "headline", "authors.name", "provenance.fetched_at"
    name: str
    owner: type  # the dataclass holding it
    annotation: Any  # without the "| None"
    is_list: bool
    item: Any  # a list's item type, else the annotation
    doc: str
    text_kind: str | None
    coverage: str | None
    allowed: tuple[str, ...] | None
    instant: bool
    fixture: str | None

    @property
    def struct(self) -> type | None:
        """The dataclass this field holds (itself or as list items), else None."""
        return self.item if is_record_class(self.item) else None


def record_class() -> type:
    """The record dataclass, looked up when called (a test may add a field to it)."""
    return Article


@functools.cache
def _fields_of(cls: type, prefix: str) -> tuple[FieldInfo, ...]:
    hints = _hints(cls)
    found: list[FieldInfo] = []
    for f in dataclasses.fields(cls):
        annotation, _ = unwrap_optional(hints[f.name])
        is_list = typing.get_origin(annotation) is list
        item = typing.get_args(annotation)[0] if is_list else annotation
        meta = f.metadata
        info = FieldInfo(
            path=prefix + f.name,
            name=f.name,
            owner=cls,
            annotation=annotation,
            is_list=is_list,
            item=item,
            doc=meta.get("doc", ""),
            text_kind=meta.get("text"),
            coverage=meta.get("coverage"),
            allowed=meta.get("allowed"),
            instant=bool(meta.get("instant")),
            fixture=meta.get("fixture"),
        )
        found.append(info)
        if info.struct is not None:
            found.extend(_fields_of(info.struct, info.path + "."))
    return tuple(found)


def fields(cls: type | None = None) -> tuple[FieldInfo, ...]:
    """Every field of the record (nested ones too, by dotted path), in declaration order."""
    return _fields_of(cls or record_class(), "")


@functools.cache
def fields_of(cls: type) -> tuple[FieldInfo, ...]:
    """The direct fields of one dataclass (paths relative to it)."""
    return tuple(info for info in _fields_of(cls, "") if "." not in info.path)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # cached: get_type_hints evaluates every annotation string; uncached it made
    # conform() ~10x slower (about 1 ms per record). Callers must not mutate it.
    return typing.get_type_hints(cls)


def empty(cls: type | None = None) -> dict[str, Any]:
    """A JSON-ready dict of ``cls`` (the record) with every key present and empty."""
    return to_dict((cls or record_class())())


def to_dict(obj: Any) -> Any:
    """Dataclass instance -> plain JSON-ready dict (recursively)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list):
        return [to_dict(v) for v in obj]
    return obj


def conform(data: dict[str, Any] | None, cls: type | None = None) -> dict[str, Any]:
    """Return ``data`` shaped exactly like ``cls``: missing keys filled, unknown keys dropped.

    Nested dataclass values (and lists of them) are conformed too, so a record
    built by hand or read from an older file gets every key researchers expect.
    """
    data = data or {}
    cls = cls or record_class()
    out: dict[str, Any] = {}
    # The field types come from fields_of() (worked out once per class), not from the
    # type hints again for every field of every record.
    for f, info in zip(dataclasses.fields(cls), fields_of(cls), strict=True):
        value = data.get(f.name, None)
        if value is None:
            if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                out[f.name] = to_dict(f.default_factory())  # type: ignore[misc]
            elif f.default is not dataclasses.MISSING:
                out[f.name] = f.default
            else:
                out[f.name] = None
            continue
        struct = info.struct
        if not info.is_list and struct is not None and isinstance(value, dict):
            out[f.name] = conform(value, struct)
        elif info.is_list:
            if struct is not None:
                out[f.name] = [conform(v, struct) for v in value if isinstance(v, dict)]
            else:
                out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _json_type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    tp, optional = unwrap_optional(tp)
    if is_record_class(tp):
        defs.setdefault(tp.__name__, None)
        if defs[tp.__name__] is None:
            defs[tp.__name__] = _object_schema(tp, defs)
        schema: dict[str, Any] = {"$ref": f"#/$defs/{tp.__name__}"}
        return {"anyOf": [schema, {"type": "null"}]} if optional else schema
    if typing.get_origin(tp) is list:
        (item_tp,) = typing.get_args(tp)
        schema = {"type": "array", "items": _json_type(item_tp, defs)}
    else:
        schema = {"type": _JSON_TYPES[tp]}
    if optional:
        schema["type"] = [schema["type"], "null"]
    return schema


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    props = {}
    for f in dataclasses.fields(cls):
        prop = _json_type(hints[f.name], defs)
        prop["description"] = f.metadata.get("doc", "")
        if f.metadata.get("allowed"):
            prop["enum"] = [*f.metadata["allowed"], None]
        props[f.name] = prop
    return {
        "type": "object",
        "description": (cls.__doc__ or cls.__name__).strip().splitlines()[0],
        "properties": props,
        "required": [f.name for f in dataclasses.fields(cls)],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of the article record."""
    defs: dict[str, Any] = {}
    root = _object_schema(record_class(), defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://newsarchive.invalid/schema/article-{SCHEMA_VERSION}.json",
        "title": "newsarchive article record",
        "version": SCHEMA_VERSION,
        **root,
        "$defs": defs,
    }


def field_docs(cls: type | None = None) -> list[tuple[str, str, str]]:
    """(name, type, description) rows for the README / docs field table."""
    cls = cls or record_class()
    hints = _hints(cls)
    rows = []
    for f in dataclasses.fields(cls):
        rows.append((f.name, _type_name(hints[f.name]), f.metadata.get("doc", "")))
    return rows


def _type_name(tp: Any) -> str:
    inner, optional = unwrap_optional(tp)
    if is_record_class(inner):
        name = inner.__name__
    elif typing.get_origin(inner) is list:
        name = f"list[{_type_name(typing.get_args(inner)[0])}]"
    else:
        name = inner.__name__
    return f"{name} | null" if optional else name
