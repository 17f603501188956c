"""``scrapy crawl``: Scrapy's own command, with a failing exit status for refused arguments.

The news spider turns a bad spider argument into one error line and a crawl that
closes at once with finish reason ``bad_spider_argument`` (no traceback: scrapyd
users read the job's log). Scrapy's command exits 1 only when the spider could not
be built, so such a crawl would exit 0 and cron, CI or scrapyd's own log would call
it a success. This command (found through ``COMMANDS_MODULE``, which lets a project
replace a built-in command of the same name, as scrapyd's runner uses too) runs the
crawl exactly as Scrapy's does, then exits 2, the status of every other bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

BAD_ARGUMENT_EXIT = 2  # as `newsarchive crawl` and argparse for a bad argument


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, exiting 2 when a spider closed for a refused argument."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[Any] = []

    def _create_crawler(self, spidercls: Any) -> Any:
        crawler = super()._create_crawler(spidercls)
        self.started.append(crawler)
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newsarchive.spiders.news import BAD_ARGUMENT_REASON

        super().run(args, opts)
        if self.exitcode:
            return
        reasons = {c.stats.get_value("finish_reason") for c in self.started if c.stats}
        if BAD_ARGUMENT_REASON in reasons:
            self.exitcode = BAD_ARGUMENT_EXIT
