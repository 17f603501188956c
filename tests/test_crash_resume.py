"""``kill -9`` a plan's crawl at several points, resume with the same crawl id (issue 13.1).

After the last run every exported WARC pointer (``provenance.warc_filename``,
``warc_record_offset``, ``warc_record_length``) and every ``index.cdxj`` line
resolves to a whole record of the right URL, ``warc check`` passes, no ``.open``
file is left, and every article is exported exactly once. A second test stops a
crawl with SIGTERM, resumes it, kills the resumed run and resumes again with the
same JOBDIR: the torn queue is discarded with a warning (before, every pop raised,
asyncio printed tracebacks and the crawl never ended).
"""

from __future__ import annotations

import io
import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.crawls import (
    NEWSARCHIVE,
    crawl_command,
    exported_articles,
    interrupt_when,
    local_plan,
    resumable_settings,
    run_command,
    run_newsarchive,
)
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.slow

ARTICLES = 120
CRAWL_ID = "20260101T000000Z-kill"


def exported(folder: Path) -> list[dict[str, Any]]:
    """Article records written so far (the member being written at a kill may be cut)."""
    return exported_articles(folder, while_running=True)


def run_until(command: list[str], cwd: Path, ready: Callable[[], bool]) -> None:
    """Start a crawl and ``kill -9`` it as soon as ``ready()`` holds."""
    assert interrupt_when(command, cwd, ready), "the crawl ended before it could be killed"


def record_at(warc_dir: Path, filename: str, offset: int, length: int) -> Any:
    """The one whole record a pointer names (digests checked)."""
    with open(warc_dir / filename, "rb") as stream:
        stream.seek(offset)
        raw = stream.read(length)
    assert len(raw) == length, f"{filename}:{offset} points past the end of the file"
    found = []
    for record in ArchiveIterator(io.BytesIO(raw), check_digests=True):
        record.content_stream().read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        found.append(record)
    assert len(found) == 1, f"{filename}:{offset}+{length} is not one record"
    return found[0]


def test_kill_9_at_several_points_then_resume(tmp_path: Path) -> None:
    from newsarchive.server import DemoSite

    folder = tmp_path / "out" / "herald" / CRAWL_ID
    with DemoSite(generate=ARTICLES) as site:
        (tmp_path / "plan.toml").write_text(local_plan(site.base_url, concurrency=4))
        command = [*NEWSARCHIVE, "crawl", "--plan", "plan.toml", "--site", "herald"]
        command += ["--crawl-id", CRAWL_ID]
        kill_points = [
            lambda: any((folder / "warc").glob("*.warc.gz.open")),  # before any article
            lambda: len(exported(folder)) >= ARTICLES // 5,
            lambda: len(exported(folder)) >= ARTICLES // 2,
        ]
        crashed: list[str] = []
        for ready in kill_points:
            run_until(command, tmp_path, ready)
            left = [p.name for p in (folder / "warc").glob("*.open")]
            assert left, "a kill left no crashed WARC file"
            crashed += left
        last = run_command(command, timeout=180, cwd=tmp_path)
    assert last.returncode == 0, last.stderr[-3000:]
    assert "WARC recovery: recovered" in last.stderr

    warc_dir = folder / "warc"
    assert not list(folder.rglob("*.open")), "an unfinished file is left"
    for name in crashed:  # every crashed file got its final name
        assert (warc_dir / name.removesuffix(".open")).exists(), name

    rows = exported(folder)
    urls = [row["url"] for row in rows]
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert len(set(urls)) == ARTICLES, "articles were lost"
    for row in rows:
        p = row["provenance"]
        record = record_at(
            warc_dir, p["warc_filename"], p["warc_record_offset"], p["warc_record_length"]
        )
        assert record.rec_type in ("response", "revisit")
        assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]

    lines = (folder / "index.cdxj").read_text().splitlines()
    assert lines and lines == sorted(lines)
    for line in lines:
        fields = json.loads(line.split(" ", 2)[2])
        record = record_at(
            warc_dir, fields["filename"], int(fields["offset"]), int(fields["length"])
        )
        assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]

    check = run_newsarchive("warc", "check", folder, timeout=120)
    assert check.returncode == 0, check.stdout[-3000:]


def test_a_torn_jobdir_queue_is_discarded_with_a_warning(tmp_path: Path) -> None:
    from newsarchive.server import DemoSite

    out = tmp_path / "out"
    total = 150
    with DemoSite(generate=total) as site:
        command = crawl_command(
            site.base_url + "/",
            out,
            crawl_id="20260101T000000Z-jobd",
            settings=resumable_settings(tmp_path),
        )
        # a clean stop leaves a queue with its counts; the resumed run is then killed
        interrupt_when(command, tmp_path, lambda: len(exported(out)) >= total // 5, signal.SIGTERM)
        assert (tmp_path / "job" / "requests.queue" / "active.json").exists()
        # Killed once its scheduler holds the queue (the marker is there) and it exported
        # articles of its own: how far the gracefully stopping first run got depends on
        # the machine's load, and a kill before the queue was opened would tear nothing.
        stopped_at = len(exported(out))
        assert stopped_at < total - 20, "the first run finished before it could be stopped"
        marker = tmp_path / "job" / "requests.queue" / "newsarchive-running"
        run_until(
            command,
            tmp_path,
            lambda: marker.exists() and len(exported(out)) >= stopped_at + 10,
        )
        last = run_command(command, timeout=120, cwd=tmp_path)
    assert last.returncode == 0, last.stderr[-3000:]
    assert "Traceback" not in last.stderr, last.stderr[-3000:]
    assert "was not closed cleanly (the crawl was killed)" in last.stderr
    urls = [row["url"] for row in exported(out)]
    assert len(urls) == len(set(urls)) == total
