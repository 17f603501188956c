"""Progress of a long job: a bar on a terminal, a plain line now and then otherwise.

``reextract``, ``export``, the ``warc`` commands and the crawl itself can run for
hours; silence until the end looks like a hang. On a terminal the progress is a
``tqdm`` bar (count, rate, time left when the total is known); written to a file or
a pipe (cron, CI, ``2> log``) it is one plain line every ``interval`` seconds, so logs
stay readable. Either way the job ends with one summary line. This is the one
display of them all: a command counts its work with :meth:`Progress.advance`, the
crawl's Scrapy extension (``newsarchive.crawler.CrawlProgress``) polls its stats and
hands the figures to :meth:`Progress.update` and :meth:`Progress.show`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

PLAIN_INTERVAL = 10.0  # seconds between plain progress lines when not on a terminal
TERMINAL_INTERVAL = 1.0  # seconds between refreshes of a bar, for a caller that polls
# The environment variable that changes it (the crawl reads the Scrapy setting of this name).
INTERVAL_VARIABLE = "NEWSARCHIVE_PROGRESS_INTERVAL"


class Progress:
    """Count work done; show it as it goes; :meth:`finish` prints the summary line.

    ``counts`` are extra named figures (``bad=2``, ``queued=120``) shown beside the
    main count. On a terminal, log messages written to the same stream wipe the bar
    first, so a message never starts in the middle of it.
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
        self.last_done: int | None = None  # count at the line before: the recent rate
        self.bar: Any = None
        if _is_terminal(self.stream):
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, desc=what, unit=f" {unit}", file=self.stream, dynamic_ncols=True
            )
            for handler in self._same_stream_handlers():
                handler.addFilter(self._clear_for_log)

    @property
    def period(self) -> float:
        """How often a caller that polls (the crawl) should call :meth:`show`."""
        return TERMINAL_INTERVAL if self.bar is not None else self.interval

    def advance(self, amount: int = 1, **counts: int) -> None:
        """Count ``amount`` more done (and add to the named counts); show it when due."""
        self.done += amount
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        if self.bar is not None:
            self.bar.update(amount)
            if counts:
                self.bar.set_postfix(self.counts, refresh=False)
            return
        if self.clock() - self.last_line >= self.interval:
            self.show()

    def update(self, done: int, **figures: int) -> None:
        """Set the figures to these totals (a caller that polls them), without showing."""
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.bar.set_postfix(figures, refresh=False)
        self.done = done
        self.counts = dict(figures)

    def show(self) -> None:
        """Refresh the bar, or write one plain line now."""
        if self.bar is not None:
            self.bar.refresh()
            return
        now = self.clock()
        text = self.line(now)
        self.last_line, self.last_done = now, self.done
        self._write(text)

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
        """``what: 1,200/5,000 records (24%), 240/s (now 310), 5s, ~15s left, bad 2``."""
        now = now if now is not None else self.clock()
        elapsed = max(now - self.started, 1e-9)
        of = f"/{self.total:,}" if self.total is not None else ""
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        rate = self.done / elapsed
        recent = ""
        if self.last_done is not None and now > self.last_line:
            recent = f" (now {_rate((self.done - self.last_done) / (now - self.last_line))})"
        left = ""
        if self.total and rate > 0 and self.done < self.total:
            left = f", ~{_duration((self.total - self.done) / rate)} left"
        extra = "".join(f", {name} {value:,}" for name, value in self.counts.items())
        return (
            f"{self.what}: {self.done:,}{of} {self.unit}{share}, {_rate(rate)}/s{recent}, "
            f"{_duration(elapsed)}{left}{extra}"
        )

    def finish(self, summary: str | None = None) -> None:
        """Close the bar and print the final line (``summary``, or the counts)."""
        self.close()
        self.last_done = None  # the summary has no recent rate
        self._write(summary or self.line())

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Take the bar off the terminal (after an error too); :meth:`finish` prints the summary."""
        if self.bar is not None:
            for handler in self._same_stream_handlers():
                handler.removeFilter(self._clear_for_log)
            self.bar.close()
            self.bar = None

    def _same_stream_handlers(self) -> list[logging.Handler]:
        return [
            h for h in logging.getLogger().handlers if getattr(h, "stream", None) is self.stream
        ]

    def _clear_for_log(self, record: logging.LogRecord) -> bool:
        """Log filter: wipe the bar so the message starts on a clean line (redrawn next time)."""
        if self.bar is not None:
            self.bar.clear()
        return True

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()  # an error: the caller reports it


def _rate(per_second: float) -> str:
    """One decimal for slow work (``2.5``), whole numbers from 10 a second (``1,240``)."""
    return f"{per_second:,.1f}" if per_second < 10 else f"{per_second:,.0f}"


def _duration(seconds: float) -> str:
    """``45s``, ``3m05s``, ``2h03m``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


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
