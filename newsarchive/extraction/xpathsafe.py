"""Element searches through attribute steps and unions, at a cost linear in what they find.

libxml2 checks every element a ``/..`` (``parent::``) step adds against all the step
found before, so ``//@class[...]/..`` costs the square of its matches: a hostile page
of 40,000 matching elements spends 4 s in one search, 160,000 a minute. The attribute
step alone (``//@class[...]``) stays linear, and its attributes come in document order,
one per element (an element holds one attribute of a name): their owners, taken here,
are the elements ``/..`` selects, in the same order. A union (``$a | //@x/..``) is
quadratic in libxml2 for the same reason: :func:`in_document_order` merges long lists
with one walk of the page instead.
"""

from __future__ import annotations

from typing import Any, cast

import lxml.etree


def attribute_owners(attributes: Any) -> list[Any]:
    """The elements holding ``attributes``: an XPath's result of attribute values
    (lxml "smart strings", which know their element)."""
    return [value.getparent() for value in attributes]


# Below this many elements in all, libxml2's union (which checks each element of one set
# against the other: quadratic) is cheaper than a walk of the whole page.
SMALL_UNION = 2000
_UNIONS = {n: lxml.etree.XPath(" | ".join(f"$s{i}" for i in range(n))) for n in range(2, 6)}


def in_document_order(root: Any, *selections: list[Any]) -> list[Any]:
    """The union of element lists, each in document order without repeats, as XPath's
    ``$a | $b`` gives it; a page-wide walk when the lists are long."""
    given = [selection for selection in selections if len(selection)]
    if len(given) <= 1:
        return list(given[0]) if given else []
    if sum(map(len, given)) <= SMALL_UNION:
        union = _UNIONS[len(given)]
        return cast(list[Any], union(root, **{f"s{i}": s for i, s in enumerate(given)}))
    wanted = set().union(*given)
    return [el for el in root.iter() if el in wanted]
