"""Lone UTF-16 surrogates, which no UTF-8 writer accepts, replaced by U+FFFD.

Python decodes ``"\\ud800"`` in a page's JSON-LD (and a page decoded with
``surrogateescape``) into a string that cannot be encoded: lxml refuses it, the
record's later stages fail on it, and the export of the record fails. Replaced where
they enter: the page's text (``document.parse``) and its JSON-LD values.
"""

from __future__ import annotations

import re
from typing import Any

LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def encodable(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD.

    Only strings that fail to encode are rebuilt; lists and dicts are walked.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return LONE_SURROGATES.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {encodable(key): encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [encodable(item) for item in value]
    return value
