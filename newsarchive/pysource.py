"""Python source read into an AST, proof against CPython 3.11's spurious SystemError.

Before 3.11.8 and 3.12.1, CPython keeps the AST constructor's recursion counter in
interpreter-wide state: a parse running in another thread at the same moment (Scrapy
parses spider callbacks' source to warn about generators that return values) can
leave it unbalanced, and ``ast.parse`` then raises "AST constructor recursion depth
mismatch" for valid source (python/cpython gh-106905). Every parse resets the
counter, so parsing again gives the answer.
"""

from __future__ import annotations

import ast

_SPURIOUS = "recursion depth mismatch"
_TRIES = 3


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source)``, tried again when CPython's counter mix-up is all that failed."""
    for attempt in range(1, _TRIES + 1):
        try:
            return ast.parse(source, filename)
        except SystemError as error:
            if _SPURIOUS not in str(error) or attempt == _TRIES:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
