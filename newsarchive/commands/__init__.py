"""Subcommands of the `newsarchive` command, one module each (see newsarchive.cli)."""
