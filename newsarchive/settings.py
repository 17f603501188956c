"""Scrapy settings for newsarchive.

Polite by default: robots.txt obeyed, small per-domain concurrency, AutoThrottle,
an identifying user agent. Every setting that differs from Scrapy's default
says why. Project-specific settings are prefixed ``NEWSARCHIVE_``.
"""

from newsarchive.plan import newsarchive_user_agent

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
# Archive truncated bodies marked WARC-Truncated instead of losing them.
DOWNLOAD_FAIL_ON_DATALOSS = False

# Error pages (404, 410, 5xx) are archived and recorded, so let them reach the spider.
HTTPERROR_ALLOW_ALL = True

# The HTTP cache would replay responses that must not be archived as fetches.
HTTPCACHE_ENABLED = False

# Don't open a control port nobody asked for (Scrapy 2.19 starts one by default).
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

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
    # Scrapy's robots.txt middleware, but obeying the spider's own robots.txt fetch instead
    # of downloading the file a second time (one fetch, one WARC record per host).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.spiders.robots.SharedRobotsTxtMiddleware": 100,
    # The spider's requests bypass Scrapy's dupe filter; a redirect to a known URL stops here.
    "newsarchive.spiders.redirects.RedirectTargetOnce": 60,
    # Last before the download: no header with CR/LF or other control characters (issue 14).
    "newsarchive.crawler.HeaderGuard": 990,
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
    "newsarchive.pipelines.export.ArticleExportPipeline": 800,
}
# Live progress line on a terminal (pages, articles, errors, rate); log lines otherwise.
EXTENSIONS = {
    "newsarchive.crawler.CrawlProgress": 500,
    # WARC request/response capture at response_downloaded (issue 4); NEWSARCHIVE_WARC_ENABLED
    "newsarchive.warc.capture.WarcCapture": 100,
}

# --------------------------------------------------------------------------- newsarchive
# Where a crawl writes its WARC files, JSON Lines and reports.
NEWSARCHIVE_OUTPUT_DIR = "output/crawl"
# Identifies the crawl in file names and provenance; generated when empty.
NEWSARCHIVE_CRAWL_ID = ""
# WARC capture (issue 4): on by default, archivists need the bytes.
NEWSARCHIVE_WARC_ENABLED = True
NEWSARCHIVE_WARC_PREFIX = "newsarchive"
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000  # rotate at about 1 GB, as Heritrix does
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
# "auto" = one per CPU (at most 4; none on one CPU), a number, or 0 for in-process.
# Measured with bench/crawl.py: full pipeline ~200 -> ~280 pages/s on 2 shared cores.
NEWSARCHIVE_EXTRACT_WORKERS = "auto"
