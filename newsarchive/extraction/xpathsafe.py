"""Element searches through attribute steps, at a cost linear in what they find.

libxml2 checks every element a ``/..`` (``parent::``) step adds against all the step
found before, so ``//@class[...]/..`` costs the square of its matches: a hostile page
of 40,000 matching elements spends 4 s in one search, 160,000 a minute. The attribute
step alone (``//@class[...]``) stays linear, and its attributes come in document order,
one per element (an element holds one attribute of a name): their owners, taken here,
are the elements ``/..`` selects, in the same order.
"""

from __future__ import annotations

from typing import Any


def attribute_owners(attributes: Any) -> list[Any]:
    """The elements holding ``attributes``: an XPath's result of attribute values
    (lxml "smart strings", which know their element)."""
    return [value.getparent() for value in attributes]
