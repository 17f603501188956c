"""Record normalization: the last, pure step of extraction.

``normalize_record`` runs on every record at the end of ``extract()``, so it is
pure, fast (tens of microseconds for a typical article) and idempotent:
normalizing a normalized record changes nothing.

What it does, field by field (the rules researchers can rely on):

* Text: invisible characters removed (zero-width space, word joiner, soft
  hyphen, BOM, bidi controls; ZWJ/ZWNJ are kept because emoji sequences and
  Persian/Indic spelling need them), Unicode NFC, runs of whitespace collapsed
  to one space and trimmed. ``lede`` and ``article_body`` keep one ``"\\n"``
  between paragraphs; empty paragraphs are dropped. ``*_raw`` fields and
  ``article_body_html`` are kept exactly as found.
* ``canonical_url`` (the page's declared canonical; the final URL when none
  is declared or the declared one is not an absolute URL) is canonicalized:
  scheme and host lower-cased, default port, fragment, tracking parameters
  (see ``TRACKING_PARAMS``) and session ids (``;jsessionid=``, ``PHPSESSID``,
  ``ASPSESSIONID*``, ASP.NET ``/(S(..))/``, the ``CFID``+``CFTOKEN`` pair, and
  ``sid`` / ``sessionid`` with a token-shaped value: see ``SESSION_PARAMS``)
  dropped, an empty path becomes ``/``;
  everything else (path case, parameter order, percent escapes) is kept,
  because servers may treat it as significant. ``url`` and ``requested_url``
  stay as fetched: they must match the WARC record.
* ``url_surtkey``: ``surt.surt(url)`` of the fetched URL (:mod:`newsarchive.surts`),
  the key of its response in ``index.cdxj`` and in pywb (``com,example)/path?a=1&b=2``:
  scheme and leading ``www.`` dropped, host labels reversed, lower-cased, query
  parameters sorted).
* ``article_id``: first 32 hex digits of sha256 of the SURT key of the article's
  identity URL, so the http/https and www/bare-host variants of one article share
  one id. The identity URL is the canonical URL (tracking parameters dropped) when
  it is on the page's own site (see :func:`same_site`), else the final URL: a page
  cannot claim another site's article (canonical poisoning). Such a canonical stays
  in ``canonical_url`` as data, with a validation message; a crawl plan can name
  hosts that belong together (``scope.canonical_hosts``), see :func:`reidentify`.
* ``source_domain``: host of the final URL (else the canonical URL), lower
  case, without ``www.``.
* ``content_hash``: sha256 hex of normalized headline, lede and body joined
  by ``"\\n"`` (missing parts as empty strings); ``None`` when all are empty.
* Dates (``date_published``, ``date_modified``) are RFC 3339 or null, the
  string as found always kept in ``*_raw`` (see :func:`settle_dates`): a
  date-time with an offset or a plain date stays; a local time the page gives
  no offset for anywhere (extraction already lends it the offset of the
  page's other date) keeps only its day; anything else becomes null. Each
  change adds a note to ``extraction.validation_messages``. With the site's
  time zone (a plan's ``timezone``), :func:`localize_dates` turns the local
  time into a date-time with that zone's offset on that day instead.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

from newsarchive import schema, surts

# ----------------------------------------------------------------------------- text

# Characters that carry no visible content and break matching and dedupe:
# soft hyphen, combining grapheme joiner, arabic letter mark, mongolian vowel
# separator, zero-width space, LRM/RLM, bidi embeddings/overrides, word joiner,
# bidi isolates, BOM. Removed with `in` + str.replace: both run in C, many
# times faster than a regex or str.translate over non-ASCII text.
_INVISIBLE = (
    "\u00ad",
    "\u034f",
    "\u061c",
    "\u180e",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2060",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
)
# Line and paragraph separators that become "\n" before paragraphs are split.
_LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c")


def _replace_all(text: str, targets: tuple[str, ...], replacement: str) -> str:
    for target in targets:
        if target in text:
            text = text.replace(target, replacement)
    return text


def _unify(text: str) -> str:
    if not text.isascii():
        text = _replace_all(text, _INVISIBLE, "")
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    return text


def _collapsed(line: str) -> str:
    """``line`` with its whitespace collapsed (``" ".join(line.split())``).

    Extraction hands over text already collapsed: a printable line (the space is the
    only printable whitespace) without double, leading or trailing spaces is returned
    as it is, without splitting it into words and joining them again.
    """
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def clean_text(text: str | None) -> str | None:
    """One line of text: invisible characters out, NFC, whitespace collapsed."""
    if not isinstance(text, str):
        return text
    return _collapsed(_unify(text)) or None


def clean_paragraphs(text: str | None) -> str | None:
    """Multi-paragraph text: each paragraph cleaned, empty ones dropped, joined by "\\n"."""
    if not isinstance(text, str):
        return text
    text = _replace_all(_unify(text), _LINE_BREAKS, "\n")
    lines = (_collapsed(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


def _clean_list(values: Any) -> Any:
    if not isinstance(values, list):
        return values
    cleaned = (clean_text(v) if isinstance(v, str) else v for v in values)
    return [v for v in cleaned if v is not None]


_CLEANERS: dict[str, Callable[[Any], Any]] = {}  # text kind -> function, filled below


def _field_cleaner(info: schema.FieldInfo) -> Callable[[Any], Any] | None:
    """The function cleaning one field by its declared text kind (structs field by
    field), or None when the field holds no text normalization cleans."""
    if info.text_kind is not None:
        if info.is_list and info.text_kind == "line":
            return _clean_list
        return _CLEANERS[info.text_kind]
    struct = info.struct
    if struct is None or not _has_text(struct):
        return None

    def clean_nested(value: Any) -> Any:
        if info.is_list and isinstance(value, list):
            return [_clean_struct(item, struct) for item in value]
        if isinstance(value, dict):
            return _clean_struct(value, struct)
        return value

    return clean_nested


@functools.cache
def _cleaning_plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(field name, cleaner) for the fields of ``cls`` that hold text, worked out once
    per class: records are many, their classes few."""
    cleaners = ((info.name, _field_cleaner(info)) for info in schema.fields_of(cls))
    return tuple((name, cleaner) for name, cleaner in cleaners if cleaner is not None)


@functools.cache
def _has_text(cls: type) -> bool:
    """True when ``cls`` or a struct inside it has a field normalization cleans."""
    return any(
        info.text_kind or (info.struct is not None and _has_text(info.struct))
        for info in schema.fields_of(cls)
    )


def _clean_struct(item: Any, cls: type) -> Any:
    if not isinstance(item, dict):
        return item
    out = dict(item)
    for name, cleaner in _cleaning_plan(cls):
        if name in out:
            out[name] = cleaner(out[name])
    return out


def _normalize_language(tag: Any) -> Any:
    """BCP 47 casing: language lower, script title, region upper ('en_us' -> 'en-US')."""
    if not isinstance(tag, str):
        return tag
    if not tag.strip():
        return None
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


_CLEANERS.update(line=clean_text, paragraphs=clean_paragraphs, language=_normalize_language)


# ----------------------------------------------------------------------------- URLs

# Query parameters that only say how a reader arrived; dropped from canonical URLs.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "smid",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_",)
# ``ref`` is dropped only with these values: elsewhere it can select content.
TRACKING_VALUES = {
    "ref": frozenset(
        {
            "rss",
            "feed",
            "feeds",
            "hp",
            "homepage",
            "newsletter",
            "twitter",
            "facebook",
            "social",
            "share",
        }
    ),
}
# Session ids (the forms Heritrix's StripSessionIDs / StripSessionCFIDs rules name):
# a server that tracks visitors in the URL gives every visit new links to one page.
# These parameter names mean a session whatever their value.
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "aspsessionid"})
_ASP_SESSION = re.compile(r"aspsessionid[a-z]{8}")  # classic ASP: ASPSESSIONIDQQGGQGPA=...
# These may name content (``sid`` is a story id on some sites): dropped only with a
# value shaped like a session token (see ``_SESSION_TOKEN``), as Heritrix drops ``sid``
# only with 32 letters and digits.
TOKEN_SESSION_PARAMS = frozenset({"sid", "sessionid", "session_id"})
# 16 or more letters and digits, both present (a hex digest, a base-36 id), or a UUID;
# a numeric story id (``sid=12345``) or a slug (``sid=covid-19-update``) is no token.
_SESSION_TOKEN = re.compile(
    r"(?=[0-9A-Za-z]*[0-9])(?=[0-9A-Za-z]*[A-Za-z])[0-9A-Za-z]{16,}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# ColdFusion's pair: CFID alone may be something else, the pair is the session.
_COLDFUSION_PAIR = ("cfid", "cftoken")
# ``;jsessionid=...`` after a path segment (Java servlets without cookies).
_PATH_SESSION = re.compile(r";jsessionid=[^;/]*", re.IGNORECASE)
# ASP.NET cookieless sessions: a ``/(S(24 chars))/`` segment (and its ``(A(..)F(..))`` kin).
_ASPNET_SESSION = re.compile(r"/\((?:[A-Za-z]\([0-9A-Za-z]{24}\))+\)(?=/)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WWW_LABEL = re.compile(r"^www\d*\.")


def _key_value(param: str) -> tuple[str, str]:
    """A query parameter's name (unquoted, lower case) and its value (as written)."""
    key, _, value = param.partition("=")
    return unquote_plus(key).lower(), value


def _is_tracking(param: str) -> bool:
    key, value = _key_value(param)
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return unquote_plus(value).lower() in TRACKING_VALUES.get(key, ())


def _is_session(param: str) -> bool:
    key, value = _key_value(param)
    if key in SESSION_PARAMS or _ASP_SESSION.fullmatch(key):
        return True
    return key in TOKEN_SESSION_PARAMS and bool(_SESSION_TOKEN.fullmatch(unquote_plus(value)))


def _kept_params(query: str) -> list[str]:
    """Query parameters without tracking parameters and session ids."""
    params = [p for p in query.split("&") if p and not _is_tracking(p) and not _is_session(p)]
    keys = {_key_value(p)[0] for p in params}
    if all(name in keys for name in _COLDFUSION_PAIR):
        params = [p for p in params if _key_value(p)[0] not in _COLDFUSION_PAIR]
    return params


def _without_path_session(path: str) -> str:
    if ";" in path:
        path = _PATH_SESSION.sub("", path)
    if "((" in path or "(S(" in path or "(s(" in path:
        path = _ASPNET_SESSION.sub("", path)
    return path


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts


def _netloc(parts: SplitResult) -> str:
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    return f"{userinfo}@{host}" if userinfo else host


def canonicalize_url(url: str | None) -> str | None:
    """Canonical form of an absolute URL, or ``None`` when it is not one."""
    if not isinstance(url, str):
        return None
    parts = _split(url)
    if parts is None:
        return None
    query = "&".join(_kept_params(parts.query))
    scheme = parts.scheme.lower()
    path = _without_path_session(parts.path) or ("/" if scheme in _DEFAULT_PORTS else "")
    return urlunsplit((scheme, _netloc(parts), path, query, ""))


def surt_key(url: str | None) -> str | None:
    """``surt.surt(url)`` for an absolute http(s) URL, the key CDX indexes and pywb use."""
    parts = _split(url) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return None
    return surts.surt_key(url)


def source_domain(url: str | None) -> str | None:
    """Host without a leading ``www.``, lower case."""
    parts = _split(url) if isinstance(url, str) else None
    if parts is None:
        return None
    return _WWW_LABEL.sub("", parts.hostname or "").strip(".") or None


def _host_within(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains (IP addresses: only equal)."""
    if host == domain:
        return True
    if _is_ip(host) or _is_ip(domain):
        return False
    return host.endswith("." + domain)


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _ascii_host(host: str) -> str:
    """An internationalized host in its ASCII (punycode) spelling, as DNS sees it."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _bare_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if not host.startswith("[") and host.count(":") == 1:
        host = host.split(":", 1)[0]  # a port: the site is the host
    return _ascii_host(_WWW_LABEL.sub("", host))


def same_site(url: str | None, other: str | None, related_hosts: Iterable[str] = ()) -> bool:
    """True when a page at ``url`` may name ``other`` as its canonical URL.

    The same site: equal hosts (without ``www.``; ports ignored), or one host a
    subdomain of the other (``amp.example.com`` and ``example.com``; sibling
    subdomains such as ``a.blogspot.com`` and ``b.blogspot.com`` are different sites).
    Hosts a crawl plan says belong together (``related_hosts``, each with its
    subdomains) count as one site too.
    """
    host, other_host = source_domain(url), source_domain(other)
    if not host or not other_host:
        return False
    host, other_host = _ascii_host(host), _ascii_host(other_host)
    if _host_within(host, other_host) or _host_within(other_host, host):
        return True
    related = {_bare_host(h) for h in related_hosts if h and h.strip()}
    return any(_host_within(host, h) for h in related) and any(
        _host_within(other_host, h) for h in related
    )


CROSS_SITE_PREFIX = "canonical_url: on another site"


def identity_url(
    url: str | None, canonical: str | None, related_hosts: Iterable[str] = ()
) -> tuple[str | None, str | None]:
    """``(URL that identifies the article, validation message or None)``.

    The canonical URL when the page may speak for it (:func:`same_site`), else the
    page's own URL; both canonicalized. Without a page URL the canonical stands.
    """
    page = canonicalize_url(url)
    if canonical is None or page is None or same_site(page, canonical, related_hosts):
        return canonical or page, None
    return page, (
        f"canonical_url: on another site ({source_domain(canonical)}), not used for article_id"
    )


def reidentify(record: dict[str, Any], related_hosts: Iterable[str]) -> dict[str, Any]:
    """Derive ``article_id`` again, letting ``related_hosts`` share articles.

    For a crawl plan's ``scope.canonical_hosts``: normalization alone never trusts a
    canonical URL on another site; the plan may say that the hosts belong together.
    """
    identity, message = identity_url(record.get("url"), record.get("canonical_url"), related_hosts)
    record["article_id"] = article_id(surt_key(identity))
    if message is None and isinstance(record.get("extraction"), dict):
        extraction = record["extraction"]
        messages = extraction.get("validation_messages") or []
        extraction["validation_messages"] = [
            m for m in messages if not str(m).startswith(CROSS_SITE_PREFIX)
        ]
    return record


def identifies_article(record: dict[str, Any]) -> bool:
    """True when the record's ``canonical_url`` is what its ``article_id`` was derived from."""
    canonical = record.get("canonical_url")
    return bool(canonical) and article_id(surt_key(canonical)) == record.get("article_id")


def _hex_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def article_id(surtkey: str | None) -> str | None:
    """Stable article id: first 32 hex digits of sha256 of the SURT key."""
    return _hex_id(surtkey) if surtkey else None


def capture_id(
    *, warc_record_id: str | None = None, url: str | None = None, fetched_at: str | None = None
) -> str:
    """Stable id of one fetch: from the WARC record id, else from URL + fetch time.

    32 hex digits of sha256, so ids look alike whichever input made them.
    Raises ``ValueError`` when neither a record id nor both URL and time are given.
    """
    if warc_record_id:
        return _hex_id(f"warc:{warc_record_id}")
    if url and fetched_at:
        return _hex_id(f"fetch:{url}\n{fetched_at}")
    raise ValueError("capture_id needs warc_record_id, or both url and fetched_at")


def content_hash(record: dict[str, Any]) -> str | None:
    """sha256 hex of the normalized headline, lede and body joined by newlines.

    ``None`` when all three are empty: pages without text share no content.
    """
    parts = [record.get(name) for name in ("headline", "lede", "article_body")]
    if not any(isinstance(p, str) and p for p in parts):
        return None
    text = "\n".join(p if isinstance(p, str) else "" for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- dates

_RFC3339_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_RFC3339_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_FIELDS = ("date_published", "date_modified")


def is_rfc3339(value: str) -> bool:
    """True for an RFC 3339 date-time (with zone) or full-date that exists in the calendar."""
    try:
        if _RFC3339_DATE.match(value):
            date.fromisoformat(value)
            return True
        if _RFC3339_DATETIME.match(value):
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return True
    except ValueError:
        return False
    return False


_LOCAL_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
DAY_ONLY_NOTE = "no UTC offset on the page: kept the day only (the time is in {name}_raw)"


def _settle(value: Any) -> tuple[str | None, str | None]:
    """``(RFC 3339 value or None, why it changed)`` for one date field value."""
    if value is None or (isinstance(value, str) and is_rfc3339(value)):
        return value, None
    if isinstance(value, str):
        local = _LOCAL_DATETIME.match(value)
        if local and is_rfc3339(local.group(1)):
            return local.group(1), "day"
    return None, "dropped"


def settle_dates(record: dict[str, Any]) -> list[str]:
    """Make every date field RFC 3339 or null in place; returns notes on what changed.

    The value as found stays in ``*_raw`` (filled from the value when empty).
    """
    notes = []
    for name in DATE_FIELDS:
        value = record.get(name)
        settled, change = _settle(value)
        if change is None:
            continue
        if not record.get(f"{name}_raw") and isinstance(value, str):
            record[f"{name}_raw"] = value
        record[name] = settled
        if change == "day":
            notes.append(f"{name}: {DAY_ONLY_NOTE.format(name=name)}")
        else:
            notes.append(f"{name}: not RFC 3339, set to null (kept in {name}_raw): {value!r}")
    return notes


def with_settled_dates(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` itself when its dates are RFC 3339 or null, else a settled copy with notes.

    For records written before dates were settled (older exports): ``newsarchive
    export`` passes every record through here, so no export carries another form.
    """
    if all(_settle(record.get(name))[1] is None for name in DATE_FIELDS):
        return record
    out = dict(record)
    notes = settle_dates(out)
    extraction = dict(out.get("extraction") or {})
    messages = list(extraction.get("validation_messages") or [])
    extraction["validation_messages"] = messages + [n for n in notes if n not in messages]
    out["extraction"] = extraction
    return out


def _local_time(raw: str) -> datetime | None:
    """The offset-free local date-time a raw date string states, if that is what it states."""
    from newsarchive.extraction.dates import parse_date, parse_text_date

    found = parse_date(raw, "raw") or parse_text_date(raw)
    if found is None or not found.has_time or found.offset is not None:
        return None
    try:
        return datetime.fromisoformat(found.value)
    except ValueError:
        return None


def localize_dates(record: dict[str, Any], zone: str) -> dict[str, Any]:
    """``record`` with day-only dates that had a local time read in the site's time zone ``zone``.

    Only a value :func:`settle_dates` cut to its day is changed, from its
    ``*_raw`` string (the same parser as extraction), and only when the day
    agrees; the zone's rules give the offset of that day (summer time too).
    """
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    out = dict(record)
    settled = []
    for name in DATE_FIELDS:
        value, raw = out.get(name), out.get(f"{name}_raw")
        if not (isinstance(value, str) and _RFC3339_DATE.match(value) and isinstance(raw, str)):
            continue
        moment = _local_time(raw)
        if moment is None or moment.date().isoformat() != value:
            continue
        out[name] = moment.replace(tzinfo=tz).isoformat(timespec="seconds")
        settled.append(f"{name}: {DAY_ONLY_NOTE.format(name=name)}")
    if settled:
        extraction = dict(out.get("extraction") or {})
        messages = list(extraction.get("validation_messages") or [])
        extraction["validation_messages"] = [m for m in messages if m not in settled]
        out["extraction"] = extraction
    return out


# ----------------------------------------------------------------------------- record


def normalize_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a normalized copy of ``record`` (see the module docstring for the rules)."""
    # Each field as its declaration in newsarchive/schema.py says (text_kind), nested too.
    out = _clean_struct(dict(record), schema.record_class())

    messages: list[str] = []
    declared = out.get("canonical_url")
    canonical = canonicalize_url(declared)
    if declared and canonical is None:
        messages.append(f"canonical_url: not an absolute URL: {declared!r}")
    if canonical is None:  # no usable declaration: the final URL stands in
        canonical = canonicalize_url(out.get("url"))
    out["canonical_url"] = canonical or declared or None
    identity, cross_site = identity_url(out.get("url"), canonical)
    if cross_site:
        messages.append(cross_site)
    out["url_surtkey"] = surt_key(out.get("url")) or surt_key(canonical)
    out["article_id"] = article_id(surt_key(identity))
    out["source_domain"] = source_domain(out.get("url")) or source_domain(canonical)
    out["content_hash"] = content_hash(out)
    messages.extend(settle_dates(out))

    if messages:
        extraction = dict(out.get("extraction") or {})
        existing = list(extraction.get("validation_messages") or [])
        extraction["validation_messages"] = existing + [m for m in messages if m not in existing]
        out["extraction"] = extraction
    return out
