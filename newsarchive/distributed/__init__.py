"""Worker mode: many crawler processes share one crawl through scrapy-redis (issue 7).

``settings.redis_settings`` configures scrapy-redis (shared queue and duplicate
filter, every key under the crawl id), ``workers.SharedCrawlWorkers`` keeps a
worker alive while its peers still have work, ``state.RedisCrawlState`` holds
the incremental crawl state, ``merge`` builds one CDXJ index and manifest over
all workers' files, and ``keys`` finds, reports and removes a crawl's keys.
Nothing here is imported by the single-machine crawl.
"""
