"""Site rules as data, versioned by date (the Fundus idea).

A site's markup changes over the years; an archived page from 2019 must parse
with the selectors of 2019. Each ``*.toml`` file in this folder describes one
site template: the hosts it serves, an optional fingerprint XPath, and a list
of versions, each valid for a date range and holding XPath selectors per field.

Selector fields understood by the extractors (all optional, each a list of
XPath expressions tried in order):

``headline``, ``lede``, ``body`` (the article container), ``drop`` (subtrees
that are never body text), ``captions`` (caption elements), ``credits``
(credit elements inside a caption/figure), ``related`` (related-teaser link
elements), ``quotes`` (block/pull quote elements), ``fingerprint`` (matches
when the page uses this version's markup). A file's top-level ``markers`` are
class-name substrings: fingerprints are tried only on pages where some class
attribute contains one of them, so every fingerprint must itself require one
(``contains(@class, '...')`` with a marker in it).

The TOML files are read once, lazily, on the first :func:`match` call.
"""

from __future__ import annotations

import fnmatch
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.etree

from newsarchive.extraction import pageindex

if TYPE_CHECKING:
    from newsarchive.extraction.document import Document

log = logging.getLogger(__name__)

SELECTOR_FIELDS = (
    "headline",
    "lede",
    "body",
    "drop",
    "captions",
    "credits",
    "related",
    "quotes",
    "fingerprint",
)


class RuleError(ValueError):
    """A rule file is malformed (bad TOML, bad date, bad XPath)."""


@dataclass(frozen=True)
class SiteRule:
    """One dated version of one site template's selectors."""

    id: str
    version: str
    hosts: tuple[str, ...]
    valid_from: date | None = None
    valid_until: date | None = None
    selectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    markers: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """'id@version', the value recorded in ``extraction.rule``."""
        return f"{self.id}@{self.version}"

    def get(self, name: str) -> tuple[str, ...]:
        """XPath expressions for field ``name`` (empty when the rule has none)."""
        return self.selectors.get(name, ())

    def valid_on(self, day: date | None) -> bool:
        """True when ``day`` falls inside [valid_from, valid_until); unknown days are valid."""
        if day is None:
            return True
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day >= self.valid_until)

    def select(self, root: Any, name: str) -> list[Any]:
        """Elements (or strings) matched by the first selector of ``name`` that matches."""
        for expr in self.get(name):
            try:
                found = root.xpath(expr)
            except lxml.etree.XPathError:
                log.warning("rule %s: bad XPath for %s: %s", self.label, name, expr)
                continue
            if found:
                return list(found)
        return []

    def host_matches(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.hosts)


def _parse_day(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise RuleError(f"{where}: bad date {value!r}") from exc


def _as_tuple(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: selectors must be a string or a list of strings")
    for expr in value:
        try:
            lxml.etree.XPath(expr)
        except lxml.etree.XPathSyntaxError as exc:
            raise RuleError(f"{where}: invalid XPath {expr!r}: {exc}") from exc
    return tuple(value)


def parse_rule_file(text: str, name: str = "<rule>") -> list[SiteRule]:
    """The dated versions described by one TOML rule file (raises :class:`RuleError`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{name}: {exc}") from exc
    rule_id = data.get("id")
    hosts = data.get("hosts", [])
    if not isinstance(rule_id, str) or not rule_id:
        raise RuleError(f"{name}: missing 'id'")
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise RuleError(f"{name}: 'hosts' must be a list of host patterns")
    shared = data.get("select", {})
    versions = data.get("versions") or []
    if not versions:
        raise RuleError(f"{name}: no [[versions]]")
    out = []
    for i, version in enumerate(versions):
        where = f"{name} version {i}"
        selectors = {**shared, **version.get("select", {})}
        unknown = set(selectors) - set(SELECTOR_FIELDS)
        if unknown:
            raise RuleError(f"{where}: unknown selector fields {sorted(unknown)}")
        out.append(
            SiteRule(
                id=rule_id,
                version=str(version.get("version", i + 1)),
                hosts=tuple(h.lower() for h in hosts),
                valid_from=_parse_day(version.get("valid_from"), where),
                valid_until=_parse_day(version.get("valid_until"), where),
                selectors={k: _as_tuple(v, f"{where} {k}") for k, v in selectors.items()},
                markers=tuple(data.get("markers", ())),
            )
        )
    out.sort(key=lambda r: r.valid_from or date.min)  # oldest first: the newest wins ties
    return out


@lru_cache(maxsize=1)
def all_rules() -> tuple[SiteRule, ...]:
    """Every version of every packaged rule file, read once."""
    rules: list[SiteRule] = []
    folder = resources.files(__name__)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            rules.extend(parse_rule_file(entry.read_text(encoding="utf-8"), entry.name))
    return tuple(rules)


def _day(date_published: str | None) -> date | None:
    if not date_published:
        return None
    try:
        return date.fromisoformat(date_published.strip()[:10])
    except ValueError:
        return None


def _pick_version(
    candidates: list[SiteRule], day: date | None, root: Any | None
) -> SiteRule | None:
    """The version valid on ``day``; when the page's markup says otherwise, the one it fits."""
    dated = [r for r in candidates if r.valid_on(day)] or candidates[-1:]
    if root is None:
        return dated[-1] if dated else None
    fitting = [r for r in candidates if r.get("fingerprint") and r.select(root, "fingerprint")]
    for rule in reversed(dated):
        if not rule.get("fingerprint") or rule in fitting:
            return rule
    return fitting[-1] if fitting else None


def match(
    url: str | None, date_published: str | None = None, root: Any | None = None
) -> SiteRule | None:
    """The site rule for ``url`` valid on ``date_published`` (None when no rule applies).

    With the page's ``root`` element, a version whose fingerprint does not match
    the page is passed over for one that does (archives hold pages whose date
    and template disagree).
    """
    host = (urlsplit(url).hostname or "") if url else ""
    candidates = [r for r in all_rules() if host and r.host_matches(host)]
    if not candidates:
        return None
    return _pick_version(candidates, _day(date_published), root)


def detect(
    root: Any, date_published: str | None = None, in_class: Callable[[str], bool] | None = None
) -> SiteRule | None:
    """A rule chosen by markup fingerprint alone (for mirrors and unknown hosts).

    With ``in_class`` (does some class attribute of the page contain this string?),
    rules none of whose ``markers`` is in a class are skipped without running their
    XPath: the page's distinct class strings are a few kilobytes, its source hundreds.
    """
    by_id: dict[str, list[SiteRule]] = {}
    present: dict[str, bool] = {}  # each marker string searched once per page
    for rule in all_rules():
        if in_class is not None and rule.markers:
            for marker in rule.markers:
                if marker not in present:
                    present[marker] = in_class(marker)
            if not any(present[m] for m in rule.markers):
                continue
        by_id.setdefault(rule.id, []).append(rule)
    for versions in by_id.values():
        fitting = [r for r in versions if r.get("fingerprint") and r.select(root, "fingerprint")]
        if fitting:
            return _pick_version(fitting, _day(date_published), root)
    return None


def for_document(doc: Document, date_published: str | None = None) -> SiteRule | None:
    """The rule for a parsed page: by host and date first, else by markup fingerprint.

    A later ask without a date (captions, related links) gets the rule already chosen
    for the page, with its date: the engine asks first, with the publication date.
    """
    context = doc.context
    if context.rule_chosen and (date_published is None or context.rule_date == date_published):
        return context.rule
    rule = match(doc.url, date_published, doc.root) or detect(
        doc.root, date_published, pageindex.class_index(doc).contains
    )
    context.rule_chosen, context.rule, context.rule_date = True, rule, date_published
    return rule
