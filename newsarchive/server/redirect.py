"""Redirect responses, shared by the folder and the generated site."""

from __future__ import annotations

import html
from urllib.parse import urljoin

from newsarchive.server.resources import Resource


def redirect_resource(target: str, status: int, base_url: str) -> Resource:
    """A redirect to ``target`` (root-relative or absolute), with a small HTML body."""
    location = urljoin(base_url.rstrip("/") + "/", target)
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Moved</title></head>'
        f'<body><p>This page has moved to <a href="{html.escape(location)}">'
        f"{html.escape(location)}</a>.</p></body></html>"
    ).encode()
    return Resource(status=status, body=body, headers={"Location": location})
