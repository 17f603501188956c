"""Test scaffolding (local raw-HTTP sites, WARC fixtures, a private redis-server).

It lives beside the tests, not in the installed package: users of newsarchive get
none of it. Test modules import it as ``support`` (pytest puts ``tests/`` on the
path); subprocesses that need it get ``tests/`` through :data:`PYTHONPATH_ENTRY`.
"""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
# Add to a subprocess's PYTHONPATH so that it can import ``support`` (a Scrapy setting
# naming support.redis_server.LaggingItemsPipeline, for example).
PYTHONPATH_ENTRY = str(TESTS_DIR)
# Runs the minimal link-following crawl with WARC capture: [*WARC_CRAWL, OUT, URL...].
WARC_CRAWL_SCRIPT = str(TESTS_DIR / "support" / "warcsite.py")
