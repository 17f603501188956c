"""Write a file completely or not at all: a temporary name, fsync, rename; nothing left on failure.

A full disk or a killed process must never leave a half-written file under the real
name, nor a stray temporary file beside it. One implementation for every writer of
whole files (index sorting and rebuilding, manifests, reports).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def write_atomic(target: Path | str, data: bytes | str, *, unique: bool = False) -> None:
    """Replace ``target`` with ``data`` (str is written as UTF-8) in one rename.

    ``unique``: a temporary name no other process uses (two workers of a shared crawl
    may write the same file at once); else ``TARGET.tmp``.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(target, unique=unique) as temporary, temporary.open("wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def replacing(target: Path | str, *, unique: bool = False) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it when the block ends normally.

    For a writer that streams (``reextract --out``) or runs in another process (the
    ``wacz`` packager): on any error the temporary file is removed and ``target`` is
    left as it was. The block must have closed (and, to be durable, fsynced) the file.
    """
    target = Path(target)
    if unique:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".")
        os.close(descriptor)
        temporary = Path(name)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would make the output private
    else:
        temporary = target.with_name(target.name + ".tmp")
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def fsync_directory(directory: Path | str) -> None:
    """Make a rename in ``directory`` durable (its entry survives a power cut)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
