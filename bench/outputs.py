"""Did an extraction change alter any output? Per-page, per-field hashes of our records.

Usage (from the repository root)::

    .venv/bin/python bench/outputs.py --save /tmp/outputs.json   # before the change
    .venv/bin/python bench/outputs.py --check /tmp/outputs.json  # after: exit 1 on any diff

Every page of both development sets (or the SET_DIRs given) goes through
``extract()`` exactly as ``bench/extraction.py`` feeds it (decoded ``str``, page
URL); each top-level field of the record is hashed. ``--check`` lists every page
and field that differs, so a change meant to be performance-only can be proven so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import DEFAULT_SETS, load_pages


def field_hashes(record: dict[str, Any]) -> dict[str, str]:
    """A short hash of every top-level field of ``record`` (canonical JSON)."""
    out = {}
    for key, value in record.items():
        blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
        out[key] = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
    return out


def page_hashes(sets: list[Path], every: int) -> dict[str, dict[str, str]]:
    """``{"set/id": {field: hash}}`` for every page of ``sets``."""
    from newsarchive.extraction import extract

    hashes: dict[str, dict[str, str]] = {}
    for data_dir in sets:
        for row in load_pages(data_dir, every=every):
            hashes[f"{row['set']}/{row['id']}"] = field_hashes(extract(row["html"], row["url"]))
    return hashes


def differences(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[str]:
    """One line per page and field whose hash differs (or that one side lacks).

    >>> differences({"a": {"x": "1", "y": "2"}}, {"a": {"x": "1", "y": "3"}, "b": {}})
    ['a: y', 'b: page missing before']
    """
    lines = []
    for page in sorted(old.keys() | new.keys()):
        if page not in new:
            lines.append(f"{page}: page missing now")
        elif page not in old:
            lines.append(f"{page}: page missing before")
        else:
            before, now = old[page], new[page]
            fields = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
            if fields:
                lines.append(f"{page}: {', '.join(fields)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=list(DEFAULT_SETS))
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the hashes here")
    action.add_argument("--check", type=Path, help="compare with hashes saved before")
    parser.add_argument("--every", type=int, default=1, help="only every Nth page of each set")
    args = parser.parse_args(argv)
    hashes = page_hashes(args.sets, args.every)
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=0, sort_keys=True), encoding="utf-8")
        print(f"{len(hashes)} pages saved to {args.save}")
        return 0
    old = json.loads(args.check.read_text(encoding="utf-8"))
    if args.every != 1:
        old = {k: v for k, v in old.items() if k in hashes}
    diff = differences(old, hashes)
    for line in diff:
        print(line)
    print(f"{len(hashes)} pages checked, {len(diff)} differ")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
