"""newsarchive: crawl news sites, archive them faithfully as WARC, extract clean article records.

Importing this package is cheap: the extractor, the loaders and Scrapy are
only imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsarchive.version import __version__

__all__ = ["__version__", "extract", "load"]

if TYPE_CHECKING:  # pragma: no cover
    from newsarchive.extraction import extract
    from newsarchive.loading import load


def __getattr__(name: str) -> Any:
    if name == "extract":
        from newsarchive.extraction import extract

        return extract
    if name == "load":
        from newsarchive.loading import load

        return load
    raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")
