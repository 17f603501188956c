"""Scrapy spiders (installed as ``newsarchive.spiders``): they discover URLs and hand
fetched pages to the extractor; they do not parse fields themselves."""
