"""Debian's Chromium (and other Debian programs) for browser tests, driven by playwright.

No browser download: playwright drives the distribution's Chromium through
``executable_path``. A program that is missing is installed with apt-get when the
tests run as root (as in CI), so a broken setup fails there instead of skipping.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from newsarchive import debian

# Keep the browser off the network: no update checks, sync, field trials or QUIC probes.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def debian_program(program: str, package: str) -> str:
    """The path of ``program``, installing Debian's ``package`` when missing (as root)."""
    found = shutil.which(program)
    if found:
        return found
    problem = debian.may_install()
    if problem:
        pytest.skip(f"{program} is missing and cannot be installed here ({problem})")
    problem = debian.install(package)
    if problem:
        pytest.fail(problem)
    return shutil.which(program) or pytest.fail(f"apt-get installed no {program}")


def chromium() -> str:
    """Debian's Chromium, installed by the test when missing (as root, like CI)."""
    return debian_program("chromium", "chromium")


def launch_offline(driver: Any, user_data_dir: Path) -> Any:
    """A Chromium context with a fresh profile in ``user_data_dir`` and :data:`OFFLINE_FLAGS`.

    A persistent context, so service workers (ReplayWeb.page's) run as in a user's browser.
    """
    return driver.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=chromium(),
        headless=True,
        args=list(OFFLINE_FLAGS),
    )
