"""What a worker of a shared crawl says about itself in Redis: its heartbeat.

Its own module because both the worker (which writes heartbeats) and the shared
scheduler (which requeues a dead worker's requests) read them, and neither should
import the other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heartbeat:
    """What one worker last said about itself."""

    worker: str
    host: str
    pid: int
    busy: bool
    seen: float  # time.time() of the heartbeat
    started: float
    out_dir: str
    responses: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Heartbeat | None:
        """Parse a stored heartbeat; ``None`` for anything malformed (logged)."""
        try:
            data = json.loads(text)
            return cls(**{name: data[name] for name in cls.__dataclass_fields__})
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("ignoring a malformed worker heartbeat %r: %s", text, exc)
            return None


def read_heartbeats(client: Any, key: str) -> list[Heartbeat]:
    """Every worker registered in the workers hash ``key`` (live or stale)."""
    raw = client.hgetall(key)
    beats = (Heartbeat.from_json(value) for value in raw.values())
    return sorted((b for b in beats if b is not None), key=lambda b: b.worker)


def is_alive(beat: Heartbeat, now: float, stale_after: float) -> bool:
    """A worker is alive while its last heartbeat is younger than ``stale_after`` seconds."""
    return now - beat.seen <= stale_after
