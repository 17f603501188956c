"""Serve a folder of files, with the quirks its ``_routes.toml`` declares.

Text files may contain the placeholder ``{{BASE}}``; it is replaced by the
server's own base URL at serve time, because the port is chosen at random.
Files and folders whose names start with ``_`` are never served.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from urllib.parse import unquote

from newsarchive.server.redirect import redirect_resource
from newsarchive.server.resources import Resource, is_text_type
from newsarchive.server.routes import RouteTable

log = logging.getLogger(__name__)

BASE_PLACEHOLDER = b"{{BASE}}"
NOT_FOUND_PAGE = "_404.html"

# Extension -> Content-Type; text types without a charset get "; charset=utf-8".
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "application/javascript",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".ico": "image/x-icon",
}
DEFAULT_TYPE = "application/octet-stream"

_FALLBACK_404 = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    b"<title>Page not found</title></head><body><h1>Page not found</h1>"
    b"<p>The page you asked for does not exist.</p></body></html>"
)


def content_type_for(path: Path) -> str:
    """Content-Type of a file from its extension, with a UTF-8 charset for text."""
    ctype = CONTENT_TYPES.get(path.suffix.lower(), DEFAULT_TYPE)
    if is_text_type(ctype) or ctype == "image/svg+xml":
        return f"{ctype}; charset=utf-8"
    return ctype


def substitute_base(body: bytes, base_url: str) -> bytes:
    """Replace every ``{{BASE}}`` with the server's base URL (no trailing slash)."""
    return body.replace(BASE_PLACEHOLDER, base_url.rstrip("/").encode("ascii"))


class FolderSite:
    """Resolves URL paths to the files under ``root`` and its route table."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"site folder not found: {self.root}")
        self.routes = RouteTable.load(self.root)

    def resolve(self, path: str, base_url: str) -> Resource:
        path = unquote(path) or "/"
        redirect = self.routes.redirects.get(path)
        if redirect is not None:
            return redirect_resource(redirect.to, redirect.status, base_url)
        file = self._file_for(path)
        if file is None:
            return self.not_found(base_url)
        if file.is_dir():
            return redirect_resource(path + "/", 301, base_url)
        file_path = "/" + file.relative_to(self.root).as_posix()
        override = self.routes.override(path, file_path)
        ctype = override.content_type or content_type_for(file)
        body = file.read_bytes()
        if is_text_type(ctype):
            body = substitute_base(body, base_url)
        return Resource(
            status=override.status or 200,
            body=body,
            content_type=ctype,
            last_modified=file.stat().st_mtime,
            chunked=override.chunked,
            headers=dict(override.headers),
            encoding=override.encoding,
        )

    def not_found(self, base_url: str) -> Resource:
        page = self.root / NOT_FOUND_PAGE
        body = substitute_base(page.read_bytes(), base_url) if page.exists() else _FALLBACK_404
        return Resource(status=404, body=body)

    def _file_for(self, path: str) -> Path | None:
        """The file (or folder, for a missing trailing slash) a URL path names, if any."""
        clean = posixpath.normpath(path)
        parts = [p for p in clean.split("/") if p]
        if any(p.startswith((".", "_")) for p in parts):
            return None
        target = self.root.joinpath(*parts)
        if path.endswith("/"):
            target = target / "index.html"
        try:
            target.resolve().relative_to(self.root)
        except ValueError:
            return None
        if target.is_file() or (target.is_dir() and (target / "index.html").is_file()):
            return target
        return None
