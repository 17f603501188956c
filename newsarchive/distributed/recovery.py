"""Finish the files a killed worker left open, so the merge can index and list them.

A worker stopped with ``kill -9`` leaves ``*.warc.gz.open`` and
``*.jsonl.gz.open`` files. On one machine the next crawl into the same folder
finishes them; a worker's folder is never reopened, so the merge does it. A
WARC file is finished by ``warc.recover`` (cut after its last whole record,
renamed, as a crawl does on opening its folder); article batches are finished by the JSON
Lines writer's own ``recover``. Only files untouched for ``min_age`` seconds
are touched, never those of a worker that may still be writing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def is_quiet(path: Path, min_age: float, now: float) -> bool:
    """True when ``path`` was last written at least ``min_age`` seconds ago."""
    return now - path.stat().st_mtime >= min_age


def recover_warcs(folder: Path, paths: list[Path]) -> list[str]:
    """Finish the worker's ``.open`` WARC ``paths`` and complete its own ``index.cdxj``.

    The kill may have lost the last batch of index lines; the merged index is rebuilt
    from the files anyway, but the worker's folder is a crawl folder of its own (plan
    runs read its index), so it must list every record kept, as a resumed crawl's does.
    """
    from newsarchive.warc.recover import recover_files

    return [result.line() for result in recover_files(folder, paths)]


def recover_worker(
    folder: Path, *, min_age: float, clock: Callable[[], float] = time.time
) -> list[str]:
    """Finish the quiet ``.open`` files of one worker folder; one message per file."""
    from newsarchive.crawlfolder import CrawlFolder
    from newsarchive.export.jsonl import recover as recover_batches

    files = CrawlFolder(folder)
    now = clock()
    quiet = [p for p in files.unfinished_warc_files() if is_quiet(p, min_age, now)]
    messages = recover_warcs(folder, quiet)
    open_batches = files.unfinished_batches()
    if open_batches and all(is_quiet(p, min_age, now) for p in open_batches):
        finished = recover_batches(files.articles_dir)
        messages.extend(f"{p.name}: article batch recovered" for p in finished)
    for message in messages:
        log.warning("%s: %s", folder.name, message)
    return messages
