"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.redis_server import LocalRedis, RedisUnavailable, check_python_packages

from newsarchive.server import DemoSite


@pytest.fixture(scope="session")
def demo_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``, no trailing slash) of the demo news site
    (fixtures/site), served on a free port for the whole session."""
    with DemoSite() as site:
        yield site.base_url


@pytest.fixture
def demo_site() -> Iterator[DemoSite]:
    """A private server of the demo site for one test, with its own request log.

    ``demo_site.base_url``, ``demo_site.url(path)``; ``demo_site.request_log`` /
    ``demo_site.requested_paths()`` show what a crawl fetched (e.g. to prove the
    robots-disallowed page never was).
    """
    with DemoSite() as site:
        yield site


@pytest.fixture(scope="module")
def redis_server() -> Iterator[LocalRedis]:
    """A private ``redis-server`` on 127.0.0.1 for one test module.

    Skips (saying what is missing) without the ``distributed`` extra or a binary;
    a failure inside a test is never turned into a skip.
    """
    try:
        check_python_packages()
        server = LocalRedis().__enter__()
    except RedisUnavailable as exc:
        pytest.skip(f"Redis tests skipped: {exc}")
    try:
        yield server
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def count_calls(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any, str], list[int]]:
    """``count_calls(module, "name")`` wraps that function for one test and returns the
    list it appends to on every call: tests of bounded work count calls, never time."""

    def count(owner: Any, name: str) -> list[int]:
        calls: list[int] = []
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, **k: calls.append(1) or real(*a, **k))
        return calls

    return count
