"""Installing a missing Debian package, for the tests' services and browsers.

Redis for the worker tests and Chromium for the browser tests are Debian
packages a fresh machine lacks; CI runs as root, so the tests install them.
One installer, so every such package is fetched the same way: quietly, with its
recommended packages (Chromium's fonts), and with ``apt-get update`` only when the first try fails
(a fresh image often has no package lists yet).
"""

from __future__ import annotations

import os
import shutil
import subprocess

APT_TIMEOUT = 900  # seconds for one apt-get step (Chromium is a large download)


def may_install() -> str:
    """ "" when this process may install packages, else why not."""
    if not shutil.which("apt-get"):
        return "apt-get is not available"
    if os.geteuid() != 0:
        return "installing a Debian package needs root"
    return ""


def _apt(*arguments: str) -> str:
    """Run one apt-get step; "" on success, else what went wrong."""
    command = ["apt-get", *arguments]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return f"{' '.join(command)} timed out after {APT_TIMEOUT}s"
    if done.returncode:
        return f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}"
    return ""


def install(package: str) -> str:
    """``apt-get install PACKAGE``, after ``apt-get update`` when the first try fails.

    Returns "" on success, else a one-line reason.
    """
    problem = may_install()
    if problem:
        return problem
    command = ("install", "-y", "-qq", package)
    if not _apt(*command):
        return ""
    return _apt("update", "-qq") or _apt(*command)
