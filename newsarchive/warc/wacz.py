"""WACZ packages through the ``wacz`` package (optional extra ``replay``).

Run as a subprocess: the ``wacz`` tool configures logging and exits on errors,
which must not take the caller down with it. The package's replay index is then
replaced by ours (``newsarchive.warc.cdxj``): the one the crawl writes and pywb
replays with. ``wacz``'s own indexer lists a 304's ``server-not-modified`` revisit as
a capture, and ReplayWeb.page replayed the empty 304 at that time instead of the page
it confirmed.

A later run of a plan refers to earlier runs: its ``revisit`` records (an identical
payload fetched again, a 304's ``server-not-modified``) store no payload, only where
the original is. A WACZ handed over alone must replay them, so the earlier WARC files
holding those originals go into the package too, whole (their digests and record
offsets stay valid), found as ``reextract`` finds them
(:func:`newsarchive.warc.reread.original_place`). A revisit whose original is nowhere
to be found stops the packaging with one line per revisit: a package that cannot
replay a page it lists is not written.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.atomic import replacing

log = logging.getLogger(__name__)

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
INDEX_DATA = "indexes/index.cdx.gz"  # ZipNum: sorted CDXJ lines in gzip members (blocks)
INDEX_SUMMARY = "indexes/index.idx"  # the first key, offset and length of each block
INDEX_BLOCK_LINES = 3000  # lines per block, as ``wacz`` writes them: readers fetch one block
DATAPACKAGE = "datapackage.json"
ARCHIVE_FOLDER = "archive/"  # the WARC files
DATAPACKAGE_DIGEST = "datapackage-digest.json"


class WaczUnavailable(RuntimeError):
    """The ``wacz`` package is not installed."""


class MissingOriginals(RuntimeError):
    """Revisits whose originals were found nowhere: the package would not replay them."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__(
            f"{len(lines)} revisit(s) refer to an original found in no WARC file:\n"
            + "\n".join(self.lines)
        )


@dataclass
class Packaged:
    """What a package holds: pages listed, articles named, earlier files added."""

    listed: int
    articles: int = 0
    earlier: list[Path] = field(default_factory=list)  # WARC files of revisits' originals


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


def originals_elsewhere(warc_paths: Sequence[Path], missing_ok: bool = False) -> list[Path]:
    """The WARC files outside ``warc_paths`` that hold the originals of their revisits.

    Each revisit whose ``WARC-Refers-To`` record is not in ``warc_paths`` is resolved
    as ``reextract`` resolves it (the digest index, the site's other runs); raises
    :class:`MissingOriginals` naming each revisit whose original was found nowhere
    (with ``missing_ok``, a warning each: a viewer still shows the other pages).
    """
    from newsarchive.warc.originals import OriginalNotFound
    from newsarchive.warc.reread import ReadState, original_place
    from newsarchive.warc.wholerecords import whole_records

    state = ReadState()
    inside = {path.resolve() for path in warc_paths}
    responses: set[str] = set()
    revisits: list[tuple[Path, int, Any]] = []
    for path in warc_paths:
        for record, offset, _length in whole_records(path, state.damage):
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            if record.rec_type == "response":
                responses.add(record_id)
                state.locations[record_id] = (path, offset)
            elif record.rec_type == "revisit":
                revisits.append((path, offset, record))
    earlier: dict[Path, None] = {}
    missing: list[str] = []
    try:
        for path, offset, record in revisits:
            if record.rec_headers.get_header("WARC-Refers-To") in responses:
                continue
            try:
                where, _offset = original_place(state, path, record)
            except OriginalNotFound as error:
                uri = record.rec_headers.get_header("WARC-Target-URI")
                missing.append(f"revisit of {uri} at {path.name}:{offset}: {error}")
                continue
            if where.resolve() not in inside:
                earlier[where.resolve()] = None
    finally:
        state.originals.close()
    if missing and not missing_ok:
        raise MissingOriginals(missing)
    for line in missing:
        log.warning("%s", line)
    return sorted(earlier, key=lambda path: path.name)


def create(
    warc_paths: Sequence[Path],
    out: Path,
    title: str | None = None,
    pages: Sequence[Mapping[str, str]] | None = None,
    missing_ok: bool = False,
) -> Packaged:
    """Package ``warc_paths`` into ``out``, with the earlier WARC files their revisits
    need (:func:`originals_elsewhere`); returns how many pages it lists, and those files.

    With ``pages`` (see :func:`article_pages`) those are the page list, each kept only
    when its capture is in ``warc_paths``; without, ``wacz`` detects pages itself, in
    ``warc_paths`` only: the earlier files are there for their originals.
    """
    if not warc_paths:
        raise ValueError("no WARC files to package")
    earlier = originals_elsewhere(warc_paths, missing_ok)
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
        replace_index(partial, warc_paths, Path(scratch), earlier)
    return Packaged(len(listed_pages(out)), earlier=earlier)


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


def replace_index(
    package: Path, warc_paths: Sequence[Path], scratch: Path, earlier: Sequence[Path] = ()
) -> None:
    """Put our index of ``warc_paths`` and ``earlier`` into ``package`` in place of
    ``wacz``'s own, and the ``earlier`` files as they are into its ``archive/``.

    A zip member cannot be replaced in place: the package is copied once, its other
    members unchanged, and ``datapackage.json`` (the digests of the index files and of
    the added files) and its digest are written anew.
    """
    from newsarchive.warc.cdxj import rebuild

    index = scratch / "index.cdxj"
    rebuild([*warc_paths, *earlier], index)
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
        like = next(i for i in old.infolist() if i.filename.startswith(ARCHIVE_FOLDER))
        present = set(old.namelist())
        for path in earlier:
            described["resources"].append(_add_file(new, path, like, present))
        text = json.dumps(described, indent=2).encode("utf-8")
        new.writestr(_member(DATAPACKAGE, old.getinfo(DATAPACKAGE)), text)
        digest = json.dumps({"path": DATAPACKAGE, "hash": sha256(text)}, indent=2).encode()
        new.writestr(_member(DATAPACKAGE_DIGEST, old.getinfo(DATAPACKAGE_DIGEST)), digest)


def _add_file(
    package: zipfile.ZipFile, path: Path, like: zipfile.ZipInfo, present: set[str]
) -> dict[str, Any]:
    """Copy the WARC file ``path`` into ``package``'s ``archive/`` as it is (stored, as
    ``wacz`` stores WARC files); returns its ``datapackage.json`` resource."""
    name = path.name.removesuffix(".open")  # the name our index gives its records
    member = ARCHIVE_FOLDER + name
    if member in present:
        raise RuntimeError(f"two WARC files named {name}: {path} and one of the run's own")
    present.add(member)
    digest = hashlib.sha256()
    size = path.stat().st_size
    with (
        path.open("rb") as source,
        package.open(_member(member, like), "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as target,
    ):
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            target.write(chunk)
    return {
        "name": name.lower(),
        "path": member,
        "hash": f"sha256:{digest.hexdigest()}",
        "bytes": size,
    }


def _member(name: str, like: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry named ``name`` with the time and compression of ``like``."""
    info = zipfile.ZipInfo(name, like.date_time)
    info.compress_type = like.compress_type
    return info


def added_note(packaged: Packaged) -> str:
    """``, N earlier WARC files added for revisits`` for the command's line, or ""."""
    count = len(packaged.earlier)
    return f", {count} earlier WARC file(s) added for revisits" if count else ""


def last_line(text: str) -> str:
    """The packager's verdict without its traceback: the last line it printed."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def package_crawl(
    inputs: Sequence[Path],
    warc_paths: Sequence[Path],
    out: Path,
    title: str | None = None,
    missing_ok: bool = False,
) -> Packaged:
    """Package a crawl: its WARC files, its articles as the page list, and the earlier
    runs' WARC files its revisits need (see :func:`create`).

    ``inputs`` are what the user named (crawl folders lend their article records);
    ``articles`` of the result is 0 when none were named.
    """
    import newsarchive

    records: list[Mapping[str, Any]] = []
    for item in inputs:
        # a crawl folder's articles, or its Redis workers' (``workers/W/articles``)
        batches = ("articles/*.jsonl*", "workers/*/articles/*.jsonl*")
        if item.is_dir() and any(any(item.glob(pattern)) for pattern in batches):
            records += list(newsarchive.load(item))
    pages = article_pages(records)
    packaged = create(warc_paths, out, title=title, pages=pages or None, missing_ok=missing_ok)
    packaged.articles = len(pages)
    return packaged


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
