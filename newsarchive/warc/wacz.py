"""WACZ packages through the ``wacz`` package (optional extra ``replay``).

Run as a subprocess: the ``wacz`` tool configures logging and exits on errors,
which must not take the caller down with it. The package's replay index is then
replaced by ours (``newsarchive.warc.cdxj``): the one the crawl writes and pywb
replays with. ``wacz``'s own indexer lists a 304's ``server-not-modified`` revisit as
a capture, and ReplayWeb.page replayed the empty 304 at that time instead of the page
it confirmed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from newsarchive.atomic import replacing

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
INDEX_DATA = "indexes/index.cdx.gz"  # ZipNum: sorted CDXJ lines in gzip members (blocks)
INDEX_SUMMARY = "indexes/index.idx"  # the first key, offset and length of each block
INDEX_BLOCK_LINES = 3000  # lines per block, as ``wacz`` writes them: readers fetch one block
DATAPACKAGE = "datapackage.json"
DATAPACKAGE_DIGEST = "datapackage-digest.json"


class WaczUnavailable(RuntimeError):
    """The ``wacz`` package is not installed."""


def _wacz(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        import wacz  # noqa: F401
    except ImportError as error:
        raise WaczUnavailable(
            "the wacz package is missing: pip install 'newsarchive[replay]'"
        ) from error
    # `python -m wacz` drops main()'s return value (exit status 0 after a failed
    # validation): exit with it, so a rejected package is never called validated.
    # warcio cannot decode br with brotli 1.2 on its own: newsarchive's decoder first.
    command = (
        "import sys; from newsarchive.inflate import install_warcio_brotli; "
        "install_warcio_brotli(); from wacz.main import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", command, *args], capture_output=True, text=True, check=False
    )


def article_pages(records: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """WACZ page entries for article records: URL, capture time and headline as title.

    ReplayWeb.page opens a WACZ on this list, so an archivist lands on the crawl's
    articles by name instead of on one seed URL. The capture time is the record's
    ``provenance.fetched_at``, the WARC-Date of its response, which ``wacz`` matches.
    """
    pages: dict[tuple[str, str], dict[str, str]] = {}
    for record in records:
        provenance = record.get("provenance") or {}
        url, ts = record.get("url"), provenance.get("fetched_at")
        if not url or not ts:
            continue
        pages[(ts, url)] = {"url": url, "ts": ts, "title": record.get("headline") or url}
    return sorted(pages.values(), key=lambda page: (page["ts"], page["url"]))


def create(
    warc_paths: Sequence[Path],
    out: Path,
    title: str | None = None,
    pages: Sequence[Mapping[str, str]] | None = None,
) -> int:
    """Package ``warc_paths`` into ``out``; returns how many pages it lists.

    With ``pages`` (see :func:`article_pages`) those are the page list, each kept only
    when its capture is in the WARC files; without, ``wacz`` detects pages itself.
    """
    if not warc_paths:
        raise ValueError("no WARC files to package")
    with (
        tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as scratch,
        replacing(out) as partial,  # OUT appears whole or not at all (a full disk)
    ):
        args = ["create", "-o", str(partial)]
        if title:
            args += ["--title", title]
        if pages:
            listed = Path(scratch) / "pages.jsonl"
            lines = [json.dumps(PAGES_HEADER), *(json.dumps(dict(page)) for page in pages)]
            listed.write_text("\n".join(lines) + "\n", encoding="utf-8")
            args += ["--pages", str(listed)]
        else:
            args.append("--detect-pages")
        result = _wacz([*args, *map(str, warc_paths)])
        if result.returncode != 0 or not partial.exists():
            raise RuntimeError(f"wacz create failed: {last_line(result.stderr)}")
        replace_index(partial, warc_paths, Path(scratch))
    return len(listed_pages(out))


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def zipnum_index(lines: Sequence[str]) -> tuple[bytes, bytes]:
    """``(index.cdx.gz, index.idx)`` of sorted CDXJ ``lines`` (format ``cdxj-gzip-1.0``).

    Blocks of :data:`INDEX_BLOCK_LINES` lines, one gzip member each; the summary names
    each block's first key and time, its offset, length and digest, so a viewer reads
    the summary and then only the blocks a URL needs.
    """
    data = bytearray()
    meta = {"format": "cdxj-gzip-1.0", "filename": INDEX_DATA.rsplit("/", 1)[1]}
    summary = [f"!meta 0 {json.dumps(meta)}"]
    for start in range(0, len(lines), INDEX_BLOCK_LINES):
        block = gzip.compress("".join(lines[start : start + INDEX_BLOCK_LINES]).encode(), mtime=0)
        key = " ".join(lines[start].split(" ", 2)[:2])
        where = {"offset": len(data), "length": len(block), "digest": sha256(block)}
        summary.append(f"{key} {json.dumps(where)}")
        data += block
    return bytes(data), ("\n".join(summary) + "\n").encode()


def replace_index(package: Path, warc_paths: Sequence[Path], scratch: Path) -> None:
    """Put our index of ``warc_paths`` into ``package`` in place of ``wacz``'s own.

    A zip member cannot be replaced in place: the package is copied once, its other
    members unchanged, and ``datapackage.json`` (the digests of the index files) and
    its digest are written anew.
    """
    from newsarchive.warc.cdxj import rebuild

    index = scratch / "index.cdxj"
    rebuild(warc_paths, index)
    data, summary = zipnum_index(index.read_text(encoding="utf-8").splitlines(keepends=True))
    new_members = {INDEX_DATA: data, INDEX_SUMMARY: summary}
    with (
        replacing(package) as copy,
        zipfile.ZipFile(package) as old,
        zipfile.ZipFile(copy, "w") as new,
    ):
        described = json.loads(old.read(DATAPACKAGE))
        for name, content in new_members.items():
            new.writestr(_member(name, old.getinfo(name)), content)
        for info in old.infolist():
            if info.filename in new_members or info.filename.startswith("datapackage"):
                continue
            large = info.file_size >= zipfile.ZIP64_LIMIT  # a WARC file over 2 GB
            with (
                old.open(info) as source,
                new.open(_member(info.filename, info), "w", force_zip64=large) as target,
            ):
                shutil.copyfileobj(source, target, 1 << 20)
        for resource in described["resources"]:
            if resource["path"] in new_members:
                content = new_members[resource["path"]]
                resource.update(hash=sha256(content), bytes=len(content))
        text = json.dumps(described, indent=2).encode("utf-8")
        new.writestr(_member(DATAPACKAGE, old.getinfo(DATAPACKAGE)), text)
        digest = json.dumps({"path": DATAPACKAGE, "hash": sha256(text)}, indent=2).encode()
        new.writestr(_member(DATAPACKAGE_DIGEST, old.getinfo(DATAPACKAGE_DIGEST)), digest)


def _member(name: str, like: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry named ``name`` with the time and compression of ``like``."""
    info = zipfile.ZipInfo(name, like.date_time)
    info.compress_type = like.compress_type
    return info


def last_line(text: str) -> str:
    """The packager's verdict without its traceback: the last line it printed."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def package_crawl(
    inputs: Sequence[Path], warc_paths: Sequence[Path], out: Path, title: str | None = None
) -> tuple[int, int]:
    """Package a crawl: its WARC files, its articles as the page list.

    ``inputs`` are what the user named (crawl folders lend their article records);
    returns ``(pages listed, articles found)``, articles 0 when none were named.
    """
    import newsarchive

    records: list[Mapping[str, Any]] = []
    for item in inputs:
        if item.is_dir() and any(item.glob("articles/*.jsonl*")):
            records += list(newsarchive.load(item))
    pages = article_pages(records)
    return create(warc_paths, out, title=title, pages=pages or None), len(pages)


def listed_pages(path: Path) -> list[dict[str, Any]]:
    """The page entries of a WACZ's ``pages/pages.jsonl`` (header line left out)."""
    with zipfile.ZipFile(path) as package:
        if "pages/pages.jsonl" not in package.namelist():
            return []
        text = package.read("pages/pages.jsonl").decode("utf-8")
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [entry for entry in entries if "format" not in entry]


def validate(path: Path) -> tuple[bool, str]:
    """``wacz validate``: (passed, its output)."""
    result = _wacz(["validate", "-f", str(path)])
    return result.returncode == 0, (result.stdout + result.stderr).strip()
