"""What a site answers for one path, before HTTP encoding is applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# Media types whose bodies are text: {{BASE}} is substituted and gzip is offered.
TEXT_TYPES = (
    "text/",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
    "application/ld+json",
    "application/javascript",
)


def is_text_type(content_type: str) -> bool:
    """True when a Content-Type names a textual body worth compressing."""
    return content_type.lower().startswith(TEXT_TYPES)


@dataclass
class Resource:
    """One response as the site defines it (identity body, no transfer framing)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    last_modified: float | None = None  # POSIX time; None: no Last-Modified header
    chunked: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str = "gzip"  # content coding of a text body when the client accepts it

    @property
    def is_text(self) -> bool:
        return is_text_type(self.content_type)


class Site(Protocol):
    """Anything that maps a request path to a :class:`Resource`."""

    def resolve(self, path: str, base_url: str) -> Resource:
        """The resource for ``path`` (query string removed); 404 resources included."""
        ...
