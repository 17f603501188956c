"""WARC capture, indexing and re-reading (issue 4).

Modules, one job each:

* ``naming``   file names ``PREFIX-YYYYMMDDhhmmss-SERIAL-HOST.warc.gz`` and the next serial
* ``writer``   rotating, crash-safe WARC/1.1 writer (one gzip member per record)
* ``records``  HTTP request/response/revisit record blocks built from what Scrapy saw
* ``digests``  SQLite index of archived payload digests (revisits across crawls)
* ``capture``  the Scrapy extension ``WarcCapture``
* ``gzipwalk`` member-by-member walk: whole records, cut tails, resync after damage
* ``recover``  finish the ``.open`` files a killed crawl left (``warc recover``)
* ``check``    ``warc check``: member walk plus digests, payloads never inflated
* ``cdxj``     pywb-compatible CDXJ index lines
* ``reread``   archived responses back to records (``newsarchive reextract``)
* ``fixture``  an archived record as a test fixture
* ``wacz``     WACZ packaging through the ``wacz`` package

Importing this package is cheap: Scrapy and warcio load in the modules that need them.
"""
