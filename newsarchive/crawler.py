"""Run a crawl in-process: build the settings, start Scrapy, show progress, return the stats.

``newsarchive crawl`` and ``newsarchive demo`` both come through here, so a crawl
started from the command line, from a test or from Python behaves the same.
The project settings are loaded from ``newsarchive.settings`` directly (not
through ``scrapy.cfg``), so this works from any working directory.
"""

from __future__ import annotations

import logging
import math
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarchive.siteconfig import Site

log = logging.getLogger(__name__)

# Scrapy's delays and timeouts: inf or nan in any of them stalls a crawl for good.
TIME_SETTINGS = (
    "DOWNLOAD_DELAY",
    "DOWNLOAD_TIMEOUT",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
)

# Stats keys (written by the pipelines) that count as errors in the progress line.
ERROR_OUTCOMES = ("http_error", "blocked", "failed", "refused", "robots_denied")


@dataclass
class CrawlOptions:
    """What a caller may choose about a crawl; everything else comes from the settings.

    The site to crawl is ``site`` (a plan's site), or else ``start_urls`` with
    ``spider_args`` (``news`` spider arguments as ``scrapy crawl -a`` takes them).
    """

    start_urls: Sequence[str]  # () with ``site``
    out_dir: Path
    crawl_id: str | None = None
    allow_private: bool = False
    max_pages: int | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    spider_args: Mapping[str, Any] = field(default_factory=dict)
    site: Site | None = None

    def spider_kwargs(self) -> dict[str, Any]:
        """The ``news`` spider's keyword arguments: ``site_config`` (the one site
        configuration), and any argument that is not a site key (for Scrapy's Spider).
        ValueError for a bad argument."""
        from newsarchive.siteconfig import site_from_arguments

        if self.site is not None:
            if self.start_urls or self.spider_args:
                raise ValueError("give a site, or start URLs and spider arguments, not both")
            return {"site_config": self.site}
        site, rest = site_from_arguments({**self.spider_args, "start_urls": list(self.start_urls)})
        return {**rest, "site_config": site}


@dataclass
class CrawlResult:
    """The crawl's id, output folder, Scrapy stats and wall time."""

    crawl_id: str
    out_dir: Path
    stats: dict[str, Any]
    seconds: float


def build_settings(options: CrawlOptions) -> Any:
    """Project settings plus the crawl's options (command-line overrides win)."""
    from scrapy.settings import Settings

    from newsarchive.provenance import new_crawl_id

    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    values: dict[str, Any] = {
        "NEWSARCHIVE_OUTPUT_DIR": str(options.out_dir),
        "NEWSARCHIVE_CRAWL_ID": options.crawl_id or new_crawl_id(),
    }
    if options.allow_private:
        values["NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"] = True
    if options.max_pages:
        values["CLOSESPIDER_PAGECOUNT"] = options.max_pages
    values.update(options.overrides)
    # The caller (the `newsarchive` CLI, pytest, a notebook) owns the root log handler.
    values.setdefault("LOG_INSTALL_ROOT_HANDLER", False)
    for name, value in values.items():
        try:
            settings.set(name, value, priority="cmdline")
        except ValueError as exc:  # a dict setting given as text that is not JSON
            raise ValueError(f"setting {name}={value!r}: {exc} (expected JSON)") from None
    check_settings(settings, values)
    return settings


def check_settings(settings: Any, given: Mapping[str, Any]) -> None:
    """Refuse what would stall a crawl or forge a header, before Scrapy starts (ValueError).

    ``-s NAME=inf`` or a plan's ``inf`` delay would hold every request forever; a
    user agent or default header with CR/LF would write a forged header line
    into every WARC request record. The crawl id becomes a folder and file names.
    """
    from newsarchive.plan import header_value_error
    from newsarchive.provenance import check_crawl_id

    for name, value in {**{n: settings.get(n) for n in TIME_SETTINGS}, **given}.items():
        if _non_finite(value):
            raise ValueError(f"setting {name}={value!r}: expected a finite number")
    for name, value in given.items():
        error = _type_error(name, value)
        if error:
            raise ValueError(f"setting {name}={value!r}: {error}")
    if settings.get("NEWSARCHIVE_CRAWL_ID"):
        check_crawl_id(settings.get("NEWSARCHIVE_CRAWL_ID"), "crawl id")
    error = header_value_error(settings.get("USER_AGENT") or "")
    if error:
        raise ValueError(f"setting USER_AGENT: {error}")
    try:
        headers = settings.getdict("DEFAULT_REQUEST_HEADERS")
    except ValueError as exc:
        raise ValueError(f"setting DEFAULT_REQUEST_HEADERS: not a JSON object ({exc})") from None
    for name, value in headers.items():
        error = header_value_error(str(name)) or header_value_error(str(value))
        if error:
            raise ValueError(f"setting DEFAULT_REQUEST_HEADERS[{name!r}]: {error}")


_BOOL_TEXTS = {"0", "1", "true", "false", "True", "False"}  # what Settings.getbool reads


def _type_error(name: str, value: Any) -> str | None:
    """What is wrong with ``value`` for a setting whose default is a bool or a number.

    Scrapy reads ``-s`` strings only where a component asks (``getfloat``, ``getint``,
    ``getbool``): a bad one failed deep inside the engine's start, with a traceback and
    a crawl that "could fetch nothing". The default's type (ours, else Scrapy's) says
    what the string must read as.
    """
    if not isinstance(value, str):
        return None
    from scrapy.settings import default_settings

    from newsarchive import settings as project

    default = getattr(project, name, getattr(default_settings, name, None))
    if isinstance(default, bool):
        return None if value in _BOOL_TEXTS else "expected true or false (or 1, 0)"
    if isinstance(default, int | float):  # some int defaults are read with getfloat
        try:
            float(value)
        except ValueError:
            return "expected a number"
    if name == "NEWSARCHIVE_EXTRACT_WORKERS":
        from newsarchive.spiders.extraction import worker_count

        try:
            worker_count(value)
        except ValueError as error:
            return str(error)
    return None


def _non_finite(value: Any) -> bool:
    """An inf/nan float, or a string that reads as one (``-s DOWNLOAD_DELAY=inf``)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    return isinstance(value, float) and not math.isfinite(value)


def check_crawls(crawls: Sequence[CrawlOptions]) -> list[Any]:
    """Every crawl's settings, after checking settings, spider arguments and output folders.

    Raises ValueError (one line naming the setting, argument or folder) before
    anything starts, so bad input never becomes a traceback inside the reactor.
    """
    all_settings = [build_settings(options) for options in crawls]
    check_spider_args(crawls)
    for options in crawls:
        _check_output_dir(Path(options.out_dir))
    return all_settings


def check_spider_args(crawls: Sequence[CrawlOptions]) -> None:
    """Build every crawl's site configuration now: a bad argument is one error line, not a
    traceback logged from inside the reactor after the crawl has started."""
    for options in crawls:
        if not options.spider_kwargs()["site_config"].entry_urls:
            raise ValueError("nothing to crawl: give seed URLs, sitemaps or feeds")


def run_crawl(
    options: CrawlOptions, *, on_signal: Callable[[str], None] | None = None
) -> CrawlResult:
    """Crawl ``options.start_urls`` with the ``news`` spider; blocks until the crawl ends.

    Twisted's reactor cannot restart: call this (or :func:`run_crawls`) once per process.
    """
    return run_crawls([options], on_signal=on_signal)[0]


def run_crawls(
    crawls: Sequence[CrawlOptions], *, on_signal: Callable[[str], None] | None = None
) -> list[CrawlResult]:
    """Run several crawls (e.g. the sites of a plan) side by side in one reactor.

    Each crawl has its own settings (output folder, crawl id, politeness); the
    process itself runs on the project settings (reactor, shutdown signals).
    ``on_signal(name)`` is called (in the reactor thread) on the first SIGINT or
    SIGTERM, e.g. to repeat how to resume the crawl.
    Raises ValueError for bad settings or spider arguments, before anything starts.
    """
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings

    from newsarchive.spiders.news import NewsSpider
    from newsarchive.spiders.stopping import on_stop_signal

    all_settings = check_crawls(crawls)
    # The process holds only project-wide settings: it merges them into every crawler
    # at their own priority, which would overwrite one crawl's folder with another's.
    process_settings = Settings()
    process_settings.setmodule("newsarchive.settings", priority="project")
    process_settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    # Scrapy's logging config sets its loggers to DEBUG; follow the caller's verbosity instead
    # (silenced while CrawlerProcess is built: it logs before its loggers can be adjusted).
    level = logging.getLogger().getEffectiveLevel()
    logging.disable(level - 1)
    try:
        process = CrawlerProcess(process_settings)
    finally:
        logging.disable(logging.NOTSET)
    logging.getLogger("scrapy").setLevel(level)
    crawlers = []
    for options, settings in zip(crawls, all_settings, strict=True):
        Path(options.out_dir).mkdir(parents=True, exist_ok=True)
        # The first crawler installs the reactor; later ones find it installed.
        crawler = Crawler(NewsSpider, settings, init_reactor=not crawlers)
        process.crawl(crawler, **options.spider_kwargs())
        crawlers.append(crawler)
    if on_signal is not None:
        on_stop_signal(on_signal)
    started = time.monotonic()
    process.start()
    seconds = time.monotonic() - started
    return [
        CrawlResult(
            crawl_id=settings.get("NEWSARCHIVE_CRAWL_ID"),
            out_dir=Path(options.out_dir),
            stats=dict(crawler.stats.get_stats()) if crawler.stats else {},
            seconds=seconds,
        )
        for options, settings, crawler in zip(crawls, all_settings, crawlers, strict=True)
    ]


def _check_output_dir(out_dir: Path) -> None:
    """The output folder exists or can be created and holds nothing a crawl would damage.

    ValueError naming the path otherwise: a ``manifest.json`` we did not write, or
    another crawl's folder below it (:func:`newsarchive.crawlfolder.output_folder_problem`).
    """
    for parent in (out_dir, *out_dir.parents):
        if parent.exists() and not parent.is_dir():
            raise ValueError(
                f"output folder {out_dir}: {parent} is a file, not a folder "
                "(choose another --out, or move the file)"
            )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"output folder {out_dir}: cannot create it ({exc.strerror})") from None
    from newsarchive.crawlfolder import output_folder_problem

    problem = output_folder_problem(out_dir)
    if problem:
        raise ValueError(problem)


def resume_command(argv: Sequence[str], crawl_id: str) -> str:
    """``newsarchive ARGV`` with ``--crawl-id crawl_id`` in place of any crawl id given."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--crawl-id":
            skip = True
            continue
        if arg.startswith("--crawl-id="):
            continue
        kept.append(arg)
    return shlex.join(["newsarchive", *kept, "--crawl-id", crawl_id])


# --------------------------------------------------------------------------- header guard


class HeaderGuard:
    """Downloader middleware: refuse any request with a control character in a header.

    A CR or LF in a header value (a user agent, a default header, a validator
    echoed from a server) would end the header line: Twisted cleans the wire,
    but the WARC request record would carry the forged line as written. The
    settings are checked once at start (a bad USER_AGENT also reaches the
    warcinfo record, so the crawl must not start); every request is checked
    after all header-setting middlewares, so no code path can slip one through.
    """

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> HeaderGuard:
        check_settings(crawler.settings, {})
        return cls(crawler)

    def process_request(self, request: Any) -> None:
        from scrapy.exceptions import IgnoreRequest

        from newsarchive.plan import header_value_error

        for name, values in request.headers.items():
            for raw in (name, *values):
                error = header_value_error(bytes(raw).decode("latin-1"))
                if error:
                    if self.stats is not None:
                        self.stats.inc_value("newsarchive/refused_header")
                    shown = bytes(name).decode("latin-1", "replace")
                    raise IgnoreRequest(f"request header {shown!r} refused: {error}")


# --------------------------------------------------------------------------- progress


def progress_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """Pages fetched, articles exported and errors from a crawl's stats."""
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles": int(stats.get("newsarchive/articles", 0)),
        "errors": sum(int(stats.get(f"newsarchive/pages/{o}", 0)) for o in ERROR_OUTCOMES),
    }


def queued_requests(crawler: Any) -> int | None:
    """Requests the scheduler holds plus those downloading (None before the crawl runs).

    ``engine.scheduler`` is public since Scrapy 2.19; Scrapy's and scrapy-redis's
    schedulers both answer ``len()`` (for a Redis worker: the shared queue).
    """
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # Scrapy raises until the crawl has started
        return None
    scheduler = getattr(engine, "scheduler", None)
    if scheduler is None:
        return None
    try:
        waiting = len(scheduler)  # type: ignore[arg-type]
    except (TypeError, NotImplementedError):
        return None
    downloader = getattr(engine, "downloader", None)
    return waiting + len(getattr(downloader, "active", ()))


class CrawlProgress:
    """Scrapy extension: the crawl's stats on :class:`newsarchive.progress.Progress`.

    Only the Scrapy wiring lives here (signals, a timer polling the stats); the
    display is the one every long command uses. ``NEWSARCHIVE_PROGRESS = False``
    switches it off; ``NEWSARCHIVE_PROGRESS_INTERVAL`` sets the seconds between plain
    lines (a terminal's bar is refreshed every second).
    """

    def __init__(self, crawler: Any, stream: IO[str] | None = None) -> None:
        from newsarchive.progress import PLAIN_INTERVAL

        self.crawler = crawler
        self.stream = stream
        self.interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", PLAIN_INTERVAL)
        self.progress: Any = None
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("NEWSARCHIVE_PROGRESS", True):
            raise NotConfigured  # asked for: no "Disabled ..." warning (Scrapy warns with a reason)
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        from twisted.internet.task import LoopingCall

        progress = self._progress()
        self.task = LoopingCall(self.show)
        self.task.start(progress.period, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self._update()
        self._progress().finish()

    def show(self) -> None:
        """Hand the stats to the display and show them."""
        self._update()
        self._progress().show()

    def _progress(self) -> Any:
        if self.progress is None:
            from newsarchive.progress import Progress

            crawl_id = self.crawler.settings.get("NEWSARCHIVE_CRAWL_ID")
            what = f"crawl {crawl_id}" if crawl_id else "crawl"
            self.progress = Progress(what, unit="pages", stream=self.stream, interval=self.interval)
        return self.progress

    def _update(self) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        figures = progress_counts(stats)
        queued = queued_requests(self.crawler)
        if queued is not None:
            figures["queued"] = queued
        self._progress().update(figures.pop("pages"), **figures)
