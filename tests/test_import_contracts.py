"""Import contracts: which stage may import what, and no cycles.

Read from the source (every import statement, those inside functions too; only
``if TYPE_CHECKING:`` blocks are left out) and checked by importing in a fresh
interpreter, so a contract holds for the code as written and as it runs.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from newsarchive.pysource import parse_python

ROOT = Path(__file__).resolve().parents[1]
# Where each installed package's source lives (the design card's top-level folders).
PACKAGE_FOLDERS = {
    "newsarchive": ROOT / "newsarchive",
    "newsarchive.spiders": ROOT / "spiders",
    "newsarchive.pipelines": ROOT / "pipelines",
}
# Extraction is a pure function of bytes and a URL: none of these, however indirectly.
NOT_IN_EXTRACTION = (
    "scrapy",
    "twisted",
    "warcio",
    "socket",
    "urllib.request",
    "http.client",
    "requests",
    "aiohttp",
    "newsarchive.warc",
    "newsarchive.spiders",
    "newsarchive.pipelines",
    "newsarchive.commands",
    "newsarchive.cli",
    "newsarchive.crawler",
    "newsarchive.distributed",
)


@cache
def project_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for prefix, folder in PACKAGE_FOLDERS.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if prefix == "newsarchive" and parts and parts[0] in ("spiders", "pipelines"):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join([prefix, *parts])] = path
    return modules


def _imported_names(name: str, path: Path) -> set[str]:
    """Every module name an import statement of ``path`` names (absolute form)."""
    tree = parse_python(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in project_modules() else base)
    return names


@cache
def imports_of(name: str) -> frozenset[str]:
    """Project modules and outside top-level names that module ``name`` imports."""
    found: set[str] = set()
    for imported in _imported_names(name, project_modules()[name]):
        parts = imported.split(".")
        for size in range(len(parts), 0, -1):
            candidate = ".".join(parts[:size])
            if candidate in project_modules():
                if candidate != name:
                    found.add(candidate)
                break
        else:
            found.add(imported)
    return frozenset(found)


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in imports_of(todo.pop()):
            if target not in seen:
                seen.add(target)
                if target in project_modules():
                    todo.append(target)
    return seen


def _names(found: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in found if any(n == f or n.startswith(f + ".") for f in forbidden))


def test_extraction_imports_nothing_of_the_crawler_network_or_archive() -> None:
    for module in project_modules():
        if module.startswith("newsarchive.extraction"):
            assert _names(reachable(module), NOT_IN_EXTRACTION) == [], module


def test_pipelines_import_no_spider() -> None:
    for module in project_modules():
        if module.startswith("newsarchive.pipelines"):
            assert _names(set(imports_of(module)), ("newsarchive.spiders",)) == [], module


def test_schema_imports_nothing_of_the_project() -> None:
    assert [n for n in imports_of("newsarchive.schema") if n.startswith("newsarchive")] == []


def test_no_import_cycles() -> None:
    graph = {
        name: {t for t in imports_of(name) if t in project_modules()} for name in project_modules()
    }
    cycles = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize(
    "statement",
    [
        "import newsarchive; newsarchive.extract(b'<html><p>x</p></html>', 'https://a.example/')",
        "import newsarchive.warc.reread",
        "import newsarchive.loading",
    ],
)
def test_running_it_loads_no_crawler(statement: str) -> None:
    """Re-extraction, loading and extraction run without Scrapy or Twisted in the process."""
    loaded = "sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))"
    check = f"{statement}\nimport sys\nprint({loaded})"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
