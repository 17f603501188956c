"""One site's crawl configuration: what a plan's ``[[sites]]`` table says, as one type.

The plan loader (``newsarchive/plan.py``) builds a :class:`Site` from TOML,
``newsarchive crawl URL...`` builds one from the URLs, and ``scrapy crawl news
-a NAME=VALUE`` strings become one through :data:`ARGUMENTS` and the same
checks (:func:`site_from_arguments`). The ``news`` spider takes the object
itself (``site_config=``) and asks it what is in scope: allowed hosts and ports,
include/exclude patterns, "articles since". Source keys come from the discovery
registry (``newsarchive/discovery/sources.py``). No Scrapy here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from newsarchive import checks
from newsarchive.checks import Field
from newsarchive.discovery.dates import is_since, parse_rfc3339
from newsarchive.discovery.sources import SourceKind, entry_points, source_fields
from newsarchive.version import PROJECT_URL, newsarchive_user_agent

DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_PORTS = frozenset(DEFAULT_PORTS.values())

# --------------------------------------------------------------------------- the type


class Sources(Mapping[str, Any]):
    """A site's ``[sites.sources]`` values by key: every registered kind's keys, defaults filled.

    Read as a mapping (``sources["feeds"]``) or by attribute (``sources.feeds``).
    """

    def __init__(self, **given: Any) -> None:
        fields = source_fields()
        unknown = sorted(set(given) - set(fields))
        if unknown:
            raise TypeError(f"unknown source keys {unknown} (known: {', '.join(sorted(fields))})")
        self._values = {key: given.get(key, spec.default) for key, spec in fields.items()}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return f"Sources({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"


@dataclass(frozen=True)
class Scope:
    allowed_hosts: tuple[str, ...] = ()  # empty: the hosts of the seeds (see Site.allowed)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # Hosts that belong together: their pages may name each other's URLs as canonical,
    # which then decides article_id and the crawl state (normalize.same_site).
    canonical_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    max_pages: int | None = None  # becomes CLOSESPIDER_PAGECOUNT
    max_depth: int = 2
    articles_since: str | None = None  # a duration like "7d" or an RFC 3339 date

    def since(self, now: datetime | None = None) -> datetime | None:
        """The oldest publication time to fetch, resolved against ``now``."""
        if not self.articles_since:
            return None
        match = checks.DURATION.match(self.articles_since)
        if match:
            amount, unit = match.groups()
            now = now or datetime.now(UTC)
            return now - timedelta(**{checks.DURATION_UNITS[unit]: int(amount)})
        return parse_rfc3339(self.articles_since)


@dataclass(frozen=True)
class Politeness:
    delay: float = 0.25
    concurrency: int = 4
    autothrottle: bool = True


@dataclass(frozen=True)
class Site:
    """One site's crawl: where to start, which sources, scope, limits, politeness, schedule."""

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

    # ---------------------------------------------------------------- where it starts

    @property
    def entry_sources(self) -> list[tuple[SourceKind, str]]:
        """``(kind, URL)`` of the source files the site names (sitemaps, feeds...)."""
        return entry_points(self.sources)

    @property
    def entry_urls(self) -> list[str]:
        """Where the crawl starts: seeds, then the source files the site names."""
        return [*self.seeds, *(url for _, url in self.entry_sources)]

    # ---------------------------------------------------------------- scope

    @property
    def default_hosts(self) -> list[str]:
        """The hosts of the seeds, or without seeds of the named sources.

        A feed hosted elsewhere (a feed service, a CDN) widens nothing when seeds name the site.
        """
        urls = self.seeds or self.entry_urls
        return sorted({urlsplit(url).hostname or "" for url in urls} - {""})

    @cached_property
    def allowed(self) -> tuple[tuple[str, frozenset[int]], ...]:
        """``(host, ports)`` pairs of the scope (``www.`` dropped), from ``allowed_hosts``."""
        hosts = self.scope.allowed_hosts or self.default_hosts
        entries = sorted({h.lower().removeprefix("www.") for h in hosts})
        named = self.entry_urls
        return tuple(scope_entry(entry, named) for entry in entries)

    @property
    def allowed_domains(self) -> list[str]:
        """The allowed host names without ports (Scrapy's ``allowed_domains``)."""
        return sorted({host for host, _ in self.allowed if host})

    def on_allowed_host(self, url: str) -> bool:
        """On an allowed host (or below it) and on one of that host's allowed ports.

        Sources (sitemaps, feeds) and redirects are checked with this alone.
        """
        found = host_and_port(url)
        if found is None:
            return False
        host, port = found
        return any(
            (host == h or host.endswith("." + h)) and port in ports for h, ports in self.allowed
        )

    @cached_property
    def _patterns(self) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
        return (
            [re.compile(p) for p in self.scope.include],
            [re.compile(p) for p in self.scope.exclude],
        )

    def wants_page(self, url: str) -> bool:
        """A page URL is in scope: allowed host and port, an include pattern, no exclude."""
        if not self.on_allowed_host(url):
            return False
        include, exclude = self._patterns
        if include and not any(p.search(url) for p in include):
            return False
        return not any(p.search(url) for p in exclude)

    @cached_property
    def _since(self) -> datetime | None:
        return self.limits.since()

    def recent_enough(self, date_text: str | None) -> bool:
        """ "articles since": an entry dated before it is skipped; undated entries pass.

        A duration ("7d") counts from the first question; :meth:`at` fixes it earlier.
        """
        return is_since(date_text, self._since)

    def at(self, now: datetime) -> Site:
        """This site with a relative ``articles_since`` ("7d") made absolute at ``now``."""
        since = self.limits.since(now)
        if since is None or not checks.DURATION.match(self.limits.articles_since or ""):
            return self
        text = since.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return dataclasses.replace(
            self, limits=dataclasses.replace(self.limits, articles_since=text)
        )

    # ---------------------------------------------------------------- showing it

    def describe(self) -> dict[str, Any]:
        """JSON-ready: every key as a plan would write it, plus the effective scope."""
        shown: dict[str, Any] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, Sources):
                value = dict(value)
            elif dataclasses.is_dataclass(value):
                value = dataclasses.asdict(value)  # type: ignore[arg-type]
            shown[spec.name] = _plain(value)
        shown["scope"]["effective"] = [
            f"{host}:{','.join(str(p) for p in sorted(ports))}" for host, ports in self.allowed
        ]
        return shown


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def host_and_port(url: str) -> tuple[str, int] | None:
    """``(host without www., port)`` of an http(s) URL, the default port written out."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS:
        return None
    return (parts.hostname or "").lower().removeprefix("www."), port or DEFAULT_PORTS[parts.scheme]


def scope_entry(entry: str, named_urls: list[str]) -> tuple[str, frozenset[int]]:
    """``(host, ports)`` an ``allowed_hosts`` entry allows.

    ``host:port`` allows that port. A bare host allows the ports the seeds and named
    sources use on it; the web ports (80 and 443) unless those all use other ports: a
    site served on 127.0.0.1:28417 must not send the crawl to 127.0.0.1:80.
    """
    host, colon, port = entry.rpartition(":")
    bare_ipv6 = entry.count(":") > 1 and not entry.startswith("[")
    if colon and port.isdigit() and not bare_ipv6:
        return host.strip("[]"), frozenset({int(port)})
    host = entry.strip("[]")
    used = set()
    for url in named_urls:
        found = host_and_port(url)
        if found and (found[0] == host or found[0].endswith("." + host)):
            used.add(found[1])
    other = frozenset(used - WEB_PORTS)
    return host, other | WEB_PORTS if used & WEB_PORTS or not other else other


# --------------------------------------------------------------------------- its keys
# Declarative: key -> Field(check, default, reader of command-line text) per table.

SCOPE_FIELDS: dict[str, Field] = {
    "allowed_hosts": Field(checks.list_of(checks.host), (), checks.read_list),
    "include": Field(checks.list_of(checks.regex), (), checks.read_list),
    "exclude": Field(checks.list_of(checks.regex), (), checks.read_list),
    "canonical_hosts": Field(checks.list_of(checks.host), (), checks.read_list),
}
LIMITS_FIELDS: dict[str, Field] = {
    "max_pages": Field(checks.int_at_least(1), None, checks.read_int),
    "max_depth": Field(checks.int_at_least(0), 2, checks.read_int),
    "articles_since": Field(checks.since, None),
}
POLITENESS_FIELDS: dict[str, Field] = {
    "delay": Field(checks.non_negative_number, 0.25),
    "concurrency": Field(checks.int_at_least(1), 4),
    "autothrottle": Field(checks.boolean, True),
}
SITE_FIELDS: dict[str, Field] = {
    "name": Field(checks.site_name, None),
    "seeds": Field(checks.list_of(checks.http_url), (), checks.read_url_list),
    "schedule": Field(checks.cron, None),
    "user_agent": Field(checks.contact, None),
    "contact": Field(checks.contact, None),
    "refetch": Field(checks.one_of(*checks.REFETCH_POLICIES), "never"),
    "allow_private": Field(checks.boolean, False),
    "timezone": Field(checks.timezone, None),
}


def site_tables() -> dict[str, tuple[type, dict[str, Field]]]:
    """The sub-tables of a site, with their types and keys (sources: the registry's)."""
    return {
        "sources": (Sources, source_fields()),
        "scope": (Scope, SCOPE_FIELDS),
        "limits": (Limits, LIMITS_FIELDS),
        "politeness": (Politeness, POLITENESS_FIELDS),
    }


# --------------------------------------------------------------------------- spider arguments

# ``scrapy crawl news -a NAME=VALUE``: the (table, key) of the site configuration each sets;
# every [sites.sources] key of the registry is an argument of the same name.
ARGUMENTS: dict[str, tuple[str, str]] = {
    "site": ("", "name"),
    "start_urls": ("", "seeds"),
    "refetch": ("", "refetch"),
    "allowed_hosts": ("scope", "allowed_hosts"),
    "include": ("scope", "include"),
    "exclude": ("scope", "exclude"),
    "canonical_hosts": ("scope", "canonical_hosts"),
    "max_depth": ("limits", "max_depth"),
    "max_pages": ("limits", "max_pages"),
    "articles_since": ("limits", "articles_since"),
}


def arguments() -> dict[str, tuple[str, str]]:
    """Every spider argument: :data:`ARGUMENTS` and the registered source keys."""
    return {**ARGUMENTS, **{key: ("sources", key) for key in source_fields()}}


def _argument_field(table: str, key: str) -> Field:
    return SITE_FIELDS[key] if not table else site_tables()[table][1][key]


def site_from_arguments(given: Mapping[str, Any]) -> tuple[Site, dict[str, Any]]:
    """``(site, other arguments)`` from spider arguments: strings (``-a``) or Python values.

    Each value is read (``"a,b"``, a JSON array, ``yes``/``no``, a number) and then
    checked by the plan's own check; a bad one raises ValueError naming the argument.
    """
    known = arguments()
    values: dict[str, dict[str, Any]] = {"": {}, "sources": {}, "scope": {}, "limits": {}}
    rest: dict[str, Any] = {}
    for name, value in given.items():
        if name not in known:
            rest[name] = value
            continue
        table, key = known[name]
        spec = _argument_field(table, key)
        if value is None or (spec.default is None and value == ""):
            continue  # the default
        try:
            converted, error = spec.check(spec.read(value))
        except (ValueError, TypeError) as exc:  # a JSON array that is not one, int("deep")
            # the check on the raw text names the expected form ("expected an integer")
            converted, error = None, spec.check(value)[1] or str(exc)
        if error:
            raise ValueError(f"spider argument {name}={value!r}: {error}")
        values[table][key] = converted
    top = values.pop("")
    tables = {table: site_tables()[table][0](**checked) for table, checked in values.items()}
    site = Site(name=top.pop("name", None) or "", **top, **tables)
    if not site.name:
        site = dataclasses.replace(site, name=site_name_for(site.entry_urls))
    return site, rest


def site_name_for(urls: list[str]) -> str:
    """A site name from the first URL's host (``www.`` dropped): ``news.example``."""
    host = (urlsplit(urls[0]).hostname or "") if urls else ""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", host.removeprefix("www.")).strip("-.") or "site"
