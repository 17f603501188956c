"""A JOBDIR that survives ``kill -9``: Scrapy's scheduler, plus a crash marker.

Scrapy's disk queue (queuelib's ``LifoDiskQueue``) writes its record count only
when it is closed, and ``requests.queue/active.json`` (which queues exist) and
``spider.state`` only when the crawl closes cleanly. After ``kill -9`` a resumed
crawl opens queues whose counts and contents disagree: ``pop`` raises
(``unpack requires a buffer of 4 bytes``, ``Invalid argument``) on every engine
tick, asyncio prints a traceback each time, the queue never empties and the crawl
never ends.

``RecoveringScheduler`` leaves a marker file in ``requests.queue`` while the crawl
runs and removes it after a clean close. A marker found on opening means the last
run was killed: the queue and ``spider.state`` (the spider's remembered requests,
which would stop it from asking again for what the lost queue held) are discarded
with one warning, and the crawl finds its URLs again from the entry points it
requests on every start (seeds, robots.txt, sitemaps, feeds); the crawl state and
the exported articles keep it from archiving or exporting anything twice. A queue
that still fails to read is dropped the same way, mid-crawl.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import struct
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.http import Request

log = logging.getLogger(__name__)

MARKER = "newsarchive-running"
SPIDER_STATE = "spider.state"
DISCARDED_SUFFIX = ".discarded"
# What a torn queuelib file or a torn pickle raises.
QUEUE_ERRORS = (struct.error, OSError, ValueError, EOFError, pickle.UnpicklingError, KeyError)


class RecoveringScheduler(Scheduler):
    """Scrapy's scheduler, which discards a JOBDIR queue a killed crawl left behind."""

    def open(self, spider: Any) -> Any:
        if not self.dqdir:
            return super().open(spider)
        queue_dir = Path(self.dqdir)
        if (queue_dir / MARKER).exists():
            discard_jobdir(queue_dir)
        result = super().open(spider)
        (queue_dir / MARKER).touch()
        return result

    def close(self, reason: str) -> Any:
        result = super().close(reason)
        if self.dqdir:
            (Path(self.dqdir) / MARKER).unlink(missing_ok=True)
        return result

    def _dqpop(self) -> Request | None:
        try:
            return super()._dqpop()
        except QUEUE_ERRORS as error:
            log.warning(
                "JOBDIR queue %s cannot be read (%s): dropped; its requests are found again "
                "from the entry points on the next start",
                self.dqdir,
                error,
            )
            self.dqs = None  # later requests wait in memory; the marker stays for next time
            return None


def discard_jobdir(queue_dir: Path) -> None:
    """Empty a killed crawl's queue folder and set its ``spider.state`` aside."""
    log.warning(
        "JOBDIR %s was not closed cleanly (the crawl was killed): its request queue is "
        "discarded and its URLs are found again from the entry points (seeds, robots.txt, "
        "sitemaps, feeds); archived and exported articles are not fetched or exported again",
        queue_dir.parent,
    )
    shutil.rmtree(queue_dir, ignore_errors=True)
    queue_dir.mkdir(parents=True, exist_ok=True)
    state = queue_dir.parent / SPIDER_STATE
    if state.exists():
        state.replace(state.with_name(SPIDER_STATE + DISCARDED_SUFFIX))
