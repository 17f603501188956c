"""Crawl plans: TOML files naming sites, their sources, scope, limits, politeness and schedule.

A plan is what an archivist edits; every mistake in it is reported with the
file, the line and the field (``plan.toml:12: sites[demo].limits.max_pages:
expected an integer, got "ten"``), all problems at once. The format is
described in ``docs/plans.md``. :func:`site_settings` and
:func:`site_spider_args` turn a validated site into what the ``news`` spider
and Scrapy need.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsarchive.version import __version__

REFETCH_POLICIES = ("never", "conditional")
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|w)\s*$")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# A contact a site operator can reach: an http(s) URL with a host, or an e-mail address.
_CONTACT_URL = re.compile(r"https?://[^\s;()<>\"']+", re.IGNORECASE)
_CONTACT_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
)
# Control characters end or break a header line (CR, LF, NUL...); tab is allowed in HTTP.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Longer URLs are refused by common browsers and servers (and by the crawl's URL guard).
MAX_URL_LENGTH = 2083


# Where site operators learn what crawls them when a plan names no contact of its own.
PROJECT_URL = "https://github.com/newsarchive/newsarchive"


def newsarchive_user_agent(contact: str = PROJECT_URL) -> str:
    """newsarchive's user agent, naming ``contact`` (the default for every crawl)."""
    return f"newsarchive/{__version__} (+{contact}; archival crawler)"


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan file, located by line and field path."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else (f"{where}: {self.message}")
        )


class PlanError(ValueError):
    """A plan that cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues: list[PlanIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Sources:
    robots_sitemaps: bool = True
    news_sitemaps: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    discover_feeds: bool = True
    follow_links: bool = True


@dataclass(frozen=True)
class Scope:
    allowed_hosts: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # Hosts that belong together: their pages may name each other's URLs as canonical,
    # which then decides article_id and the crawl state (normalize.same_site).
    canonical_hosts: tuple[str, ...] = ()

    def allows(self, url: str) -> bool:
        """True when ``url`` is on an allowed host, matches an include pattern and no exclude."""
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        hosts = {h.lower().removeprefix("www.") for h in self.allowed_hosts}
        if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
            return False
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


@dataclass(frozen=True)
class Limits:
    max_pages: int | None = None
    max_depth: int = 2
    articles_since: str | None = None  # a duration like "7d" or an RFC 3339 date

    def since(self, now: datetime | None = None) -> datetime | None:
        """The oldest publication time to fetch, resolved against ``now``."""
        if not self.articles_since:
            return None
        now = now or datetime.now(UTC)
        match = _DURATION.match(self.articles_since)
        if match:
            amount, unit = match.groups()
            return now - timedelta(**{_DURATION_UNITS[unit]: int(amount)})
        return _parse_moment(self.articles_since)


@dataclass(frozen=True)
class Politeness:
    delay: float = 0.25
    concurrency: int = 4
    autothrottle: bool = True


@dataclass(frozen=True)
class Site:
    name: str
    seeds: tuple[str, ...] = ()
    sources: Sources = field(default_factory=Sources)
    scope: Scope = field(default_factory=Scope)
    limits: Limits = field(default_factory=Limits)
    politeness: Politeness = field(default_factory=Politeness)
    schedule: str | None = None
    user_agent: str | None = None
    contact: str | None = None
    refetch: str = "never"
    allow_private: bool = False
    timezone: str | None = None  # IANA zone for dates the site writes without an offset

    @property
    def effective_user_agent(self) -> str:
        """The plan's user agent, or newsarchive's with the plan's contact."""
        if self.user_agent:
            return self.user_agent
        return newsarchive_user_agent(self.contact or PROJECT_URL)


@dataclass(frozen=True)
class Plan:
    path: Path
    name: str
    sites: tuple[Site, ...]
    state_path: Path
    output_dir: Path

    def site(self, name: str) -> Site:
        for site in self.sites:
            if site.name == name:
                return site
        known = ", ".join(s.name for s in self.sites)
        raise KeyError(f"plan {self.path} has no site {name!r} (sites: {known})")


# --------------------------------------------------------------------------- value checks
# Each check takes the TOML value and returns (converted value, error message or None).

Check = Callable[[Any], tuple[Any, str | None]]


def _got(value: Any) -> str:
    if isinstance(value, str):
        return f"got {json.dumps(value, ensure_ascii=False)}"
    return f"got {type(value).__name__} {value!r}"


def _bool(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, f"expected true or false, {_got(value)}"


def _int_at_least(minimum: int) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"expected an integer, {_got(value)}"
        if value < minimum:
            return None, f"expected an integer >= {minimum}, got {value}"
        return value, None

    return check


def _non_negative_number(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"expected a number of seconds, {_got(value)}"
    if not math.isfinite(value):
        return None, f"expected a finite number of seconds, got {value}"
    if value < 0:
        return None, f"expected a number >= 0, got {value}"
    return float(value), None


def _text(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, f"expected a non-empty string, {_got(value)}"
    if _CONTROL.search(value):
        return None, f"control characters are not allowed, {_got(value)}"
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


def _site_name(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not _SITE_NAME.match(value):
        return None, f"expected a name of letters, digits, '.', '_' or '-', {_got(value)}"
    return value, None


def _list_of(item_check: Check) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, list):
            return None, f"expected a list, {_got(value)}"
        out = []
        for index, item in enumerate(value):
            converted, error = item_check(item)
            if error:
                return None, f"item {index}: {error}"
            out.append(converted)
        return tuple(out), None

    return check


def _http_url(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected an http(s) URL, {_got(value)}"
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


def _host(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not re.match(r"^[A-Za-z0-9.-]+(:\d+)?$", value.strip()):
        return None, f"expected a host name, {_got(value)}"
    return value.strip().lower(), None


def _regex(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected a regular expression string, {_got(value)}"
    try:
        re.compile(value)
    except re.error as exc:
        return None, f"invalid regular expression {json.dumps(value)}: {exc}"
    return value, None


def _parse_moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _since(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, date):  # TOML dates and datetimes (datetime is a date subclass)
        value = value.isoformat()
    if isinstance(value, str) and (_DURATION.match(value) or _parse_moment(value)):
        return value.strip(), None
    return None, f'expected a duration like "7d", "12h", "2w" or an RFC 3339 date, {_got(value)}'


def _cron(value: Any) -> tuple[Any, str | None]:
    from newsarchive.cron import CronError, CronExpression

    if not isinstance(value, str):
        return None, f'expected a cron expression like "0 */6 * * *", {_got(value)}'
    try:
        CronExpression.parse(value).next_after(datetime(2000, 1, 1, tzinfo=UTC))
    except CronError as exc:
        return None, str(exc)
    return value.strip(), None


def _one_of(*choices: str) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if value not in choices:
            return None, f"expected one of {', '.join(choices)}, {_got(value)}"
        return value, None

    return check


def _timezone(value: Any) -> tuple[Any, str | None]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value.strip():
        return None, f'expected an IANA time zone name such as "Europe/Berlin", {_got(value)}'
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None, f'unknown time zone {value!r} (an IANA name such as "Europe/Berlin")'
    return value, None


def _user_agent(value: Any) -> tuple[Any, str | None]:
    text, error = _text(value)
    if error:
        return None, error
    error = contact_error(text)
    return (None, f"{error}, got {json.dumps(text)}") if error else (text, None)


def _contact(value: Any) -> tuple[Any, str | None]:
    text, error = _text(value)
    if error:
        return None, error
    error = contact_error(text)
    return (None, f"{error}, got {json.dumps(text)}") if error else (text, None)


# --------------------------------------------------------------------------- field tables
# Declarative: (key -> (check, default)) for every table of a site.

SOURCES_FIELDS: dict[str, tuple[Check, Any]] = {
    "robots_sitemaps": (_bool, True),
    "news_sitemaps": (_list_of(_http_url), ()),
    "sitemaps": (_list_of(_http_url), ()),
    "feeds": (_list_of(_http_url), ()),
    "discover_feeds": (_bool, True),
    "follow_links": (_bool, True),
}
SCOPE_FIELDS: dict[str, tuple[Check, Any]] = {
    "allowed_hosts": (_list_of(_host), ()),
    "include": (_list_of(_regex), ()),
    "exclude": (_list_of(_regex), ()),
    "canonical_hosts": (_list_of(_host), ()),
}
LIMITS_FIELDS: dict[str, tuple[Check, Any]] = {
    "max_pages": (_int_at_least(1), None),
    "max_depth": (_int_at_least(0), 2),
    "articles_since": (_since, None),
}
POLITENESS_FIELDS: dict[str, tuple[Check, Any]] = {
    "delay": (_non_negative_number, 0.25),
    "concurrency": (_int_at_least(1), 4),
    "autothrottle": (_bool, True),
}
SITE_TABLES: dict[str, tuple[type, dict[str, tuple[Check, Any]]]] = {
    "sources": (Sources, SOURCES_FIELDS),
    "scope": (Scope, SCOPE_FIELDS),
    "limits": (Limits, LIMITS_FIELDS),
    "politeness": (Politeness, POLITENESS_FIELDS),
}
SITE_FIELDS: dict[str, tuple[Check, Any]] = {
    "name": (_site_name, None),
    "seeds": (_list_of(_http_url), ()),
    "schedule": (_cron, None),
    "user_agent": (_user_agent, None),
    "contact": (_contact, None),
    "refetch": (_one_of(*REFETCH_POLICIES), "never"),
    "allow_private": (_bool, False),
    "timezone": (_timezone, None),
}
PLAN_FIELDS: dict[str, tuple[Check, Any]] = {
    "name": (_site_name, None),
    "state": (_text, None),
    "output": (_text, None),
}


# --------------------------------------------------------------------------- line numbers


def _split_key(text: str) -> list[str]:
    """Dotted TOML key -> parts (quotes removed; good enough for locating lines)."""
    return [
        part.strip().strip("\"'")
        for part in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", text)
    ]


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")
_INLINE_KEY = re.compile(r"[{,]\s*([A-Za-z0-9_\-]+)\s*=")


def key_lines(source: str) -> dict[tuple[Any, ...], int]:
    """Map each key path (array-of-tables items by index) to the line where it is written.

    tomllib reports no positions, so the source is scanned for table headers
    and ``key =`` lines. Multi-line strings and arrays are skipped over by
    only recording lines that start a key.
    """
    lines: dict[tuple[Any, ...], int] = {}
    array_counts: dict[tuple[Any, ...], int] = {}
    prefix: tuple[Any, ...] = ()
    in_multiline = False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        elif in_multiline:
            continue
        header = _HEADER.match(line)
        if header:
            brackets, name = header.group(1), header.group(2)
            parts = tuple(_split_key(name))
            resolved = _resolve_arrays(parts, array_counts)
            if brackets == "[[":
                index = array_counts.get(parts, -1) + 1
                array_counts[parts] = index
                resolved = (*resolved, index)
            prefix = resolved
            lines.setdefault(prefix, number)
            continue
        key = _KEY.match(line)
        if key and not line.lstrip().startswith("#"):
            path = (*prefix, *_split_key(key.group(1)))
            lines.setdefault(path, number)
            for inner in _INLINE_KEY.findall(line[key.end() :]):
                lines.setdefault((*path, inner), number)
    return lines


def _resolve_arrays(parts: tuple[str, ...], counts: dict[tuple[Any, ...], int]) -> tuple[Any, ...]:
    """``sites.limits`` under the 2nd ``[[sites]]`` -> ("sites", 1, "limits")."""
    out: list[Any] = []
    for i, part in enumerate(parts):
        out.append(part)
        key = tuple(parts[: i + 1])
        if key in counts and i < len(parts) - 1:
            out.append(counts[key])
    return tuple(out)


# --------------------------------------------------------------------------- loading


class _Reporter:
    """Collects issues for one file, naming fields like ``sites[demo].limits.max_pages``."""

    def __init__(self, file: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.file = file
        self.lines = lines
        self.issues: list[PlanIssue] = []

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def add(self, path: tuple[Any, ...], label: str, message: str) -> None:
        self.issues.append(PlanIssue(self.file, self.line_of(path), label, message))


def _check_table(
    table: Any,
    fields: dict[str, tuple[Check, Any]],
    path: tuple[Any, ...],
    label: str,
    report: _Reporter,
) -> dict[str, Any]:
    """Validate one TOML table against its field table; unknown keys are errors (typos)."""
    if not isinstance(table, dict):
        report.add(path, label, f"expected a table, {_got(table)}")
        return {}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            report.add((*path, key), f"{label}.{key}", f"unknown key (known: {known})")
            continue
        converted, error = fields[key][0](value)
        if error:
            report.add((*path, key), f"{label}.{key}", error)
        else:
            values[key] = converted
    return values


def _merge(defaults: dict[str, Any], site: dict[str, Any]) -> dict[str, Any]:
    """A site's table over the plan's ``[defaults]`` (sub-tables merged key by key)."""
    merged = dict(defaults)
    for key, value in site.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _build_site(raw: dict[str, Any], path: tuple[Any, ...], report: _Reporter) -> Site | None:
    label = f"sites[{raw.get('name', path[-1])}]"
    scalars = {k: v for k, v in raw.items() if k not in SITE_TABLES}
    values = _check_table(scalars, SITE_FIELDS, path, label, report)
    tables = {}
    for key, (cls, fields) in SITE_TABLES.items():
        checked = _check_table(raw.get(key, {}), fields, (*path, key), f"{label}.{key}", report)
        tables[key] = cls(**checked)
    if "name" not in raw:
        report.add(path, label, "every site needs a name")
    seeds_invalid = "seeds" in raw and "seeds" not in values  # already reported
    if not values.get("seeds") and not seeds_invalid:
        sources: Sources = tables["sources"]
        if not (sources.sitemaps or sources.news_sitemaps or sources.feeds):
            report.add(path, label, "a site needs seeds, sitemaps or feeds")
    if "name" not in values:
        return None
    return Site(**values, **tables)


def _defaults_path(report: _Reporter, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report.add(("defaults",), "defaults", f"expected a table, {_got(raw)}")
        return {}
    for forbidden in ("name", "seeds"):
        if forbidden in raw:
            report.add(
                ("defaults", forbidden),
                f"defaults.{forbidden}",
                "belongs to a site, not to [defaults]",
            )
    return {k: v for k, v in raw.items() if k not in ("name", "seeds")}


def parse_plan(source: str, path: str | Path = "plan.toml") -> Plan:
    """Validate plan text; raises :class:`PlanError` listing every problem with its line."""
    path = Path(path)
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise PlanError([PlanIssue(str(path), line, "", f"TOML syntax error: {exc}")]) from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or tables
        raise PlanError(
            [
                PlanIssue(
                    str(path),
                    None,
                    "",
                    "arrays or tables nested too deeply to read (is this a crawl plan?)",
                )
            ]
        ) from None
    report = _Reporter(str(path), key_lines(source))
    header = _check_table(data.get("plan", {}), PLAN_FIELDS, ("plan",), "plan", report)
    for key in data:
        if key not in ("plan", "defaults", "sites"):
            report.add((key,), key, "unknown top-level key (known: plan, defaults, sites)")
    defaults = _defaults_path(report, data.get("defaults"))
    raw_sites = data.get("sites", [])
    if not isinstance(raw_sites, list) or not raw_sites:
        report.add(("sites",), "sites", "a plan needs at least one [[sites]] table")
        raw_sites = []
    sites: list[Site] = []
    for index, raw in enumerate(raw_sites):
        if not isinstance(raw, dict):
            report.add(("sites", index), f"sites[{index}]", "expected a table")
            continue
        site = _build_site(_merge(defaults, raw), ("sites", index), report)
        if site and any(s.name == site.name for s in sites):
            report.add(("sites", index, "name"), f"sites[{site.name}].name", "duplicate site name")
        elif site:
            sites.append(site)
    if report.issues:
        raise PlanError(report.issues)
    name = header.get("name") or path.stem
    folder = path.parent
    return Plan(
        path=path,
        name=name,
        sites=tuple(sites),
        state_path=Path(os.path.normpath(folder / header.get("state", f"state/{name}.sqlite"))),
        output_dir=Path(os.path.normpath(folder / header.get("output", f"output/{name}"))),
    )


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file (paths inside it are relative to the file)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8-sig")  # editors on Windows add a BOM
    except OSError as exc:
        raise PlanError(
            [
                PlanIssue(
                    str(path),
                    None,
                    "",
                    f"cannot read plan: {exc.strerror or exc} (give the path of a .toml file)",
                )
            ]
        ) from None
    except UnicodeDecodeError as exc:
        raise PlanError(
            [PlanIssue(str(path), None, "", f"the plan is not UTF-8 text ({exc.reason})")]
        ) from None
    return parse_plan(source, path)


def state_file_problem(plan: Plan) -> str | None:
    """Why the plan's state file can never be opened (a folder, not SQLite); None if it can.

    Checked before a crawl or the scheduler starts: one line naming the file and
    the fix, instead of a failure inside the crawl or a scheduler retrying forever.
    """
    path = plan.state_path
    fix = f"set [plan] state in {plan.path} to another path, or move the file away"
    if path.is_dir():
        return f"crawl state {path} is a folder, not a SQLite file ({fix})"
    try:
        with path.open("rb") as stream:
            head = stream.read(16)
    except FileNotFoundError:
        return None  # created by the first crawl
    except OSError as exc:
        return f"crawl state {path} cannot be read: {exc.strerror} ({fix})"
    if head and head != b"SQLite format 3\x00":
        return f"crawl state {path} is not a SQLite database ({fix})"
    return None


def plan_for_urls(
    urls: list[str],
    *,
    state_path: str | Path = "state/adhoc.sqlite",
    output_dir: str | Path = "output/adhoc",
    allow_private: bool = False,
) -> Plan:
    """A plan for ``newsarchive crawl URL...`` without a plan file: one site per host, defaults.

    Sensible defaults: sitemaps from robots.txt, feeds from ``<link
    rel="alternate">``, article links from the given home and section pages.
    Raises :class:`PlanError` for a URL that is not http(s).
    """
    by_host: dict[str, list[str]] = {}
    issues = []
    for url in urls:
        checked, error = _http_url(url)
        if error:
            issues.append(PlanIssue("command line", None, url, error))
            continue
        host = (urlsplit(checked).hostname or "").removeprefix("www.")
        by_host.setdefault(host, []).append(checked)
    if issues or not by_host:
        raise PlanError(issues or [PlanIssue("command line", None, "", "no URL to crawl")])
    sites = tuple(
        Site(
            name=re.sub(r"[^A-Za-z0-9_.-]", "-", host),
            seeds=tuple(seeds),
            allow_private=allow_private,
        )
        for host, seeds in by_host.items()
    )
    return Plan(
        path=Path("adhoc.toml"),
        name="adhoc",
        sites=sites,
        state_path=Path(state_path),
        output_dir=Path(output_dir),
    )


# --------------------------------------------------------------------------- Scrapy bridge


def site_output_dir(plan: Plan, site: Site, crawl_id: str) -> Path:
    """Where one crawl of ``site`` writes (``OUTPUT/SITE/CRAWL_ID``): runs never mix files."""
    return plan.output_dir / site.name / crawl_id


def site_settings(plan: Plan, site: Site) -> dict[str, Any]:
    """Scrapy settings for crawling ``site`` (on top of ``newsarchive.settings``).

    The output folder is the caller's (see :func:`site_output_dir`).
    """
    settings: dict[str, Any] = {
        "USER_AGENT": site.effective_user_agent,
        "DOWNLOAD_DELAY": site.politeness.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": site.politeness.concurrency,
        "AUTOTHROTTLE_ENABLED": site.politeness.autothrottle,
        "NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES": site.allow_private,
        "NEWSARCHIVE_PLAN_NAME": plan.name,
        "NEWSARCHIVE_SITE_NAME": site.name,
        "NEWSARCHIVE_STATE_PATH": str(plan.state_path),
        "NEWSARCHIVE_REFETCH": site.refetch,
        "NEWSARCHIVE_PLAN_FILE": str(plan.path),
        "NEWSARCHIVE_SITE_TIMEZONE": site.timezone,
    }
    if site.limits.max_pages:
        settings["CLOSESPIDER_PAGECOUNT"] = site.limits.max_pages
    return settings


def source_hosts(site: Site) -> list[str]:
    """A site's default scope: the hosts of its seeds, or without seeds of its sitemaps and feeds.

    A feed hosted elsewhere (a feed service, a CDN) widens nothing when seeds name the site.
    """
    sources = site.sources
    urls = site.seeds or (*sources.news_sitemaps, *sources.sitemaps, *sources.feeds)
    return sorted({urlsplit(u).hostname or "" for u in urls} - {""})


def _rfc3339(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def site_spider_args(plan: Plan, site: Site, now: datetime | None = None) -> dict[str, Any]:
    """Keyword arguments for the ``news`` spider (lists stay lists: pass them in-process)."""
    since = site.limits.since(now)
    return {
        "site": site.name,
        "plan": str(plan.path),
        "start_urls": list(site.seeds),
        "robots_sitemaps": site.sources.robots_sitemaps,
        "news_sitemaps": list(site.sources.news_sitemaps),
        "sitemaps": list(site.sources.sitemaps),
        "feeds": list(site.sources.feeds),
        "discover_feeds": site.sources.discover_feeds,
        "follow_links": site.sources.follow_links,
        "allowed_hosts": list(site.scope.allowed_hosts) or source_hosts(site),
        "include": list(site.scope.include),
        "exclude": list(site.scope.exclude),
        "canonical_hosts": list(site.scope.canonical_hosts),
        "max_depth": site.limits.max_depth,
        "max_pages": site.limits.max_pages,
        "articles_since": _rfc3339(since) if since else None,
        "refetch": site.refetch,
    }
