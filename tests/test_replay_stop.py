"""`newsarchive replay` never leaves a server behind, whenever the stop signal comes.

A SIGTERM that came after pywb's ``wayback`` had started but before the command was
waiting for a stop killed Python at once and left the server running, holding its port.
These tests need no pywb: a stand-in ``wayback`` that never listens, and stand-ins for
the setup steps.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from support.redis_server import free_port

from newsarchive import replay
from newsarchive.commands import replay as replay_command


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_stop_while_wayback_starts_leaves_no_server(tmp_path: Path) -> None:
    pid_file = tmp_path / "wayback.pid"
    fake = tmp_path / "wayback"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 120\n")
    fake.chmod(0o755)
    tools = replay.ReplayTools(wayback=fake, wb_manager=fake)

    def stop_once_started() -> None:
        deadline = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGUSR1)

    def interrupt(_number: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGUSR1, interrupt)
    threading.Thread(target=stop_once_started, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            replay.start_wayback(tmp_path, tools, "127.0.0.1", free_port())
        pid = int(pid_file.read_text())
        assert not alive(pid), "wayback left running after the stop"
    finally:
        signal.signal(signal.SIGUSR1, previous)
        if pid_file.exists() and alive(pid := int(pid_file.read_text())):
            os.kill(pid, signal.SIGKILL)


def arguments(paths: list[Path], *, rwp: bool) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    replay_command.add_arguments(parser)
    return parser.parse_args([*map(str, paths), *(["--rwp"] if rwp else [])])


@pytest.mark.parametrize("rwp", [False, True], ids=["pywb", "replaywebpage"])
def test_stop_signals_are_taken_before_any_server_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rwp: bool
) -> None:
    """The handlers are in place when the server starts, and given back afterwards."""
    from newsarchive import replaywebpage

    seen: list[object] = []

    def starting(*_args: object, **_kwargs: object) -> None:
        seen.append(signal.getsignal(signal.SIGTERM))
        raise replay.ReplayError("stand-in: no server")

    tools = replay.ReplayTools(wayback=Path(sys.executable), wb_manager=Path(sys.executable))
    monkeypatch.setattr(replay, "warc_files", lambda paths: list(paths))
    monkeypatch.setattr(replay, "ensure_env", lambda: tools)
    monkeypatch.setattr(replay, "build_collection", lambda *args: None)
    monkeypatch.setattr(replay, "start_wayback", starting)
    monkeypatch.setattr(replay_command, "_earlier_originals", lambda warcs: [])
    monkeypatch.setattr(replaywebpage, "ensure_ui", lambda: tmp_path)
    monkeypatch.setattr(replaywebpage, "archives_for", lambda paths, scratch: {})
    monkeypatch.setattr(replaywebpage, "serving", starting)
    before = signal.getsignal(signal.SIGTERM)

    assert replay_command.run(arguments([tmp_path / "a.warc.gz"], rwp=rwp)) == 1
    assert seen == [replay_command._interrupt]
    assert signal.getsignal(signal.SIGTERM) == before
