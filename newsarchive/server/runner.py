"""Run a demo site in a background thread: ``with DemoSite() as site: site.base_url``."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import TracebackType

from newsarchive.server.folder import FolderSite
from newsarchive.server.handler import SiteServer
from newsarchive.server.resources import Site

log = logging.getLogger(__name__)


def default_site_dir() -> Path:
    """The bundled demo site, shipped inside the package (``fixtures/site`` links to it).

    Package data, not a repository folder, so an installed wheel runs ``newsarchive demo``.
    """
    return Path(__file__).resolve().parents[1] / "demo_site"


class DemoSite:
    """A served site on ``host`` (a free port by default), stopped on exit.

    ``DemoSite(path)`` serves a folder; ``DemoSite(generate=N)`` serves a
    generated site of N articles. ``request_log`` lists every
    ``(method, path, status)`` the server answered, so tests can prove a page
    was (or was never) fetched.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        generate: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.site: Site = self._make_site(path, generate)
        self.host = host
        self.port = port
        self._server: SiteServer | None = None
        self._log: list[tuple[str, str, int]] = []
        self._thread: threading.Thread | None = None

    @staticmethod
    def _make_site(path: Path | str | None, generate: int | None) -> Site:
        if generate is not None:
            from newsarchive.server.generated import GeneratedSite

            return GeneratedSite(generate)
        return FolderSite(path or default_site_dir())

    def start(self) -> DemoSite:
        self._server = SiteServer((self.host, self.port), self.site)
        self._log = self._server.request_log
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-site", daemon=True
        )
        self._thread.start()
        log.info("serving demo site at %s", self.base_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo site is not running")
        return self._server.base_url

    def url(self, path: str) -> str:
        """Absolute URL of a root-relative ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        return list(self._log)

    def requested_paths(self) -> set[str]:
        return {path for _, path, _ in self.request_log}

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
