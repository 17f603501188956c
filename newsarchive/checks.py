"""Value checks of a site's configuration, shared by crawl plans and spider arguments.

Each check takes a value as TOML gives it and returns ``(converted value, error
message or None)``; the message is what a user reads after ``file:line: field:``.
Each reader turns a ``scrapy crawl -a NAME=VALUE`` string into such a value first
(lists comma-separated or a JSON array, yes/no booleans, numbers), so a value is
checked by one rule whichever way it arrives. Pure: no Scrapy, no network.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from newsarchive.discovery.dates import parse_rfc3339

Check = Callable[[Any], tuple[Any, str | None]]
Reader = Callable[[Any], Any]

REFETCH_POLICIES = ("never", "conditional")
DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|w)\s*$")
DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# A contact a site operator can reach: an http(s) URL with a host, or an e-mail address.
_CONTACT_URL = re.compile(r"https?://[^\s;()<>\"']+", re.IGNORECASE)
_CONTACT_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
)
# Control characters end or break a header line (CR, LF, NUL...); tab is allowed in HTTP.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# A host name or IPv4 address, an IPv6 address (bracketed when a port follows), and a port.
_HOST = re.compile(r"^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d+)?$|^[0-9a-f:.]*:[0-9a-f:.]*$")
# Longer URLs are refused by common browsers and servers (and by the crawl's URL guard).
MAX_URL_LENGTH = 2083
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Field(NamedTuple):
    """One configuration key: its check, its default, and how a command-line string is read."""

    check: Check
    default: Any
    read: Reader = lambda value: value  # text the check reads as it is


# --------------------------------------------------------------------------- checks


def got(value: Any) -> str:
    """``got "ten"`` / ``got int 3``: the offending value, as the user wrote it."""
    if isinstance(value, str):
        return f"got {json.dumps(value, ensure_ascii=False)}"
    return f"got {type(value).__name__} {value!r}"


def boolean(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, f"expected true or false, {got(value)}"


def int_at_least(minimum: int) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"expected an integer, {got(value)}"
        if value < minimum:
            return None, f"expected an integer >= {minimum}, got {value}"
        return value, None

    return check


def non_negative_number(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"expected a number of seconds, {got(value)}"
    if not math.isfinite(value):
        return None, f"expected a finite number of seconds, got {value}"
    if value < 0:
        return None, f"expected a number >= 0, got {value}"
    return float(value), None


def text(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, f"expected a non-empty string, {got(value)}"
    if _CONTROL.search(value):
        return None, f"control characters are not allowed, {got(value)}"
    return value.strip(), None


def header_value_error(value: str) -> str | None:
    """Why ``value`` cannot be an HTTP header value (or name), None when it can.

    A CR or LF would end the header line and start a forged one in the request
    and in its WARC record; other control characters are refused with them.
    """
    found = _CONTROL.search(value)
    if found:
        return (
            f"control character {found.group()!r} at position {found.start()} "
            "(remove line breaks and control characters)"
        )
    return None


def contact_error(text: str) -> str | None:
    """None when ``text`` names a reachable contact: an http(s) URL with a host, or an e-mail."""
    if _CONTACT_EMAIL.search(text):
        return None
    for match in _CONTACT_URL.finditer(text):
        try:
            host = urlsplit(match.group()).hostname
        except ValueError:
            continue
        if host and ("." in host or host == "localhost"):
            return None
    return (
        "no contact the site's operators can reach: add an http(s) URL with a host "
        '("+https://library.example/bot") or an e-mail address ("archive@library.example")'
    )


def site_name(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not _SITE_NAME.match(value):
        return None, f"expected a name of letters, digits, '.', '_' or '-', {got(value)}"
    return value, None


def list_of(item_check: Check) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, list | tuple):
            return None, f"expected a list, {got(value)}"
        out = []
        for index, item in enumerate(value):
            converted, error = item_check(item)
            if error:
                return None, f"item {index}: {error}"
            out.append(converted)
        return tuple(out), None

    return check


def http_url(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected an http(s) URL, {got(value)}"
    return url_error(value.strip())


def url_error(text: str) -> tuple[str | None, str | None]:
    """``(url, None)`` for a usable http(s) URL, ``(None, why)`` otherwise."""
    shown = text if len(text) <= 100 else f"{text[:60]}...({len(text)} characters)"
    if len(text) > MAX_URL_LENGTH:
        return None, (
            f"URL longer than {MAX_URL_LENGTH} characters ({len(text)}): "
            f"{shown!r}; shorten it or drop it"
        )
    if _CONTROL.search(text) or " " in text:
        return None, f"URL with spaces or control characters: {shown!r}"
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        return None, f"not a valid URL ({exc}): {shown!r}"
    if parts.scheme not in ("http", "https") or not host:
        return None, f"expected an http(s) URL with a host, got {shown!r}"
    return text, None


def host(value: Any) -> tuple[Any, str | None]:
    """A host name, IPv4 or IPv6 address, optionally with ``:port`` (lower-cased)."""
    if not isinstance(value, str) or not _HOST.match(value.strip().lower()):
        return None, f"expected a host name, {got(value)}"
    return value.strip().lower(), None


def regex(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected a regular expression string, {got(value)}"
    try:
        re.compile(value)
    except re.error as exc:
        return None, f"invalid regular expression {json.dumps(value)}: {exc}"
    return value, None


def since(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, date):  # TOML dates and datetimes (datetime is a date subclass)
        value = value.isoformat()
    if isinstance(value, str) and (DURATION.match(value) or parse_rfc3339(value)):
        return value.strip(), None
    return None, f'expected a duration like "7d", "12h", "2w" or an RFC 3339 date, {got(value)}'


def cron(value: Any) -> tuple[Any, str | None]:
    from newsarchive.cron import CronError, CronExpression

    if not isinstance(value, str):
        return None, f'expected a cron expression like "0 */6 * * *", {got(value)}'
    try:
        CronExpression.parse(value).next_after(datetime(2000, 1, 1, tzinfo=UTC))
    except CronError as exc:
        return None, str(exc)
    return value.strip(), None


def one_of(*choices: str) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if value not in choices:
            return None, f"expected one of {', '.join(choices)}, {got(value)}"
        return value, None

    return check


def timezone(value: Any) -> tuple[Any, str | None]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value.strip():
        return None, f'expected an IANA time zone name such as "Europe/Berlin", {got(value)}'
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None, f'unknown time zone {value!r} (an IANA name such as "Europe/Berlin")'
    return value, None


def contact(value: Any) -> tuple[Any, str | None]:
    """A user agent or contact text that names a contact (see :func:`contact_error`)."""
    checked, error = text(value)
    if error:
        return None, error
    error = contact_error(checked)
    return (None, f"{error}, got {json.dumps(checked)}") if error else (checked, None)


# --------------------------------------------------------------------------- readers


def read_list(value: Any) -> Any:
    """``"a,b"`` or ``'["a", "b"]'`` -> list of non-empty strings; other values unchanged."""
    if isinstance(value, list | tuple):
        return [item.strip() if isinstance(item, str) else item for item in value if item != ""]
    if not isinstance(value, str):
        return value
    stripped = value.strip()
    items = json.loads(stripped) if stripped.startswith("[") else stripped.split(",")
    if not isinstance(items, list):
        raise ValueError(f"expected a JSON array, got {stripped!r}")
    return [str(item).strip() for item in items if str(item).strip()]


def read_url_list(value: Any) -> Any:
    """Like :func:`read_list`; a bare host on the command line gets ``http://``."""
    items = read_list(value)
    if not isinstance(items, list):
        return items
    return [
        f"http://{item}" if isinstance(item, str) and "://" not in item else item for item in items
    ]


def read_bool(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def read_int(value: Any) -> Any:
    return int(value) if isinstance(value, str) else value
