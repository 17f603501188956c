"""Print the article record's JSON Schema, or write / check the generated schema files.

newsarchive schema              print the JSON Schema
newsarchive schema --markdown   print the field-by-field documentation
newsarchive schema --write      regenerate newsarchive/article.schema.json and docs/schema.md
newsarchive schema --check      exit 1 when a generated file disagrees with the classes
"""

from __future__ import annotations

import argparse
import sys

HELP = "print the record JSON Schema; --write / --check the shipped schema and docs/schema.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check",
        action="store_true",
        help="fail when the shipped schema or docs/schema.md is out of date",
    )
    group.add_argument(
        "--write", action="store_true", help="regenerate the shipped schema and docs/schema.md"
    )
    group.add_argument(
        "--markdown", action="store_true", help="print the field documentation (Markdown) instead"
    )


def run(args: argparse.Namespace) -> int:
    from newsarchive.export import schema_files

    if args.check:
        stale = schema_files.stale_files()
        for path in stale:
            print(f"{path}: out of date; run `newsarchive schema --write`", file=sys.stderr)
        if not stale:
            print("schema files up to date")
        return 1 if stale else 0
    if args.write:
        for path in schema_files.write_generated():
            print(f"wrote {path}")
        return 0
    render = schema_files.render_markdown if args.markdown else schema_files.render_json_schema
    sys.stdout.write(render())
    return 0
