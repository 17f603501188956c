"""Scrapy settings for newsarchive.

Polite by default: robots.txt obeyed, small per-domain concurrency, AutoThrottle,
an identifying user agent. Every setting that differs from Scrapy's default
says why. Project-specific settings are prefixed ``NEWSARCHIVE_``.
"""

from newsarchive.version import newsarchive_user_agent

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["newsarchive.spiders"]
NEWSPIDER_MODULE = "newsarchive.spiders"

# Identify ourselves so site operators can tell who crawls them and whom to contact;
# a crawl plan names the operator's own contact (plan.toml: contact, user_agent).
USER_AGENT = newsarchive_user_agent()

# Politeness: archivists crawl other people's servers repeatedly.
ROBOTSTXT_OBEY = True  # Scrapy's default is False in bare settings
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # one news site never gets more than 4 requests at once
# Scrapy starts this many asyncio workers for every callback's output (default 100); a page
# yields one record, so 100 workers per response cost ~30% of crawl throughput for nothing.
CONCURRENT_ITEMS = 8
# Responses waiting in the scraper (for their callback, e.g. for an extraction worker) pause
# new downloads above this many body bytes (Scrapy's default 5 MB). With extraction off the
# reactor thread, fetching outruns it: 5 MB of small pages (~1,250) held ~100 MB more at 4,000
# pages than at 1,000; at 1 MB the peak RSS stays flat, at the same pages/s (bench/crawl.py).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
DOWNLOAD_DELAY = 0.25  # a floor under AutoThrottle's delay
AUTOTHROTTLE_ENABLED = True  # back off when the server slows down
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60

# Safety bounds: Scrapy buffers every body in memory (see docs/warc.md).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # refuse bodies over 32 MB (default 1 GB)
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
REDIRECT_MAX_TIMES = 10  # default 20; news sites never need more than a few hops
# A meta refresh is a redirect only when immediate (0 or 1 s; Scrapy's default: under
# 100 s): a page that refreshes after a delay is shown to its reader first, so it is the
# content (an article sending readers back to the home page after 30 s), not a stub.
METAREFRESH_MAXDELAY = 2
# Archive truncated bodies marked WARC-Truncated instead of losing them.
DOWNLOAD_FAIL_ON_DATALOSS = False

# Error pages (404, 410, 5xx) are archived and recorded, so let them reach the spider.
HTTPERROR_ALLOW_ALL = True

# The HTTP cache would replay responses that must not be archived as fetches.
HTTPCACHE_ENABLED = False

# Don't open a control port nobody asked for (Scrapy 2.19 starts one by default).
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# scrapy crawl exit status (crawl leftovers): the project's `crawl` command replaces
# Scrapy's to exit 2 when the news spider refused an argument (finish reason
# bad_spider_argument), so cron, CI and scrapyd see the failure.
COMMANDS_MODULE = "newsarchive.scrapy_commands"

# Request fingerprints that survive JOBDIR resume across Scrapy versions.
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = "INFO"

# Refuse private/loopback/link-local targets before robots.txt is even fetched (SSRF guard).
DOWNLOADER_MIDDLEWARES = {
    # Closest to the engine: with NEWSARCHIVE_WARC_THREAD holds each response until its WARC
    # records are written; archives bodies cut at DOWNLOAD_MAXSIZE (WARC-Truncated: length).
    "newsarchive.warc.capture.WarcPointerMiddleware": 10,
    "newsarchive.spiders.guard.PrivateAddressGuard": 50,
    # Redirects that leave the scope (host and port) or exceed NEWSARCHIVE_MAX_URL_LENGTH.
    "newsarchive.spiders.guard.ScopeGuard": 45,
    # In place of Scrapy's robots.txt middleware: one fetch per origin (read by the spider for
    # its Sitemap: lines too), and every request queued before it arrives gets the same verdict.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.spiders.robots.RobotsTxtGate": 100,
    # The spider's requests bypass Scrapy's dupe filter; a redirect to a known URL stops here.
    "newsarchive.spiders.redirects.RedirectTargetOnce": 60,
    # Meta refresh redirects, but not a page's refresh to itself, and each hop in pages.jsonl.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsarchive.spiders.redirects.ArchivalMetaRefresh": 580,
    # Accept-Encoding offers only the codings this process decodes (brotlipy shadows brotli).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsarchive.spiders.compression.DecodableCompressionMiddleware": 590,
    # Cookies with per-host limits, and the bundled Public Suffix List (no download).
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "newsarchive.spiders.cookies.BoundedCookiesMiddleware": 700,
    # Scrapy's retry, except for a response the server would send the same way again
    # (a header name with control characters, a header section over the limit).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.spiders.retry.ServerFaultAwareRetry": 550,
    # Last before the download: no header with CR/LF or other control characters (issue 14).
    "newsarchive.crawler.HeaderGuard": 990,
    # Once a first Ctrl-C/SIGTERM stops the crawl, no request waits for its politeness delay:
    # it goes back to the queue (JOBDIR) for the resume.
    "newsarchive.spiders.stopping.PromptStopMiddleware": 995,
}
# Record every page's outcome, then provenance, dedupe and export of articles (300: validation).
ITEM_PIPELINES = {
    # Only with a plan's NEWSARCHIVE_STATE_PATH: every fetch into the crawl state.
    "newsarchive.pipelines.state.CrawlStatePipeline": 90,
    "newsarchive.pipelines.pages.PageOutcomePipeline": 100,
    "newsarchive.pipelines.provenance.ProvenancePipeline": 200,
    # schema check of every record: failures recorded, never dropped (issue 6)
    "newsarchive.pipelines.validate.ValidationPipeline": 300,
    "newsarchive.pipelines.dedupe.DedupePipeline": 400,
    # Only for Redis workers: each article text exported once per crawl across workers.
    "newsarchive.distributed.exported.SharedExportPipeline": 790,
    "newsarchive.pipelines.export.ArticleExportPipeline": 800,
    # Crawl-state writes of an article wait until it is exported (a kill between the two
    # must not leave the state claiming an article no file holds).
    "newsarchive.pipelines.state.CrawlStateCommitPipeline": 850,
}
# Live progress line on a terminal (pages, articles, errors, rate); log lines otherwise.
EXTENSIONS = {
    "newsarchive.crawler.CrawlProgress": 500,
    # WARC request/response capture at response_downloaded (issue 4); NEWSARCHIVE_WARC_ENABLED
    "newsarchive.warc.capture.WarcCapture": 100,
    # A response whose header section passes NEWSARCHIVE_MAX_HEADER_BYTES fails alone.
    "newsarchive.spiders.headerlimit.ResponseHeaderLimit": 0,
}

# --------------------------------------------------------------------------- newsarchive
# Where a crawl writes its WARC files, JSON Lines and reports.
NEWSARCHIVE_OUTPUT_DIR = "output/crawl"
# Identifies the crawl in file names and provenance; generated when empty.
NEWSARCHIVE_CRAWL_ID = ""
# WARC capture (issue 4): on by default, archivists need the bytes.
NEWSARCHIVE_WARC_ENABLED = True
# First part of every WARC file name (PREFIX-YYYYMMDDhhmmss-SERIAL-HOST.warc.gz).
NEWSARCHIVE_WARC_PREFIX = "newsarchive"
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000  # rotate at about 1 GB, as Heritrix does
# Who runs the crawl (a name or e-mail), written into every warcinfo record.
NEWSARCHIVE_WARC_OPERATOR = ""
# Write WARC records inline (False) or from a writer thread (True). Measured on a shared
# 2-core box (bench/warc_overhead.py) the thread cost more CPU and was not reliably faster.
NEWSARCHIVE_WARC_THREAD = False
# gzip level for payloads that arrive without content coding (coded ones are stored as is).
NEWSARCHIVE_WARC_GZIP_LEVEL = 1
# Pages under this probability of being an article are recorded, not exported.
NEWSARCHIVE_MIN_ARTICLE_PROBABILITY = 0.5
# Refuse private/loopback/link-local targets unless a plan allows them.
NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES = False
# Article extraction in worker processes, off the reactor thread (spiders/extraction.py):
# "auto" = one per CPU (at most 4; one on one CPU), a number, or 0 for in-process (no
# time or memory limits then: see NEWSARCHIVE_EXTRACT_TIMEOUT).
# Measured with bench/crawl.py: full pipeline ~200 -> ~280 pages/s on 2 shared cores.
NEWSARCHIVE_EXTRACT_WORKERS = "auto"

# --------------------------------------------------------------------------- traps and floods
# Limits a hostile or broken site cannot push a crawl past (issue 14, docs/plans.md).
# Cookies read from one response and kept per cookie domain (RFC 6265 asks for at least 50).
NEWSARCHIVE_MAX_COOKIES_PER_HOST = 50
# Longest Cookie header sent (whole cookies dropped from its end); servers refuse ~8 KB+ (431).
NEWSARCHIVE_MAX_COOKIE_HEADER_BYTES = 8192
# URLs longer than this are recorded as refused (reason url_too_long), never fetched.
NEWSARCHIVE_MAX_URL_LENGTH = 2083
# Scrapy's own URL length filter drops such requests without a trace: replaced by the above.
URLLENGTH_LIMIT = 0
# Response header flood (audit): a status line and headers over this many bytes (each line
# counted as at least 64) fail that response; Twisted keeps headers in memory until they end.
# 0 = no limit: Twisted then holds any header section until DOWNLOAD_TIMEOUT, but the copy of
# the head as sent kept for the WARC stops at 4 MiB (headerlimit.WIRE_HEAD_MAX_BYTES): the
# record then has the head rebuilt from Scrapy's response, and the log says so.
NEWSARCHIVE_MAX_HEADER_BYTES = 4 * 1024 * 1024
# Sitemap traps and floods (newsarchive.discovery.sources.SourceBudget); 0 = no limit.
# Index hops below a sitemap that a plan or robots.txt names (the protocol allows one).
NEWSARCHIVE_SITEMAP_MAX_DEPTH = 3
# Sitemap files fetched per host and crawl.
NEWSARCHIVE_SITEMAP_MAX_FILES = 1000
# Page URLs taken from sitemaps and feeds per host and crawl (4 full 50,000-URL sitemaps).
NEWSARCHIVE_SITEMAP_MAX_URLS = 200_000
# Feeds fetched per host and crawl (named by a plan or announced by hub pages).
NEWSARCHIVE_FEED_MAX_FILES = 200
# Feeds and links one hub page may add to the crawl (a busy home page names ~1,000).
NEWSARCHIVE_MAX_LINKS_PER_PAGE = 10_000

# Decompression limits and crash recovery of WARC files (issues 13 and 14).
# Most bytes any one inflate (HTTP Content-Encoding in reextract, `extract FILE.gz`,
# `warc check`) may produce; past it the page fails alone (newsarchive/inflate.py).
# The environment variable of the same name overrides it for the command line tools.
NEWSARCHIVE_MAX_DECOMPRESSED_SIZE = 50 * 1024 * 1024
# Finish WARC files a killed crawl left as *.open when the next crawl opens the folder.
NEWSARCHIVE_WARC_RECOVER = True
# Scrapy's scheduler plus a crash marker: a JOBDIR queue a kill -9 tore is discarded with
# one warning instead of failing every pop (newsarchive/jobdir.py).
SCHEDULER = "newsarchive.jobdir.RecoveringScheduler"

# ----------------------------------------------------------------- crawl output (issue 13)
# The plan file a crawl runs (set from the plan): the manifest records its path, sha256 and text.
NEWSARCHIVE_PLAN_FILE = ""
# IANA time zone of a plan's site (plan option `timezone`): a date the page writes without a
# UTC offset is read in it; empty: such a date keeps only its day (see docs/schema.md).
NEWSARCHIVE_SITE_TIMEZONE = ""

# --------------------------------------------------------------------------- hostile pages
# Limits on one page's extraction (issue 14): a page over a limit is recorded as failed,
# its extraction worker is killed and replaced, and the crawl goes on. Enforced in the
# extraction workers (NEWSARCHIVE_EXTRACT_WORKERS >= 1) and in `newsarchive reextract`.
# Seconds one page may take (real pages take milliseconds; 0 = no limit).
NEWSARCHIVE_EXTRACT_TIMEOUT = 60
# Megabytes a worker may allocate beyond what it inherits, as RLIMIT_AS (0 = no limit).
NEWSARCHIVE_EXTRACT_MEMORY_MB = 2048
# Pages larger than this many bytes are recorded as failed, not parsed (0 = no limit).
NEWSARCHIVE_EXTRACT_MAX_BYTES = 16 * 1024 * 1024
# Pages with an element of more attributes than this are recorded as failed, not parsed:
# libxml2 is quadratic in them (0 = no limit).
NEWSARCHIVE_EXTRACT_MAX_ATTRIBUTES = 10_000

# Workers, killed workers and shared state (issue 13, findings 2, 3, 8).
# Tests only: seconds tests/support/redis_server.LaggingItemsPipeline holds each item.
NEWSARCHIVE_TEST_ITEM_LAG = 1.0

# ------------------------------------------------------- set by a plan, worker mode or export
# Crawl state (SQLite file) of a plan run; None: no state (a URL crawl fetches everything).
NEWSARCHIVE_STATE_PATH = None
# Where the crawl state lives: "sqlite" (NEWSARCHIVE_STATE_PATH) or "redis" (worker mode).
NEWSARCHIVE_STATE_BACKEND = "sqlite"
# The plan and site a crawl runs (keys of the shared state, the manifest's plan entry).
NEWSARCHIVE_PLAN_NAME = None
NEWSARCHIVE_SITE_NAME = None
# The site's re-fetch policy for archived articles: never, conditional or always.
NEWSARCHIVE_REFETCH = "never"
# Articles per JSON Lines batch file before the next one starts.
NEWSARCHIVE_EXPORT_BATCH_SIZE = 10_000
# Progress bar (a terminal) or plain progress lines (otherwise) during a crawl.
NEWSARCHIVE_PROGRESS = True
# Seconds between plain progress lines (a terminal's bar is refreshed every second).
NEWSARCHIVE_PROGRESS_INTERVAL = 10.0
# Worker mode (`crawl --redis`, newsarchive/distributed): the Redis server of the crawl.
NEWSARCHIVE_REDIS_URL = None
# Prefix of every Redis key of the crawl (default: derived from the crawl id).
NEWSARCHIVE_REDIS_KEY_PREFIX = None
# Key template of a worker's in-flight requests (set by worker mode).
NEWSARCHIVE_REDIS_INFLIGHT_KEY = None
# Seconds between a worker's heartbeats; a worker silent for STALE_AFTER is presumed dead
# and its requests go back on the queue; IDLE_GRACE: idle seconds before a worker stops.
NEWSARCHIVE_REDIS_HEARTBEAT = 1.0
NEWSARCHIVE_REDIS_IDLE_GRACE = 3.0
NEWSARCHIVE_REDIS_STALE_AFTER = 15.0

# ----------------------------------------------------------------- Redis state, deleted runs
# At a plan run's start, Redis workers forget archived articles no WARC file under the plan's
# output holds (a deleted run), so they are fetched again; False on machines without one shared
# file system (a worker sees only its own machine's runs and would re-fetch the others').
NEWSARCHIVE_REDIS_FORGET_GONE = True

# --------------------------------------------------------------------------- crawl report at close
# Write report.json/report.txt when a crawl closes (newsarchive crawl, scrapy crawl, scrapyd);
# plan runs set it False: `crawl --plan` writes theirs, compared with the previous run.
NEWSARCHIVE_CRAWL_REPORT = True

# Environment variables (not Scrapy settings; lower-case, so Scrapy ignores this table).
environment_variables = {
    "NEWSARCHIVE_REPLAY_ENV": "folder of pywb's own venv (default ~/.cache/newsarchive/pywb-env)",
    # ReplayWeb.page (`newsarchive replay --rwp`, newsarchive/replaywebpage.py)
    "NEWSARCHIVE_REPLAYWEBPAGE_DIR": "folder of ReplayWeb.page's ui.js and sw.js "
    "(default ~/.cache/newsarchive/replaywebpage)",
    "NEWSARCHIVE_MAX_DECOMPRESSED_SIZE": "the setting of that name, for command-line tools",
    "NEWSARCHIVE_PROGRESS_INTERVAL": "the setting of that name, for command-line tools",
}
