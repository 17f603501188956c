"""Item pipelines for tests that kill a crawl at one exact point of an item's way.

A crawl started with ``-s ITEM_PIPELINES=...`` naming one of these (``tests/`` is on
the subprocess's ``PYTHONPATH``) dies by ``SIGKILL`` from inside, so the kill lands
where the test means it to, whatever the machine's load.
"""

from __future__ import annotations

import os
import signal
from typing import Any

KILL_AFTER_SETTING = "NEWSARCHIVE_TEST_KILL_AFTER"  # the item count at which the crawl dies


class KillAfterItemsPipeline:
    """``kill -9`` the crawl when the ``NEWSARCHIVE_TEST_KILL_AFTER``-th item reaches it.

    Placed between the export (800) and the crawl-state commit (850), the last
    item is exported and its state writes (and those still in the state's
    unwritten batch) are lost: the window a real kill hits.
    """

    def __init__(self, after: int) -> None:
        self.after = after
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> KillAfterItemsPipeline:
        return cls(crawler.settings.getint(KILL_AFTER_SETTING, 1))

    def process_item(self, item: Any) -> Any:
        self.seen += 1
        if self.seen >= self.after:
            os.kill(os.getpid(), signal.SIGKILL)
        return item
