"""The declarative route table of a served folder (``_routes.toml``).

Everything that is not "serve this file as its extension says" lives here, so
the demo site's HTTP quirks are data, not branches::

    [redirects]
    "/old/story" = { to = "/world/story.html", status = 301 }

    [paths."/ru/page.html"]
    content_type = "text/html; charset=windows-1251"   # charset only in the header
    chunked = true                                      # Transfer-Encoding: chunked
    status = 200
    headers = { "X-Robots-Tag" = "noarchive" }
    encoding = "br"                                     # or "identity"; default gzip
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CODINGS = ("gzip", "br", "identity")  # content codings a path may be served with

ROUTES_FILE = "_routes.toml"


@dataclass(frozen=True)
class Redirect:
    to: str
    status: int = 301


@dataclass(frozen=True)
class PathOverride:
    content_type: str | None = None
    chunked: bool = False
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str = "gzip"  # content coding offered to clients that accept it


@dataclass
class RouteTable:
    redirects: dict[str, Redirect] = field(default_factory=dict)
    paths: dict[str, PathOverride] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> RouteTable:
        """Read ``folder/_routes.toml``; an absent file means no overrides."""
        path = folder / ROUTES_FILE
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: invalid route table: {exc}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<routes>") -> RouteTable:
        redirects = {}
        for src, spec in data.get("redirects", {}).items():
            if not isinstance(spec, dict) or "to" not in spec:
                raise ValueError(f"{source}: redirect {src!r} needs a 'to' target")
            redirects[src] = Redirect(to=spec["to"], status=int(spec.get("status", 301)))
        paths = {}
        for route, spec in data.get("paths", {}).items():
            unknown = set(spec) - {"content_type", "chunked", "status", "headers", "encoding"}
            if unknown:
                raise ValueError(f"{source}: path {route!r} has unknown keys {sorted(unknown)}")
            encoding = spec.get("encoding", "gzip")
            if encoding not in CODINGS:
                raise ValueError(f"{source}: path {route!r}: encoding must be one of {CODINGS}")
            paths[route] = PathOverride(
                content_type=spec.get("content_type"),
                chunked=bool(spec.get("chunked", False)),
                status=spec.get("status"),
                headers=dict(spec.get("headers", {})),
                encoding=encoding,
            )
        return cls(redirects=redirects, paths=paths)

    def override(self, *paths: str) -> PathOverride:
        """The override of the first of ``paths`` that has one (URL path or file path)."""
        for path in paths:
            if path in self.paths:
                return self.paths[path]
        return PathOverride()
