"""SURT keys: the one form of a URL that our records, our CDXJ index and pywb share.

``surt.surt(url)`` is what pywb, cdxj-indexer and py-wacz key captures by, so it is
the only definition here: a record's ``url_surtkey`` and its response's line in
``index.cdxj`` are the same string, and pywb finds every capture by it. A fast path
gives the same answer without the package's full canonicalisation for the common
plain URL (tests compare the two on every shape they know).
"""

from __future__ import annotations

import re
from functools import lru_cache

import surt

# scheme://netloc + a path of unreserved characters, no dot segments, no "//", no query.
_PLAIN_URL_RE = re.compile(
    r"([A-Za-z][A-Za-z0-9+.-]*://[^/?#]+)((?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?)"
)


def _package_key(url: str) -> str | None:
    try:
        return str(surt.surt(url))
    except Exception:  # the package raises on a few malformed URLs
        return None


@lru_cache(maxsize=4096)
def _origin_key(origin: str) -> str | None:
    """The host part (``com,example)``) of ``scheme://netloc``, computed once per origin."""
    key = _package_key(origin + "/")
    return key[:-1] if key is not None and key.endswith(")/") else None


def surt_key(url: str) -> str | None:
    """``surt.surt(url)`` (None when the package cannot read the URL).

    Fast path, same result: a URL without query or fragment whose path holds only
    unreserved characters and no dot segments comes out as its origin's key plus the
    lower-cased path without a trailing slash.
    """
    match = _PLAIN_URL_RE.fullmatch(url)
    if match:
        origin_key = _origin_key(match.group(1))
        if origin_key is not None:
            path = (match.group(2) or "/").lower()
            if len(path) > 1 and path.endswith("/"):
                path = path[:-1]
            return origin_key + path
    return _package_key(url)
