"""ReplayWeb.page on 127.0.0.1: its two scripts from the npm registry, served with our files.

ReplayWeb.page replays in the browser: ``ui.js`` draws the viewer and ``sw.js``, a
service worker, reads the WACZ or WARC file with HTTP range requests and answers the
replayed page's requests. Nothing is installed into the project's environment: the
pinned package is fetched once with ``npm pack`` (npm checks its integrity) into the
user cache, and only those two scripts are taken from it. A service worker needs a
secure context; ``http://127.0.0.1`` is one, so a local server is all it takes.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from newsarchive.replay import ReplayError, setup_lock, tool_folder

log = logging.getLogger(__name__)

PACKAGE = "replaywebpage@2.5.3"  # the release the tests replay our WACZ and WARC files in
ENV_VARIABLE = "NEWSARCHIVE_REPLAYWEBPAGE_DIR"  # a folder for the scripts, instead of the cache
SCRIPTS = ("ui.js", "sw.js")
READY_MARKER = ".newsarchive-ready"  # written last: holds the package the folder holds
SETUP_TIMEOUT = 600  # seconds for `npm pack` on a slow connection
REPLAY_BASE = "/replay/"  # the viewer's default ``replayBase``: the service worker's scope
# The worker the viewer registers itself (``replayBase`` + ``sw.js?serveIndex=1``): the
# page registers the same URL first, so the viewer finds this registration unchanged.
SERVICE_WORKER = REPLAY_BASE + "sw.js?serveIndex=1"
ARCHIVE_PREFIX = "/archive/"
READ_SIZE = 1 << 16
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def ui_dir() -> Path:
    """Where the scripts live: ``$NEWSARCHIVE_REPLAYWEBPAGE_DIR``, else the user cache."""
    return tool_folder(ENV_VARIABLE, "replaywebpage")


def is_ready(folder: Path) -> bool:
    """A finished setup of today's pinned release (an interrupted one has no marker)."""
    marker = folder / READY_MARKER
    return (
        marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == PACKAGE
        and all((folder / name).is_file() for name in SCRIPTS)
    )


def ensure_ui(folder: Path | None = None) -> Path:
    """The folder holding ``ui.js`` and ``sw.js``, fetched with ``npm pack`` the first time.

    Raises :class:`~newsarchive.replay.ReplayError` with a one-line reason on failure.
    """
    folder = folder or ui_dir()
    if is_ready(folder):
        return folder
    with setup_lock(folder.with_name(folder.name + ".lock")):
        if is_ready(folder):  # another process finished it while we waited
            return folder
        npm = shutil.which("npm")
        if npm is None:
            raise ReplayError("npm is missing: install Node.js (Debian: apt-get install npm)")
        log.warning("fetching %s into %s (first use; one npm pack)", PACKAGE, folder)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="newsarchive-rwp-") as scratch:
            tarball = _npm_pack(npm, Path(scratch))
            _extract_scripts(tarball, folder)
        (folder / READY_MARKER).write_text(PACKAGE + "\n", encoding="utf-8")
    return folder


def _npm_pack(npm: str, into: Path) -> Path:
    command = [npm, "pack", PACKAGE, "--pack-destination", str(into), "--silent"]
    try:
        result = subprocess.run(
            command, cwd=into, capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReplayError(f"npm pack {PACKAGE} failed: {error}") from error
    tarballs = sorted(into.glob("*.tgz"))
    if result.returncode != 0 or not tarballs:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        status = f"exit {result.returncode}"
        raise ReplayError(f"npm pack {PACKAGE} failed ({status}): {' | '.join(tail)}")
    return tarballs[0]


def _extract_scripts(tarball: Path, folder: Path) -> None:
    """Copy ``package/ui.js`` and ``package/sw.js`` out of the tarball, nothing else."""
    with tarfile.open(tarball, "r:gz") as package:
        for name in SCRIPTS:
            try:
                member = package.getmember(f"package/{name}")
                source = package.extractfile(member)
            except KeyError:
                source = None
            if source is None:
                raise ReplayError(f"{PACKAGE} has no {name}: not the package this was made for")
            with source, open(folder / name, "wb") as target:
                shutil.copyfileobj(source, target)


def embed_page(source: str, url: str = "", ts: str = "") -> str:
    """A page embedding the viewer on ``source`` (at ``url`` and 14-digit ``ts``, if given).

    Without ``url`` the viewer opens on the archive's page list. The viewer loads its app
    frame (``/replay/?source=...``) as soon as its service worker is *registered*; until
    the worker is *activated* that request reaches this server, and the worker claims the
    frame before its load event, so the viewer neither reloads it nor draws anything in
    it: "not found" for good (ReplayWeb.page issue #412). The page therefore registers the
    same worker and puts the viewer in only once it is activated.
    """
    attributes = f'source="{html.escape(source)}" replayBase="{REPLAY_BASE}"'
    if url:
        attributes += f' url="{html.escape(url)}"'
    if ts:
        attributes += f' ts="{html.escape(ts)}"'
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>ReplayWeb.page</title>\n'
        '<script src="/ui.js"></script>\n<style>html,body{height:100%;margin:0}'
        "replay-web-page{display:block;height:100%}</style></head>\n"
        f'<body><template id="viewer"><replay-web-page {attributes}></replay-web-page>'
        f"</template>\n<script>{_START_VIEWER % (SERVICE_WORKER, REPLAY_BASE)}</script>"
        "</body></html>\n"
    )


# Registers the viewer's worker (its URL and scope filled in) and adds the viewer once the
# worker is activated, or once it failed: the viewer then says why in its own words.
_START_VIEWER = """
function activated(registration) {
  return new Promise((resolve) => {
    const check = () => {
      const active = registration.active;
      if (active && active.state === "activated") resolve();
    };
    const watch = (worker) => worker && worker.addEventListener("statechange", () => {
      if (worker.state === "redundant") resolve();
      check();
    });
    watch(registration.installing);
    watch(registration.waiting);
    watch(registration.active);
    registration.addEventListener("updatefound", () => watch(registration.installing));
    check();
  });
}
async function startViewer() {
  try {
    if (navigator.serviceWorker) {
      const registration = await navigator.serviceWorker.register("%s", {scope: "%s"});
      await activated(registration);
    }
  } catch (error) {
    console.error("ReplayWeb.page service worker:", error);
  }
  const template = document.getElementById("viewer");
  document.body.append(document.importNode(template.content, true));
}
startViewer();
"""


def archive_url(name: str) -> str:
    """The root-relative URL a served archive file answers at."""
    return ARCHIVE_PREFIX + quote(name)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    ui: Path
    archives: Mapping[str, Path]


class _Handler(BaseHTTPRequestHandler):
    """``/`` (``?source=&url=&ts=``) the viewer page, the scripts, ``/archive/NAME`` files."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("replaywebpage server: " + format, *args)

    def _answer(self, send_body: bool) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path in ("/", "/index.html"):
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            names = sorted(self.server.archives)
            source = query.get("source") or (archive_url(names[0]) if names else "")
            page = embed_page(source, query.get("url", ""), query.get("ts", ""))
            self._send_bytes(page.encode("utf-8"), "text/html; charset=utf-8", send_body)
        elif path in ("/ui.js", REPLAY_BASE + "ui.js", REPLAY_BASE + "sw.js"):
            script = self.server.ui / path.rsplit("/", 1)[1]
            self._send_bytes(script.read_bytes(), "application/javascript", send_body)
        elif path.startswith(ARCHIVE_PREFIX):
            found = self.server.archives.get(unquote(path[len(ARCHIVE_PREFIX) :]))
            if found is None:
                self._send_bytes(b"not found", "text/plain", send_body, status=404)
            else:
                self._send_file(found, send_body)
        else:
            self._send_bytes(b"not found", "text/plain", send_body, status=404)

    def _send_bytes(self, body: bytes, ctype: str, send_body: bool, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_file(self, path: Path, send_body: bool) -> None:
        """The file, or the byte range asked for: the viewer reads archives piece by piece."""
        size = path.stat().st_size
        span = byte_range(self.headers.get("Range"), size)
        if span is None:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span
        partial = self.headers.get("Range") is not None
        self.send_response(206 if partial else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start))
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.end_headers()
        if not send_body:
            return
        with path.open("rb") as stream:
            stream.seek(start)
            left = end - start
            while left > 0:
                piece = stream.read(min(READ_SIZE, left))
                if not piece:
                    break
                try:
                    self.wfile.write(piece)
                except ConnectionError:  # the viewer aborts reads it no longer needs
                    return
                left -= len(piece)


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) a ``Range`` header asks of ``size`` bytes.

    No header: the whole file. An unsatisfiable or unreadable range: None (416).
    Only one range is served; the viewer never asks for more.
    """
    if header is None:
        return 0, size
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # a suffix: the last N bytes
        return max(0, size - int(last)), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or end <= start:
        return None
    return start, end


def archives_for(paths: list[Path], scratch: Path) -> dict[str, Path]:
    """The file the viewer opens: a WACZ named alone, else one packaged from ``paths``.

    ReplayWeb.page opens one file; a crawl's WARC files (several runs, whose revisits
    point into each other) become one WACZ in ``scratch``, its articles as the page list.
    """
    if len(paths) == 1 and paths[0].is_file() and paths[0].suffix == ".wacz":
        return {paths[0].name: paths[0]}
    from newsarchive.replay import warc_files
    from newsarchive.warc import wacz

    warcs = warc_files(paths)
    package = scratch / "crawl.wacz"
    try:
        # A viewer shows what there is: a revisit without its original is a warning.
        wacz.package_crawl(paths, warcs, package, missing_ok=True)
    except (wacz.WaczUnavailable, RuntimeError, ValueError) as error:
        raise ReplayError(f"packaging the WARC files failed: {error}") from error
    return {package.name: package}


@contextmanager
def serving(
    archives: Mapping[str, Path], ui: Path, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve the viewer and ``archives`` (name -> file) on ``host``; yields the base URL."""
    server = _Server((host, port), _Handler)
    server.ui = ui
    server.archives = dict(archives)
    thread = threading.Thread(target=server.serve_forever, name="replaywebpage", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
