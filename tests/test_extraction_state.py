"""The pure extractor keeps no state between calls: per-page state lives on the Document.

A module-level cache matched by object identity (three of them once held the last
page's rule, body index and captions) is not thread-safe and mixed pages extracted in
threads; this reads every extraction module for such writes. The one exception is a
bounded memo of a pure function of its key (a class string's kind), named ``*_MEMO``:
its value never depends on the page, so sharing it is sharing a constant table.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from newsarchive.extraction import extract
from newsarchive.pysource import parse_python

EXTRACTION = Path(__file__).resolve().parents[1] / "newsarchive" / "extraction"
MUTATORS = {"append", "extend", "update", "add", "setdefault", "pop", "clear", "insert", "remove"}


def _module_names(tree: ast.Module) -> set[str]:
    """Names bound at module level, pure memos (``*_MEMO``) left out."""
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {name for name in names if not name.endswith("_MEMO")}


def _writes_to_module_state(path: Path) -> list[str]:
    tree = parse_python(path.read_text(encoding="utf-8"), str(path))
    module_names = _module_names(tree)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        local = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                found.append(f"{path.name}:{node.lineno} global {', '.join(node.names)}")
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    base = target.value if isinstance(target, ast.Subscript) else None
                    if isinstance(base, ast.Name) and base.id in module_names - local:
                        found.append(f"{path.name}:{node.lineno} {base.id}[...] =")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if (
                    node.func.attr in MUTATORS
                    and isinstance(owner, ast.Name)
                    and owner.id in module_names - local
                ):
                    found.append(f"{path.name}:{node.lineno} {owner.id}.{node.func.attr}()")
    return found


def test_no_extraction_module_writes_module_level_state() -> None:
    found = [
        hit for path in sorted(EXTRACTION.rglob("*.py")) for hit in _writes_to_module_state(path)
    ]
    assert found == []


PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<figure><img src="/{n}.jpg"><figcaption>Caption {n}. Photo: Agency {n}</figcaption></figure>
{paragraphs}</article><aside><a href="/other-{n}.html">Related story number {n}</a></aside>
</body></html>"""


def _page(n: int) -> bytes:
    words = " ".join(f"word{n}x{i}" for i in range(60))
    paragraphs = "".join(f"<p>Paragraph {i} of story {n}: {words}.</p>" for i in range(8))
    return PAGE.format(
        title=f"Story number {n} about harbours", n=n, paragraphs=paragraphs
    ).encode()


def test_pages_extracted_in_threads_equal_pages_extracted_alone() -> None:
    pages = [(_page(n), f"https://news.example/story-{n}.html") for n in range(12)]
    alone = [extract(body, url) for body, url in pages]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda page: extract(*page), pages * 4))
    assert together == alone * 4
