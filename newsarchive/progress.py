"""Progress of a long command: a bar on a terminal, a plain line now and then otherwise.

``reextract``, ``export`` and the ``warc`` commands can run for hours over a large
archive; silence until the end looks like a hang. On a terminal the progress is a
``tqdm`` bar (count, rate, time left when the total is known); written to a file or
a pipe (cron, CI, ``2> log``) it is one plain line every ``interval`` seconds, so logs
stay readable. Either way the command ends with one summary line of counts.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

PLAIN_INTERVAL = 10.0  # seconds between plain progress lines when not on a terminal
# The environment variable that changes it (the crawl reads the Scrapy setting of this name).
INTERVAL_VARIABLE = "NEWSARCHIVE_PROGRESS_INTERVAL"


class Progress:
    """Count work done; show it as it goes; :meth:`finish` prints the summary line.

    ``counts`` are extra named counters (``bad=2``) shown beside the main count.
    """

    def __init__(
        self,
        what: str,
        *,
        total: int | None = None,
        unit: str = "records",
        stream: IO[str] | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.interval = interval if interval is not None else _interval_from_environment()
        self.clock = clock
        self.done = 0
        self.counts: dict[str, int] = {}
        self.started = clock()
        self.last_line = self.started
        self.bar: Any = None
        if _is_terminal(self.stream):
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, desc=what, unit=f" {unit}", file=self.stream, dynamic_ncols=True
            )

    def advance(self, amount: int = 1, **counts: int) -> None:
        self.done += amount
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        if self.bar is not None:
            self.bar.update(amount)
            if counts:
                self.bar.set_postfix(self.counts, refresh=False)
            return
        now = self.clock()
        if now - self.last_line >= self.interval:
            self.last_line = now
            self._write(self.line(now))

    def note(self, text: str, stream: IO[str] | None = None) -> None:
        """Print a result line (to ``stream``, default stdout) without tearing the bar."""
        target = stream or sys.stdout
        if self.bar is not None:
            from tqdm import tqdm

            tqdm.write(text, file=target)
        else:
            target.write(text + "\n")
            target.flush()

    def line(self, now: float | None = None) -> str:
        """``what: 1,200/5,000 records (24%), 240/s, bad 2``."""
        elapsed = max((now if now is not None else self.clock()) - self.started, 1e-9)
        of = f"/{self.total:,}" if self.total is not None else ""
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        extra = "".join(f", {name} {value:,}" for name, value in self.counts.items())
        rate = self.done / elapsed
        return f"{self.what}: {self.done:,}{of} {self.unit}{share}, {rate:,.0f}/s{extra}"

    def finish(self, summary: str | None = None) -> None:
        """Close the bar and print the final line (``summary``, or the counts)."""
        self.close()
        self._write(summary or self.line())

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Take the bar off the terminal (after an error too); :meth:`finish` prints the summary."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()  # an error: the caller reports it


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _interval_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get(INTERVAL_VARIABLE, PLAIN_INTERVAL)))
    except ValueError:
        return PLAIN_INTERVAL
