"""pywb in an environment of its own, set up on first use, serving a crawl's WARC files.

pywb is a replay server we run, not a library we import, and it pins what a crawler
cannot live with: ``redis==2.10.6`` (scrapy-redis needs >= 4.2), ``fakeredis<1.0``, and
``brotlipy``, whose ``brotli`` module shadows the one Scrapy decodes ``br`` pages with.
Sharing a virtualenv with it broke brotli pages and Redis workers, so it gets a venv of
its own under the user's cache folder, created once (one ``pip install``) and reused by
``newsarchive replay`` and the replay tests alike.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# The tested range: 2.8 is the first release with Python 3.11 wheels of its pins.
PYWB_REQUIREMENT = "pywb>=2.8,<2.11"
ENV_VARIABLE = "NEWSARCHIVE_REPLAY_ENV"  # a folder for the pywb venv, instead of the cache
READY_MARKER = ".newsarchive-ready"  # written last: holds the requirement the venv satisfies
SETUP_TIMEOUT = 900  # seconds for venv + pip install on a slow machine
START_TIMEOUT = 60  # seconds for wayback to accept connections


class ReplayError(RuntimeError):
    """pywb could not be set up or started; the message says what to do."""


@dataclass(frozen=True)
class ReplayTools:
    """The two pywb programs of a ready environment."""

    wayback: Path
    wb_manager: Path


def tool_folder(variable: str, name: str) -> Path:
    """A replay tool's folder: ``$variable`` when set, else ``name`` in the user cache.

    Kept outside the project's environment (see the module docstring), and shared
    by every checkout of the project on the machine.
    """
    chosen = os.environ.get(variable)
    if chosen:
        return Path(chosen).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsarchive" / name


def env_dir() -> Path:
    """Where the pywb venv lives: ``$NEWSARCHIVE_REPLAY_ENV``, else the user cache."""
    return tool_folder(ENV_VARIABLE, "pywb-env")


def tools_in(env: Path) -> ReplayTools:
    return ReplayTools(wayback=env / "bin" / "wayback", wb_manager=env / "bin" / "wb-manager")


def is_ready(env: Path) -> bool:
    """A finished setup for today's requirement (an interrupted one has no marker)."""
    marker = env / READY_MARKER
    tools = tools_in(env)
    return (
        marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == PYWB_REQUIREMENT
        and tools.wayback.exists()
        and tools.wb_manager.exists()
    )


@contextmanager
def setup_lock(path: Path) -> Iterator[None]:
    """One setup at a time across processes (parallel test runs, two shells)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    command: list[str], what: str, cwd: Path | None = None, timeout: float | None = None
) -> None:
    """Run one setup step; a failure is a :class:`ReplayError` quoting its last lines."""
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReplayError(f"{what} failed: {error}") from error
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise ReplayError(f"{what} failed (exit {result.returncode}): " + " | ".join(tail))


def ensure_env(env: Path | None = None) -> ReplayTools:
    """The pywb programs, installing pywb into its own venv the first time.

    Needs the package index once (``pip install pywb``); later calls only check the
    marker. Raises :class:`ReplayError` with a one-line reason when setup fails.
    """
    env = env or env_dir()
    if is_ready(env):
        return tools_in(env)
    with setup_lock(env.with_name(env.name + ".lock")):
        if is_ready(env):  # another process finished it while we waited
            return tools_in(env)
        log.warning("setting up pywb in %s (first use; one pip install)", env)
        if env.exists():
            shutil.rmtree(env)
        venv = [sys.executable, "-m", "venv", str(env)]
        _run(venv, "creating the pywb venv", timeout=SETUP_TIMEOUT)
        pip = [str(env / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        _run(
            [*pip, "install", "-q", PYWB_REQUIREMENT],
            f"pip install {PYWB_REQUIREMENT}",
            timeout=SETUP_TIMEOUT,
        )
        (env / READY_MARKER).write_text(PYWB_REQUIREMENT + "\n", encoding="utf-8")
    return tools_in(env)


def warc_files(inputs: Iterable[Path]) -> list[Path]:
    """WARC files named, or found under folders; unfinished ``.open`` files are left out."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found += sorted(p for p in item.rglob("*.warc.gz") if p.is_file())
        elif item.is_file():
            found.append(item)
        else:
            raise ReplayError(f"no such WARC file or folder: {item}")
    if not found:
        raise ReplayError("no *.warc.gz files found in " + ", ".join(str(p) for p in inputs))
    return found


def build_collection(
    root: Path, warcs: Iterable[Path], tools: ReplayTools, name: str = "crawl"
) -> Path:
    """A pywb collection under ``root`` whose archive links to ``warcs`` (no copies).

    ``wb-manager add`` copies every file; a crawl's WARCs can be gigabytes, so they are
    linked into the collection's archive folder. They are indexed by newsarchive's own
    indexer (as ``index.cdxj``), not pywb's: it leaves out server-not-modified revisits
    (304s), which pywb would replay as their empty 304 instead of the page they confirmed.
    """
    from newsarchive.warc.cdxj import rebuild

    root.mkdir(parents=True, exist_ok=True)
    collection = root / "collections" / name
    if not collection.exists():
        _run([str(tools.wb_manager), "init", name], "wb-manager init", cwd=root)
    archive = collection / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    taken: set[str] = {link.name for link in archive.iterdir()}
    for warc in warcs:
        target = warc.resolve()
        link_name = target.name
        if link_name in taken:
            if (archive / link_name).resolve() == target:
                continue
            raise ReplayError(f"two WARC files are named {link_name}; replay them apart")
        (archive / link_name).symlink_to(target)
        taken.add(link_name)
    indexes = collection / "indexes"
    indexes.mkdir(parents=True, exist_ok=True)
    for stale in indexes.glob("*.cdx*"):
        stale.unlink()
    try:
        rebuild(sorted(archive.iterdir()), indexes / "index.cdxj")
    except Exception as error:  # a damaged file: one line, as pywb's indexer would fail
        raise ReplayError(f"indexing the WARC files failed: {error}") from error
    return collection


def start_wayback(
    root: Path, tools: ReplayTools, host: str = "127.0.0.1", port: int = 8080
) -> subprocess.Popen[bytes]:
    """Start pywb's ``wayback`` on ``root``; returns once it accepts connections.

    Its output goes to ``root/wayback.log``: a pipe nobody reads would fill and stall
    a long-running server.
    """
    log_path = root / "wayback.log"
    with open(log_path, "ab") as log_file:
        server = subprocess.Popen(
            [str(tools.wayback), "-b", host, "-p", str(port)],
            cwd=root,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(server, log_path, host, port)
    except BaseException:  # a stop signal while waiting too: never leave the server behind
        stop(server)
        raise
    return server


def _wait_until_listening(
    server: subprocess.Popen[bytes], log_path: Path, host: str, port: int
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log_path.read_text(errors="replace").strip()[-500:]
            raise ReplayError(f"wayback exited (log {log_path}): {tail}")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise ReplayError(f"wayback did not listen on {host}:{port} within {START_TIMEOUT} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
