"""One model of a crawl's output folder, so no component guesses the layout.

A crawl folder is recognised by its ``manifest.json`` (written when the crawl
closes) and holds::

    manifest.json        what the folder holds: article batches with records and sha256, WARC files
    articles/            article batches, articles-CRAWLID-NNNNN.jsonl.gz (.open while written)
    warc/                WARC files (.open while written)
    index.cdxj           CDXJ index of the WARC records
    pages.jsonl          one line per fetched page: outcome, reason, WARC pointer
    validation_failures.jsonl, report.json, report.txt

A folder with ``articles/``, ``pages.jsonl`` or ``validation_failures.jsonl``
but no manifest is a crawl that was interrupted and not resumed yet: still a
crawl folder (those logs are never article files), but nothing in it can be
checked. With a plan,
crawl folders sit at ``OUTPUT/SITE/CRAWL_ID/``; :func:`find_crawl_folders`
finds them at any depth. Only the finished batches in ``articles/`` folders
hold article records; :meth:`CrawlFolder.check` compares them with the
manifest (presence, size, sha256, the article count), so a copy that lost or
cut a file is noticed before anyone analyses it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from newsarchive.atomic import write_atomic

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
ARTICLES_DIRNAME = "articles"
WARC_DIRNAME = "warc"
INDEX_NAME = "index.cdxj"
PAGES_NAME = "pages.jsonl"
VALIDATION_NAME = "validation_failures.jsonl"
REPORT_NAMES = ("report.json", "report.txt")
BATCH_SUFFIX = ".jsonl.gz"
WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
WORKERS_DIRNAME = "workers"  # a Redis worker's folder: CRAWL_FOLDER/workers/HOST-pPID
# Without a manifest these still mark a crawl folder (one a crash left unfinished).
UNFINISHED_MARKERS = (ARTICLES_DIRNAME, PAGES_NAME, VALIDATION_NAME)


class CrawlFolderError(ValueError):
    """A crawl folder whose manifest cannot be read."""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MB blocks (bounded memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_batch_records(path: Path) -> int:
    """Records in a finished article batch (one JSON line each), streamed."""
    with gzip.open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def batch_prefix(crawl_id: str) -> str:
    """How the names of one crawl's article batches start (``articles-CRAWL_ID-...``)."""
    return f"articles-{crawl_id}"


def is_article_batch(path: Path) -> bool:
    """A finished article batch: ``articles/*.jsonl.gz`` of a crawl folder."""
    return path.parent.name == ARTICLES_DIRNAME and path.name.endswith(BATCH_SUFFIX)


@dataclass(frozen=True)
class CrawlFolder:
    """The output folder of one crawl (or of one worker of a shared crawl)."""

    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_NAME

    @property
    def articles_dir(self) -> Path:
        return self.path / ARTICLES_DIRNAME

    @property
    def warc_dir(self) -> Path:
        return self.path / WARC_DIRNAME

    @property
    def index_path(self) -> Path:
        return self.path / INDEX_NAME

    @property
    def pages_path(self) -> Path:
        return self.path / PAGES_NAME

    def manifest(self) -> dict[str, Any] | None:
        """The parsed manifest, ``None`` without one; an unreadable one raises."""
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise CrawlFolderError(f"{self.manifest_path}: unreadable: {error}") from None
        try:
            manifest = json.loads(text)
        except ValueError as error:
            raise CrawlFolderError(f"{self.manifest_path}: not JSON: {error}") from None
        if not isinstance(manifest, dict):
            raise CrawlFolderError(f"{self.manifest_path}: not a JSON object")
        return manifest

    def _walk(self, suffix: str) -> list[Path]:
        # articles/ of this folder and of worker folders below it (a shared crawl's merge)
        return sorted(p for p in self.path.rglob(f"*{suffix}") if p.is_file())

    def article_batches(self) -> list[Path]:
        """Finished article batches on disk, in name order."""
        return [p for p in self._walk(BATCH_SUFFIX) if is_article_batch(p)]

    def batches_here(self, crawl_id: str | None = None) -> list[Path]:
        """This folder's own article batches, finished or still open, of ``crawl_id`` if given.

        For reports on a running or killed crawl: an open batch holds records already
        exported. Worker folders below are not included (see :meth:`article_batches`).
        """
        folder = self.path / ARTICLES_DIRNAME
        pattern = f"{batch_prefix(crawl_id)}-*" if crawl_id else "*"
        suffixes = (BATCH_SUFFIX, BATCH_SUFFIX + OPEN_SUFFIX)
        return sorted(p for p in folder.glob(pattern) if p.name.endswith(suffixes) and p.is_file())

    def unfinished_batches(self) -> list[Path]:
        """Batches still being written, or left by a crash (``.jsonl.gz.open``)."""
        return [
            p for p in self._walk(BATCH_SUFFIX + OPEN_SUFFIX) if p.parent.name == ARTICLES_DIRNAME
        ]

    def unfinished_files(self) -> list[Path]:
        """Article batches and WARC files still being written, or left by a crash."""
        return self.unfinished_batches() + self.unfinished_warc_files()

    def warc_files(self) -> list[Path]:
        """Finished WARC files in ``warc/``."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.glob(f"*{WARC_SUFFIX}") if p.is_file())

    def unfinished_warc_files(self) -> list[Path]:
        if not self.warc_dir.is_dir():
            return []
        return sorted(self.warc_dir.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}"))

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.path.resolve()).as_posix()

    def listed_batches(self) -> dict[str, dict[str, Any]]:
        """The manifest's article-batch entries by relative path."""
        manifest = self.manifest() or {}
        entries = manifest.get("files") or []
        return {
            entry["path"]: entry
            for entry in entries
            if isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and is_article_batch(Path(entry["path"]))
        }

    def check(self, only: Iterable[Path] | None = None) -> list[str]:
        """Where the article batches disagree with the manifest, one line per problem.

        Checks that every listed batch exists with its size and sha256, that no
        finished batch is missing from the list, and that ``counts.articles``
        equals the records the listed batches hold. ``only`` checks those files
        alone (one batch read on its own).
        """
        try:
            manifest = self.manifest()
        except CrawlFolderError as error:
            return [str(error)]
        if manifest is None:
            return [
                f"{self.path}: no {MANIFEST_NAME} (crawl interrupted?): nothing to check against"
            ]
        listed = self.listed_batches()
        wanted = None if only is None else {self.relative(p) for p in only}
        problems = []
        for name, entry in sorted(listed.items()):
            if wanted is not None and name not in wanted:
                continue
            problems += _entry_problems(self.path / name, entry)
        for path in self.article_batches():
            name = self.relative(path)
            if name not in listed and (wanted is None or name in wanted):
                problems.append(f"{path}: not listed in {self.manifest_path}")
        if wanted is None:
            problems += _count_problems(self.manifest_path, manifest, listed)
        return problems


def _entry_problems(path: Path, entry: dict[str, Any]) -> list[str]:
    if not path.is_file():
        return [f"{path}: listed in the manifest but missing"]
    size = path.stat().st_size
    if isinstance(entry.get("bytes"), int) and size != entry["bytes"]:
        return [f"{path}: {size} bytes, the manifest says {entry['bytes']} (cut or changed)"]
    if isinstance(entry.get("sha256"), str) and sha256_of(path) != entry["sha256"]:
        return [f"{path}: sha256 differs from the manifest (changed or damaged)"]
    return []


def _count_problems(
    manifest_path: Path, manifest: dict[str, Any], listed: dict[str, dict[str, Any]]
) -> list[str]:
    counted = manifest.get("counts", {}).get("articles") if manifest.get("counts") else None
    records = [entry.get("records") for entry in listed.values()]
    if not isinstance(counted, int) or not all(isinstance(r, int) for r in records):
        return []
    if counted != sum(records):
        return [
            f"{manifest_path}: counts.articles is {counted} but the listed batches hold "
            f"{sum(records)} records (a part of the crawl is missing from the manifest)"
        ]
    return []


def is_crawl_folder(path: Path) -> bool:
    """A folder with a manifest, or a crawl's ``articles/``, ``pages.jsonl`` or validation log."""
    if not path.is_dir():
        return False
    if (path / MANIFEST_NAME).is_file():
        return True
    return any((path / marker).exists() for marker in UNFINISHED_MARKERS)


def manifest_is_ours(data: object) -> bool:
    """Whether parsed JSON is a manifest newsarchive wrote (crawl, merged or rebuilt)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("manifest_version"), int)
        and isinstance(data.get("crawl_id"), str)
        and isinstance(data.get("files"), list)
    )


def foreign_manifest(folder: Path) -> str | None:
    """Why ``folder/manifest.json`` is not ours to replace; None when absent or ours."""
    path = folder / MANIFEST_NAME
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = CrawlFolder(folder).manifest()
    except CrawlFolderError as error:
        return str(error)
    if manifest_is_ours(data):
        return None
    return f"{path}: not a newsarchive manifest (no manifest_version, crawl_id and files)"


def crawl_folders_below(folder: Path) -> list[Path]:
    """Crawl folders strictly below ``folder``, outside its own ``articles/`` and ``warc/``."""
    if not folder.is_dir():
        return []
    own = {ARTICLES_DIRNAME, WARC_DIRNAME}
    children = sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in own)
    return [found.path for child in children for found in find_crawl_folders(child)]


def output_folder_problem(folder: Path) -> str | None:
    """Why a crawl must not write its files and manifest into ``folder`` (None: it may).

    Its ``manifest.json`` would be replaced, so it must be ours (a resume, or another
    crawl of ours into the same folder, whose manifest lists both). A crawl folder
    below it would be listed as part of this crawl (its batches, its counts) and
    hidden from every tool that looks for crawl folders.
    """
    foreign = foreign_manifest(folder)
    if foreign:
        return f"{foreign}; not overwriting it (choose another --out, or move the file)"
    below = crawl_folders_below(folder)
    if below:
        more = f" and {len(below) - 1} more" if len(below) > 1 else ""
        return (
            f"output folder {folder} holds the output of another crawl ({below[0]}{more}); "
            "choose another --out"
        )
    return None


def find_crawl_folders(root: str | Path) -> list[CrawlFolder]:
    """Every crawl folder at or below ``root`` (any depth), in path order.

    The search does not go into a crawl folder: its worker folders belong to it.
    """
    found = []
    for directory, subdirs, _files in os.walk(root):
        here = Path(directory)
        if is_crawl_folder(here):
            found.append(CrawlFolder(here))
            subdirs[:] = []
        else:
            subdirs.sort()
    return sorted(found, key=lambda folder: folder.path.as_posix())


def plan_site_of(folder: Path) -> str:
    """The plan site a crawl folder belongs to, by its place below the plan's output.

    ``OUTPUT/SITE/CRAWL_ID``, or a Redis worker's ``OUTPUT/SITE/CRAWL_ID/workers/W``.
    """
    if folder.parent.name == WORKERS_DIRNAME:
        return folder.parent.parent.parent.name
    return folder.parent.name


def folder_of_batch(path: Path) -> CrawlFolder | None:
    """The crawl folder an article batch belongs to (``FOLDER/articles/NAME``), if any."""
    if not is_article_batch(path):
        return None
    folder = path.parent.parent
    return CrawlFolder(folder) if (folder / MANIFEST_NAME).is_file() else None


def _warc_files_in(folder: Path) -> list[Path]:
    return sorted(
        p
        for pattern in (f"*{WARC_SUFFIX}", f"*{WARC_SUFFIX}{OPEN_SUFFIX}")
        for p in folder.glob(pattern)
        if p.is_file()
    )


def warc_files_of(items: Iterable[Path]) -> list[Path]:
    """WARC files as named, folders expanded: a crawl folder's ``warc/``, or a folder of them.

    Finished and unfinished (``.open``, a crash's) files, in name order per folder:
    what ``reextract`` and the ``warc`` commands read. The crawl folder of Redis workers
    (``OUT`` of ``crawl-finish --out``, with ``workers/W/warc/``) gives every worker's
    files. A missing item, or a folder without WARC files (a mistyped path must not pass
    as an empty archive), raises ``FileNotFoundError`` naming it.
    """
    found: list[Path] = []
    for item in items:
        if item.is_dir():
            folder = item / WARC_DIRNAME if (item / WARC_DIRNAME).is_dir() else item
            inside = _warc_files_in(folder)
            if not inside and folder == item and (item / WORKERS_DIRNAME).is_dir():
                workers = sorted((item / WORKERS_DIRNAME).glob(f"*/{WARC_DIRNAME}"))
                inside = [path for warc_dir in workers for path in _warc_files_in(warc_dir)]
            if not inside:
                raise FileNotFoundError(f"no WARC files (*{WARC_SUFFIX}) in {folder}")
            found += inside
        elif item.exists():
            found.append(item)
        else:
            raise FileNotFoundError(f"no such WARC file or folder: {item}")
    return found


# --------------------------------------------------------------------------- WARC records


def archived_urls(root: str | Path) -> Iterator[str]:
    """URLs of the response and revisit records the crawl folders under ``root`` still hold.

    Read from each folder's ``index.cdxj``; a line counts only while its WARC
    file exists (finished, or ``.open`` until a resume finishes it).
    """
    for folder in find_crawl_folders(root):
        if not folder.index_path.is_file():
            continue
        present: dict[str, bool] = {}
        with folder.index_path.open("r", encoding="utf-8", errors="replace") as lines:
            for line in lines:
                entry = _cdxj_fields(line)
                if entry is None:
                    continue
                filename = entry.get("filename")
                url = entry.get("url")
                if not isinstance(filename, str) or not isinstance(url, str):
                    continue
                if filename not in present:
                    target = folder.path / filename
                    if not target.exists() and "/" not in filename:
                        target = folder.warc_dir / filename
                    present[filename] = (
                        target.exists() or target.with_name(target.name + OPEN_SUFFIX).exists()
                    )
                if present[filename]:
                    yield url


def _cdxj_fields(line: str) -> dict[str, Any] | None:
    start = line.find("{")
    if start < 0:
        return None
    try:
        fields = json.loads(line[start:])
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


# --------------------------------------------------------------------------- writing

WRITE_ERROR_STAT = "newsarchive/write_error"  # crawl stats: the first write error, in words
WRITE_ERROR_REASON = "write_error"  # the spider's finish reason after one


def append_whole(handle: BinaryIO, data: bytes) -> None:
    """Append ``data`` in full or not at all, to an unbuffered binary file.

    A full disk often takes half a write: on any ``OSError`` the file is cut
    back to where it was, so it never ends in half a line or half a record.
    """
    start = handle.seek(0, os.SEEK_END)
    view = memoryview(data)
    try:
        while view:
            written = handle.write(view)
            view = view[written or 0 :]
    except OSError:
        with contextlib.suppress(OSError):
            handle.truncate(start)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``target`` through a temporary file renamed over it; nothing left on failure."""
    write_atomic(target, text)


def write_error_message(path: Path | str, error: OSError) -> str:
    return f"cannot write {path}: {error.strerror or error}"


def stop_on_write_error(crawler: Any, path: Path | str, error: OSError) -> str:
    """Record the first write error in the crawl stats and close the spider.

    A crawl that cannot write its output must not go on fetching and report
    success: the finish reason becomes ``write_error`` and the command's
    summary and exit status say so. Returns the message.
    """
    message = write_error_message(path, error)
    stats = getattr(crawler, "stats", None)
    if stats is not None and not stats.get_value(WRITE_ERROR_STAT):
        stats.set_value(WRITE_ERROR_STAT, message)
        log.error("%s: stopping the crawl", message)
    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(engine, "spider", None) is not None:
        from scrapy.utils.defer import deferred_from_coro

        closing = deferred_from_coro(engine.close_spider_async(reason=WRITE_ERROR_REASON))
        closing.addErrback(lambda failure: log.debug("close after write error: %s", failure))
    return message
