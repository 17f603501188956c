"""Extraction fixtures: show the difference from the truth, update it, add a page.

newsarchive fixture diff NAME... | --all     unified diff of expected vs actual, per field
newsarchive fixture update NAME [--field F]  write actual as the new expected (then git diff)
newsarchive fixture add PAGE --url URL --name NAME   new fixture from an HTML file
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

HELP = "diff, update or add extraction fixtures (fixtures/extraction/)"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    diff = sub.add_parser("diff", help="re-run extraction and diff expected vs actual per field")
    diff.add_argument("names", nargs="*", metavar="NAME", help="fixture names")
    diff.add_argument("--all", action="store_true", help="every fixture")
    update = sub.add_parser("update", help="write the actual output as the new expected output")
    update.add_argument("name", metavar="NAME")
    update.add_argument("--field", action="append", default=[], help="only this field (repeat)")
    add = sub.add_parser("add", help="create a fixture from an HTML file")
    add.add_argument("page", type=Path, metavar="PAGE", help="the HTML file")
    add.add_argument("--url", required=True, help="the page's URL")
    add.add_argument("--name", required=True, help="fixture name (a folder name)")
    add.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="HTTP header for extract(), e.g. 'Content-Type: text/html; charset=windows-1251'",
    )
    add.add_argument("--base", default=None, help="value for {{BASE}} in the page, if it has one")
    add.add_argument("--force", action="store_true", help="replace an existing fixture")


def run(args: argparse.Namespace) -> int:
    from newsarchive import fixtures

    actions = {"diff": _diff, "update": _update, "add": _add}
    try:
        return actions[args.action](args)
    except fixtures.FixtureError as exc:
        print(f"fixture: {exc}", file=sys.stderr)
        return 2


def _dump(value: Any) -> list[str]:
    return json.dumps(value, ensure_ascii=False, indent=2).splitlines(keepends=False)


def field_diff(name: str, field: str, expected: Any, actual: Any) -> list[str]:
    """Unified diff lines of one field's expected vs actual JSON."""
    return list(
        difflib.unified_diff(
            _dump(expected),
            _dump(actual),
            fromfile=f"expected/{name}/{field}",
            tofile=f"actual/{name}/{field}",
            lineterm="",
        )
    )


def _diff(args: argparse.Namespace) -> int:
    from newsarchive import fixtures

    names = fixtures.fixture_names() if args.all else args.names
    if not names:
        print("fixture diff: give fixture names or --all", file=sys.stderr)
        return 2
    differing = 0
    for name in names:
        fixture = fixtures.load_fixture(name)
        try:
            record = fixture.extract()
        except Exception as exc:  # report and go on with the other fixtures
            log.debug("extraction failed for %s", name, exc_info=True)
            print(f"### {name}: extraction failed: {type(exc).__name__}: {exc}")
            differing += 1
            continue
        actual = fixtures.actual_values(fixture, record)
        for field in fixture.checked_fields():
            problems = fixtures.check_field(fixture, field, record)
            if not problems:
                continue
            differing += 1
            print(f"### {name}::{field}")
            for problem in problems:
                print(f"#   {problem}")
            shown = actual[field] if field != "body_forbidden" else fixtures.paragraphs_of(record)
            print("\n".join(field_diff(name, field, fixture.expected[field], shown)))
    checked = sum(len(fixtures.load_fixture(n).checked_fields()) for n in names)
    print(f"{differing} of {checked} checked fields differ in {len(names)} fixture(s)")
    return 1 if differing else 0


def _write_expected(folder: Path, expected: dict[str, Any]) -> Path:
    path = folder / "expected.json"
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _update(args: argparse.Namespace) -> int:
    from newsarchive import fixtures

    fixture = fixtures.load_fixture(args.name)
    unknown = [f for f in args.field if f not in fixtures.checks()]
    if unknown:
        print(f"fixture update: unknown field(s) {unknown}", file=sys.stderr)
        return 2
    record = fixture.extract()
    fields = args.field or fixture.checked_fields()
    expected = dict(fixture.expected)
    for field in fields:
        if field != "body_forbidden":  # the chrome list is the author's, never the extractor's
            expected[field] = fixtures.checks()[field][0](record)
    path = _write_expected(fixture.folder, expected)
    print(f"wrote {path}; review the change with: git diff -- {path}")
    return 0


def _parse_headers(lines: list[str]) -> dict[str, str]:
    headers = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"bad --header {line!r}: expected 'Name: value'")
        headers[key.strip()] = value.strip()
    return headers


def _add(args: argparse.Namespace) -> int:
    from newsarchive import fixtures

    page = args.page.resolve()
    if not page.is_file():
        print(f"fixture add: no such file: {args.page}", file=sys.stderr)
        return 2
    if not args.name or "/" in args.name or args.name.startswith("."):
        print(f"fixture add: bad fixture name {args.name!r}", file=sys.stderr)
        return 2
    try:
        headers = _parse_headers(args.header)
    except ValueError as exc:
        print(f"fixture add: {exc}", file=sys.stderr)
        return 2
    folder = fixtures.EXTRACTION_DIR / args.name
    if folder.exists() and not args.force:
        print(f"fixture add: {folder} exists (use --force to replace it)", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    root = fixtures.EXTRACTION_DIR.parent.resolve()  # meta.json paths are relative to it
    if page.is_relative_to(root):
        page_ref = page.relative_to(root).as_posix()
    else:
        shutil.copyfile(page, folder / "page.html")
        page_ref = (folder.resolve() / "page.html").relative_to(root).as_posix()
    meta = {"page": page_ref, "url": args.url, "base": args.base, "headers": headers}
    (folder / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    fixture = fixtures.load_fixture(args.name)
    record = fixture.extract()
    path = _write_expected(folder, fixtures.first_expected(record))
    print(
        f"wrote {path} from the extractor's output: it is NOT the truth yet. Correct it by hand "
        f"from the page, list the page's chrome strings in body_forbidden, then commit."
    )
    return 0
