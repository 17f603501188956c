"""Long word alternations as regexes Python's engine runs fast.

Python's ``re`` tries every alternative of ``a|b|c...`` at every position of the
string; the class-name tables (a hundred chrome words, tested on every distinct
class string of every page) spend most of their time there. Grouped by first
letter (``n(?:av|avbar|ewsletter)|m(?:enu|eta)...``) the engine tries one group
per position instead: the same language, so every search finds a match exactly
when the flat alternation does (the leftmost match may be a different
alternative; callers only ask whether there is one).
"""

from __future__ import annotations

from collections.abc import Iterable


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern`` (groups and escapes kept whole).

    >>> split_alternatives(r"ab|c(?:d|e)|f\\|g|[|]")
    ['ab', 'c(?:d|e)', 'f\\\\|g', '[|]']
    """
    parts, start, depth, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # "[]...]": a literal "]" first
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def grouped(alternatives: Iterable[str]) -> str:
    """An alternation equal to ``"|".join(alternatives)``, grouped by first letter.

    Only alternatives that open with a letter or digit not under a quantifier are
    grouped; any other stays as it is.

    >>> grouped(["nav", "navbar", "menu", "ads?", "a?b", "-x"])
    'n(?:av|avbar)|menu|ads?|a?b|-x'
    """
    by_first: dict[str, list[str]] = {}
    order: list[str] = []
    for alt in alternatives:
        if alt[:1].isalnum() and alt[:1].isascii() and alt[1:2] not in ("?", "*", "+", "{"):
            if alt[0] not in by_first:
                by_first[alt[0]] = []
                order.append(alt[0])
            by_first[alt[0]].append(alt[1:])
        else:
            order.append(alt)
    out = []
    for key in order:
        rests = by_first.get(key) if len(key) == 1 and key in by_first else None
        if rests is None:
            out.append(key)
        elif len(rests) == 1:
            out.append(key + rests[0])
        else:
            out.append(f"{key}(?:{'|'.join(rests)})")
    return "|".join(out)
