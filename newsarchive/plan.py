"""Crawl plans: TOML files naming sites, their sources, scope, limits, politeness and schedule.

A plan is what an archivist edits; every mistake in it is reported with the
file, the line and the field (``plan.toml:12: sites[demo].limits.max_pages:
expected an integer, got "ten"``), all problems at once. The format is
described in ``docs/plans.md``. Each ``[[sites]]`` table becomes a
:class:`newsarchive.siteconfig.Site`, the type the ``news`` spider takes as it
is; :func:`site_settings` gives the Scrapy settings of a site.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive import checks
from newsarchive.checks import (
    REFETCH_POLICIES,
    Field,
    contact_error,
    got,
    header_value_error,
    url_error,
)
from newsarchive.discovery.sources import entry_points
from newsarchive.siteconfig import (
    PROJECT_URL,
    SITE_FIELDS,
    Limits,
    Politeness,
    Scope,
    Site,
    Sources,
    newsarchive_user_agent,
    site_tables,
)

__all__ = [
    "PROJECT_URL",
    "REFETCH_POLICIES",
    "Limits",
    "Plan",
    "PlanError",
    "PlanIssue",
    "Politeness",
    "Scope",
    "Site",
    "Sources",
    "contact_error",
    "header_value_error",
    "load_plan",
    "newsarchive_user_agent",
    "parse_plan",
    "site_output_dir",
    "site_settings",
    "state_file_problem",
    "url_error",
]

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


PLAN_FIELDS: dict[str, Field] = {
    "name": Field(checks.site_name, None),
    "state": Field(checks.text, None),
    "output": Field(checks.text, None),
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
    fields: dict[str, Field],
    path: tuple[Any, ...],
    label: str,
    report: _Reporter,
) -> dict[str, Any]:
    """Validate one TOML table against its field table; unknown keys are errors (typos)."""
    if not isinstance(table, dict):
        report.add(path, label, f"expected a table, {got(table)}")
        return {}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            report.add((*path, key), f"{label}.{key}", f"unknown key (known: {known})")
            continue
        converted, error = fields[key].check(value)
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
    site_tables_now = site_tables()
    scalars = {k: v for k, v in raw.items() if k not in site_tables_now}
    values = _check_table(scalars, SITE_FIELDS, path, label, report)
    tables = {}
    for key, (cls, fields) in site_tables_now.items():
        checked = _check_table(raw.get(key, {}), fields, (*path, key), f"{label}.{key}", report)
        tables[key] = cls(**checked)
    if "name" not in raw:
        report.add(path, label, "every site needs a name")
    seeds_invalid = "seeds" in raw and "seeds" not in values  # already reported
    if not values.get("seeds") and not seeds_invalid and not entry_points(tables["sources"]):
        report.add(path, label, "a site needs seeds, sitemaps or feeds")
    if "name" not in values:
        return None
    return Site(**values, **tables)


def _defaults_path(report: _Reporter, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report.add(("defaults",), "defaults", f"expected a table, {got(raw)}")
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
