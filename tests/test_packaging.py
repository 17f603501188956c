"""The design card's layout is installed as one package, with no folder left out."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_folders() -> set[str]:
    """Every folder holding an __init__.py, named as it is installed."""
    mapping = {v: k for k, v in _pyproject()["tool"]["setuptools"]["package-dir"].items()}
    names = set()
    for top in ("newsarchive", "spiders", "pipelines"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT)
            parts = list(rel.parts)
            prefix = mapping.get(parts[0], parts[0])
            names.add(".".join([prefix, *parts[1:]]))
    return names


def test_every_package_folder_is_listed() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    missing = _package_folders() - listed
    assert not missing, f"package folders missing from pyproject packages: {sorted(missing)}"
    stale = listed - _package_folders()
    assert not stale, f"pyproject lists packages with no folder: {sorted(stale)}"


def test_spiders_and_pipelines_are_not_top_level() -> None:
    listed = _pyproject()["tool"]["setuptools"]["packages"]
    assert "spiders" not in listed and "pipelines" not in listed
    import newsarchive.pipelines
    import newsarchive.spiders

    assert Path(newsarchive.spiders.__file__).parent == ROOT / "spiders"
    assert Path(newsarchive.pipelines.__file__).parent == ROOT / "pipelines"


def test_design_card_top_level_exists() -> None:
    for name in (
        "scrapy.cfg",
        "pyproject.toml",
        "newsarchive",
        "spiders",
        "pipelines",
        "tests",
        "fixtures",
    ):
        assert (ROOT / name).exists(), name


def test_importing_newsarchive_is_cheap() -> None:
    heavy = "('scrapy', 'lxml', 'bs4', 'twisted')"
    code = f"import sys, newsarchive; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_subcommand_has_help() -> None:
    from newsarchive.cli import _command_modules

    names = [name for name, _ in _command_modules()]
    for required in ("demo", "crawl", "extract", "serve"):
        assert required in names
    for name in names:
        out = subprocess.run(
            [sys.executable, "-m", "newsarchive", name, "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert out.returncode == 0, (name, out.stderr)
        assert "usage: newsarchive" in out.stdout


def test_newsarchive_extract_and_load_stay_functions() -> None:
    """Importing the extraction or loading modules must not shadow the public functions."""
    code = (
        "import newsarchive, newsarchive.extraction.engine, newsarchive.loading\n"
        "html = b'<html><body><h1>Title</h1><p>' + b'word ' * 60 + b'</p></body></html>'\n"
        "first = newsarchive.extract(html, 'http://a.test/x.html')\n"
        "second = newsarchive.extract(html, 'http://a.test/x.html')\n"
        "assert first == second and first['headline'] == 'Title', first['headline']\n"
        "assert not isinstance(newsarchive.load, type(newsarchive))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_installed_environment_has_no_conflicts() -> None:
    """The Quick start's one install leaves `pip check` clean: no extra pins against another.

    pywb once shared this environment and pinned redis 2.10.6 under scrapy-redis and
    brotlipy over Scrapy's brotli; it now runs from a venv of its own (newsarchive.replay).
    """
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_scrapys_brotli_module_is_googles() -> None:
    """brotlipy (pulled in by pywb) shadows `brotli` with an API Scrapy cannot decode with."""
    brotli = __import__("brotli")
    assert hasattr(brotli.Decompressor(), "process"), brotli.__file__
    assert brotli.decompress(brotli.compress(b"news")) == b"news"


def _wheel_venv(tmp_path: Path) -> Path:
    """A venv outside the checkout holding the wheel built from this tree.

    The dependencies come from this environment through a ``.pth`` path line (no second
    download); ``newsarchive`` itself comes only from the wheel: the checkout's editable
    hook is a ``.pth`` *file* of this site-packages, which a path line does not run.
    """
    import shutil
    import site
    import sysconfig

    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(".git", ".venv", "output", "build", "__pycache__"),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source), "-w", str(wheels)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (purelib / "deps-of-the-test-env.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    (wheel,) = wheels.glob("newsarchive-*.whl")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return venv


def test_a_built_wheel_runs_the_demo_outside_the_checkout(tmp_path: Path) -> None:
    venv = _wheel_venv(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    python = str(venv / "bin" / "python")
    where = subprocess.run(
        [python, "-c", "import newsarchive; print(newsarchive.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), where  # the wheel's copy, not the checkout's
    result = subprocess.run(
        [str(venv / "bin" / "newsarchive"), "demo", "--out", "out"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    batches = list((elsewhere / "out").rglob("articles-*.jsonl.gz"))
    assert batches, sorted(str(p) for p in (elsewhere / "out").rglob("*"))


def test_no_test_scaffolding_ships_in_the_package() -> None:
    """Local test sites, fixtures and the private redis-server live in tests/support."""
    shipped = [*(ROOT / "newsarchive").rglob("*.py"), *(ROOT / "spiders").glob("*.py")]
    scaffolding = [p.name for p in shipped if p.stem in ("testing", "conftest") or "test" in p.stem]
    assert scaffolding == []
