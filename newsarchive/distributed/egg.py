"""Build the project egg that scrapyd runs, with the package layout pyproject.toml declares.

``scrapyd-deploy`` writes a ``setup.py`` with ``find_packages()`` when the
project has none. Here that would be wrong: ``spiders/`` and ``pipelines/``
would become top-level packages, while ``newsarchive.settings`` names
``newsarchive.spiders`` (installed from ``spiders/`` through
``[tool.setuptools.package-dir]``), so scrapyd would find no spider. This
builds the egg from ``pyproject.toml`` alone (setuptools reads the packages,
the package-dir mapping and the ``scrapy`` settings entry point from it), in a
temporary copy of the sources so the working tree gets no ``build/`` folder.

    python -m newsarchive.distributed.egg --out dist/   # prints the egg's path
    curl http://127.0.0.1:6800/addversion.json -F project=newsarchive \\
         -F version=1 -F egg=@dist/newsarchive-0.1.0-py3.11.egg
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# What the egg is built from (everything else in the repository stays out).
SOURCES = ("pyproject.toml", "README.md", "scrapy.cfg", "newsarchive", "spiders", "pipelines")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
BUILD_TIMEOUT = 300


class EggBuildError(RuntimeError):
    """setuptools could not build the egg (its output is in the message)."""


def project_root(start: Path | None = None) -> Path:
    """The folder holding ``scrapy.cfg`` and ``pyproject.toml`` at or above ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "scrapy.cfg").exists() and (folder / "pyproject.toml").exists():
            return folder
    raise FileNotFoundError(f"no scrapy.cfg + pyproject.toml at or above {here}")


def build_egg(root: Path, out_dir: Path) -> Path:
    """Build ``newsarchive-VERSION-pyX.Y.egg`` from ``root`` into ``out_dir``; return its path."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsarchive-egg-") as temporary:
        work = Path(temporary)
        for name in SOURCES:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=IGNORED)
            elif source.exists():
                shutil.copy2(source, work / name)
        command = [
            sys.executable,
            "-c",
            "import setuptools; setuptools.setup()",
            "bdist_egg",
            "--dist-dir",
            str(out_dir),
        ]
        done = subprocess.run(
            command, cwd=work, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
        )
        if done.returncode:
            raise EggBuildError(f"bdist_egg failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    eggs = sorted(out_dir.glob("newsarchive-*.egg"), key=lambda p: p.stat().st_mtime)
    if not eggs:
        raise EggBuildError(f"bdist_egg wrote no egg into {out_dir}")
    log.info("built %s", eggs[-1])
    return eggs[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the scrapyd egg of this project.")
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project folder (default: found from the current folder)",
    )
    parser.add_argument("--out", type=Path, default=Path("dist"), help="where to put the egg")
    args = parser.parse_args(argv)
    try:
        egg = build_egg(project_root(args.root), args.out)
    except (FileNotFoundError, EggBuildError) as exc:
        print(f"egg: {exc}", file=sys.stderr)
        return 2
    print(egg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
