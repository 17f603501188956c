"""Shim for tools that still run ``setup.py`` (scrapyd-deploy builds eggs with it).

All configuration lives in pyproject.toml, including the package-dir mapping that
installs spiders/ and pipelines/ as newsarchive.spiders and newsarchive.pipelines.
"""

from setuptools import setup

setup()
