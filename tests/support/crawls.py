"""Run ``newsarchive`` commands in a subprocess, as a user would, for tests.

Twisted's reactor cannot restart, so every crawl a test starts runs in a process of
its own: ``python -m newsarchive ...`` with the tests' environment (plus ``tests/``
on ``PYTHONPATH`` for settings that name ``support`` classes).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support import PYTHONPATH_ENTRY

CRAWL_TIMEOUT = 300  # seconds: a generous bound for a small local crawl on a loaded machine
NEWSARCHIVE = (sys.executable, "-m", "newsarchive")
QUIET: Mapping[str, object] = {"NEWSARCHIVE_PROGRESS": False}  # no progress lines in the output
# A local test site answers at once: no politeness delay, no autothrottle.
NO_DELAY: Mapping[str, object] = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def setting_args(settings: Mapping[str, object]) -> list[str]:
    """``{"DOWNLOAD_DELAY": 0}`` -> ``["-s", "DOWNLOAD_DELAY=0"]``."""
    return [part for name, value in settings.items() for part in ("-s", f"{name}={value}")]


def crawl_command(
    url: str | list[str],
    out: str | Path,
    *args: str,
    crawl_id: str | None = None,
    settings: Mapping[str, object] = NO_DELAY,
    verbose: bool = False,
) -> list[str]:
    """``python -m newsarchive crawl URL --out OUT --allow-private`` against a local site.

    ``url`` may be a list of seeds; ``args`` are further options (``--max-pages``);
    ``settings`` become ``-s`` options (default: :data:`NO_DELAY`).
    """
    return [
        *NEWSARCHIVE,
        *(["-v"] if verbose else []),
        "crawl",
        *([url] if isinstance(url, str) else url),
        *("--out", str(out), "--allow-private"),
        *(("--crawl-id", crawl_id) if crawl_id else ()),
        *args,
        *setting_args(settings),
    ]


def newsarchive_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment, ``tests/`` importable, plus ``extra``."""
    path = os.pathsep.join(p for p in (PYTHONPATH_ENTRY, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **(extra or {})}


def run_newsarchive(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = CRAWL_TIMEOUT,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m newsarchive ARGS`` (text output captured; the exit status is not checked)."""
    return run_command([*NEWSARCHIVE, *map(str, args)], env=env, timeout=timeout, cwd=cwd)


def run_command(
    command: list[str],
    env: Mapping[str, str] | None = None,
    timeout: float = CRAWL_TIMEOUT,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` (from :func:`crawl_command`, say), text output captured, unchecked."""
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=newsarchive_env(env),
        cwd=cwd,
        check=False,
    )


def crawl_plan(plan: Path, crawl_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsarchive crawl --plan PLAN --crawl-id ID ARGS``, which must succeed."""
    quiet = setting_args(QUIET)
    done = run_newsarchive("crawl", "--plan", plan, "--crawl-id", crawl_id, *quiet, *args)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done


def resumable_settings(folder: Path) -> dict[str, object]:
    """Settings of a crawl a test stops and resumes: its queue (JOBDIR) and state in ``folder``.

    Two requests at a time, so that a stop lands midway through a small site.
    """
    return {
        "JOBDIR": folder / "job",
        "NEWSARCHIVE_STATE_PATH": folder / "s.db",
        **NO_DELAY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    }


LOCAL_PLAN = """
[plan]
name = "{name}"
state = "{state}"
output = "{output}"

[defaults.politeness]
delay = {delay}
concurrency = {concurrency}
autothrottle = false

[[sites]]
name = "{site}"
seeds = ["{base}/"]
allow_private = true
{extra}"""


def local_plan(
    base: str,
    *,
    name: str = "local",
    site: str = "herald",
    concurrency: int = 8,
    delay: float = 0.0,
    output: str = "out",
    state: str | None = None,
    extra: str = "",
) -> str:
    """The text of a plan ``name`` crawling one local site ``site`` at ``base``.

    No politeness delay unless one is given; the state is ``state/NAME.sqlite`` unless
    given. ``extra`` is appended to the site's table (``refetch = ...``, a
    ``[sites.scope]`` table).
    """
    return LOCAL_PLAN.format(
        base=base,
        name=name,
        site=site,
        concurrency=concurrency,
        delay=delay,
        output=output,
        state=state or f"state/{name}.sqlite",
        extra=extra,
    )


REFETCH = 'refetch = "conditional"\n'  # archived articles re-fetched with validators


def crawl_twice_refetching(folder: Path, base: str) -> tuple[Path, Path]:
    """A plan crawling ``base`` twice (``run1``, ``run2``); the crawl folders of both runs.

    Between the runs the validators are dropped from the crawl state (as from a server
    without ETag and Last-Modified), so the second run re-fetches every archived article
    in full: identical payloads, stored as revisits of the first run's records.
    """
    import sqlite3

    plan = folder / "plan.toml"
    text = local_plan(base, name="twice", site="demo", output="output", extra=REFETCH)
    plan.write_text(text, encoding="utf-8")
    crawl_plan(plan, "run1")
    with sqlite3.connect(folder / "state" / "twice.sqlite") as db:
        db.execute("UPDATE fetches SET etag = NULL, last_modified = NULL")
    crawl_plan(plan, "run2")
    return folder / "output/demo/run1", folder / "output/demo/run2"


class HeldArticles:
    """A test site that holds every article response after the first ``free`` until released.

    A crawl then cannot outrun the test, however loaded the machine: a stop lands midway,
    or a second worker finds work left, by construction rather than by a race. Wrap the
    site before the server starts (``site.site = HeldArticles(site.site, free)``); a
    held response goes out when ``released`` is set (or after ``hold`` seconds).
    """

    def __init__(self, site: Any, free: int, hold: float = 120) -> None:
        self.site, self.free, self.hold = site, free, hold
        self.released = threading.Event()
        self._served = 0
        self._lock = threading.Lock()

    def resolve(self, path: str, base_url: str) -> Any:
        if path.endswith(".html"):
            with self._lock:
                self._served += 1
                held = self._served > self.free
            if held:
                self.released.wait(timeout=self.hold)
        return self.site.resolve(path, base_url)


@contextmanager
def serve_held(generate: int, free: int) -> Iterator[tuple[Any, HeldArticles]]:
    """A generated site of ``generate`` articles, holding those after the first ``free``.

    Yields the running site and its gate; every held response is released on exit, so
    a failing test does not leave server threads waiting out the hold.
    """
    from newsarchive.server import DemoSite

    site = DemoSite(generate=generate)
    gate = site.site = HeldArticles(site.site, free)
    with site:
        try:
            yield site, gate
        finally:
            gate.released.set()


def start_logged(
    command: list[str], log_path: Path, cwd: str | Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command`` in the background, its output (unbuffered) into ``log_path``."""
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            command,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=newsarchive_env({"PYTHONUNBUFFERED": "1"}),
            cwd=cwd,
        )


def interrupt_when(
    command: list[str],
    cwd: str | Path,
    ready: Callable[[], bool],
    stop: signal.Signals = signal.SIGKILL,
    within: float = 90,
    signalled: Callable[[], None] | None = None,
) -> bool:
    """Start a crawl and send it ``stop`` as soon as ``ready()`` holds (or after ``within`` s).

    True when the signal reached the crawl while it ran (False: it had ended by itself).
    The bound is generous for a loaded machine; ``ready`` decides, not the clock.
    ``signalled`` runs once the signal is sent (or the wait is over), before the crawl
    is awaited: a test site holding responses releases them there.
    """
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd
    )
    try:
        deadline = time.monotonic() + within
        while not ready() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        running = process.poll() is None
        if running:
            process.send_signal(stop)
        return running
    finally:
        if signalled is not None:
            signalled()
        process.wait(timeout=60)


def exported_articles(
    folder: Path, pattern: str = "articles/*.jsonl.gz", *, while_running: bool = False
) -> list[dict[str, Any]]:
    """The article records of the batches ``pattern`` names below ``folder``, in name order.

    ``while_running``: batches still being written (``*.open``) too, where the member
    being written (or cut by a kill) ends its file's records quietly.
    """
    records: list[dict[str, Any]] = []
    for batch in sorted(folder.glob(pattern + ("*" if while_running else ""))):
        try:
            with gzip.open(batch, "rt", encoding="utf-8") as handle:
                for line in handle:
                    records.append(json.loads(line))
        except (EOFError, OSError, json.JSONDecodeError):
            if not while_running:
                raise
    return records
