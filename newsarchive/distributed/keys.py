"""Redis key names of a distributed crawl: one prefix per crawl id, one per plan's state.

Every key a crawl creates starts with ``newsarchive:crawl:CRAWL_ID:`` so that
``newsarchive crawl-finish`` can find all of them with one ``SCAN`` pattern and
crawls sharing a Redis server never touch each other's queue. The incremental
crawl state outlives crawls and lives under ``newsarchive:state:PLAN:``.
"""

from __future__ import annotations

import re

NAMESPACE = "newsarchive"
# Crawl ids and plan names become parts of key names and of SCAN glob patterns:
# no glob characters, no '%' (scrapy-redis %-formats its key templates), no ':'.
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$")


def check_name(value: str, what: str = "crawl id") -> str:
    """``value`` if it is safe inside a Redis key and a SCAN pattern, else ValueError."""
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise ValueError(
            f"{what} {value!r} must be 1-128 letters, digits, '.', '_', '~' or '-' "
            "(it becomes part of Redis key names)"
        )
    return value


def crawl_prefix(crawl_id: str) -> str:
    """``newsarchive:crawl:CRAWL_ID`` (no trailing colon)."""
    return f"{NAMESPACE}:crawl:{check_name(crawl_id)}"


def crawl_pattern(crawl_id: str) -> str:
    """SCAN pattern matching every key of one crawl, and no key of another."""
    return f"{crawl_prefix(crawl_id)}:*"


def workers_key(key_prefix: str) -> str:
    """Hash: worker id -> JSON heartbeat, beside the queue it describes.

    ``key_prefix`` is the crawl's (or, for a plan's sites, the crawl and site's)
    prefix from :func:`newsarchive.distributed.settings.key_prefix`.
    """
    return f"{key_prefix}:workers"


def state_prefix(plan: str) -> str:
    """``newsarchive:state:PLAN``: the incremental crawl state of one plan."""
    return f"{NAMESPACE}:state:{check_name(plan, 'plan name')}"
