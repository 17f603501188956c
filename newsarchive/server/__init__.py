"""A local news web server for demos, crawl tests and benchmarks.

Serves a folder (the bundled demo site, ``newsarchive/demo_site``) or a generated
site of N articles on 127.0.0.1 with the HTTP behaviour crawlers meet in the
wild: gzip, chunked transfer, charsets in headers only, validators and 304s,
redirects and 404s. Standard library only.
"""

from __future__ import annotations

from newsarchive.server.runner import DemoSite, default_site_dir

__all__ = ["DemoSite", "default_site_dir"]
