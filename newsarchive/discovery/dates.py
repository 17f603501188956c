"""Dates from sitemaps and feeds, normalized to RFC 3339.

Sitemaps use W3C datetime (``2024-05-01``, ``2024-05-01T10:00+02:00``), RSS
uses RFC 822 (``Wed, 01 May 2024 10:00:00 GMT``), Atom and Dublin Core use
RFC 3339. All of them come out as RFC 3339: ``2024-05-01T10:00:00+02:00``,
UTC written with ``Z``, and a bare date kept as a full-date (``2024-05-01``)
because inventing a midnight time would claim precision the source lacks.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime

_W3C_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_ZONE_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def format_datetime(moment: datetime) -> str:
    """RFC 3339 text of ``moment``; naive times are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _instant(moment: datetime) -> str | None:
    """RFC 3339 text of ``moment``, or None when it names no UTC instant.

    ``9999-12-31T23:59:59-12:00`` is year 10000 in UTC: Python, Parquet timestamps and
    every export tool would fail on it, so one hostile sitemap line cannot be kept.
    """
    try:
        if moment.tzinfo is not None:
            moment.astimezone(UTC)
    except OverflowError:
        return None
    return format_datetime(moment)


def _parse_iso(text: str) -> str | None:
    match = _W3C_DATE.match(text)
    if match:
        year, month, day = match.groups()
        try:
            return date(int(year), int(month or 1), int(day or 1)).isoformat()
        except ValueError:
            return None
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    candidate = _ZONE_WITHOUT_COLON.sub(r"\1:\2", candidate)
    try:
        return _instant(datetime.fromisoformat(candidate))
    except ValueError:
        return None


def _parse_rfc822(text: str) -> str | None:
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _instant(moment) if moment else None


def normalize_date(raw: str | None) -> str | None:
    """RFC 3339 form of a sitemap/feed date, or None when it cannot be read."""
    if not raw:
        return None
    text = raw.strip()
    if not text:
        return None
    return _parse_iso(text) or _parse_rfc822(text)


def parse_rfc3339(text: str | None) -> datetime | None:
    """A timezone-aware datetime from :func:`normalize_date` output (dates at 00:00 UTC)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_since(date_text: str | None, since: datetime | None) -> bool:
    """True when an entry dated ``date_text`` falls on or after ``since`` ("articles since").

    Entries without a readable date pass: a missing lastmod is no reason to
    lose an article. A bare date counts as the whole day (UTC).
    """
    if since is None:
        return True
    moment = parse_rfc3339(normalize_date(date_text))
    if moment is None:
        return True
    if date_text and _W3C_DATE.match(date_text.strip()):
        return moment.date() >= since.astimezone(UTC).date()
    return moment >= since
