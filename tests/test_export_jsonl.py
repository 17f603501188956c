"""Gzipped JSON Lines batches: batching, names, every key, crash recovery, manifest."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive import schema
from newsarchive.export.jsonl import (
    JsonLinesBatchWriter,
    complete_members_length,
    encode_record,
    gzip_member,
    recover,
)
from newsarchive.export.manifest import write_manifest


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_batches_are_named_rotated_and_hold_every_key(tmp_path: Path) -> None:
    with JsonLinesBatchWriter(tmp_path, "articles-c1", batch_size=3) as writer:
        for i in range(7):
            writer.write({"headline": f"h{i}", "unknown_key": 1})
        assert (tmp_path / "articles-c1-00002.jsonl.gz.open").exists()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"articles-c1-0000{i}.jsonl.gz" for i in range(3)]
    assert [f["records"] for f in writer.files] == [3, 3, 1]
    rows = [row for name in names for row in _read(tmp_path / name)]
    assert [r["headline"] for r in rows] == [f"h{i}" for i in range(7)]
    assert all(list(r) == list(schema.empty()) for r in rows)  # every key, schema order
    assert "unknown_key" not in rows[0]


def test_two_writers_started_together_in_one_folder_keep_every_record(tmp_path: Path) -> None:
    """Two scrapyd jobs with one crawl id, started at the same instant: both writers
    count batch 0 as free (made deterministic by creating both before either writes)."""
    first = JsonLinesBatchWriter(tmp_path, "articles-shared", batch_size=2)
    second = JsonLinesBatchWriter(tmp_path, "articles-shared", batch_size=2)
    for i in range(5):  # interleaved: both hold an open batch at once
        first.write({"url": f"https://a.test/{i}"})
        second.write({"url": f"https://b.test/{i}"})
    first.close()
    second.close()
    late = JsonLinesBatchWriter(tmp_path, "articles-shared", batch_size=2)
    late.serial = 0  # counted before the others finished: its numbers are all taken now
    late.write({"url": "https://c.test/0"})
    late.close()

    urls = sorted(r["url"] for p in tmp_path.glob("*.jsonl.gz") for r in _read(p))
    expected = [f"https://{h}.test/{i}" for h in "ab" for i in range(5)] + ["https://c.test/0"]
    assert urls == sorted(expected)
    listed = [f["path"] for w in (first, second, late) for f in w.files]
    assert len(listed) == len(set(listed)) == 7
    assert not list(tmp_path.glob("*.open"))


def test_each_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    with JsonLinesBatchWriter(tmp_path, "a", batch_size=10) as writer:
        for i in range(4):
            writer.write({"headline": f"h{i}"})
    data = (tmp_path / "a-00000.jsonl.gz").read_bytes()
    assert complete_members_length(data) == (len(data), 4)


def test_recover_cuts_a_partial_member_and_renames(tmp_path: Path) -> None:
    members = [gzip_member(encode_record({"headline": f"h{i}"})) for i in range(3)]
    partial = gzip_member(encode_record({"headline": "lost"}))[:-9]
    (tmp_path / "x-00000.jsonl.gz.open").write_bytes(b"".join(members) + partial)
    (tmp_path / "x-00001.jsonl.gz.open").write_bytes(partial[:10])  # nothing complete
    finished = recover(tmp_path)
    assert [p.name for p in finished] == ["x-00000.jsonl.gz"]
    assert not (tmp_path / "x-00001.jsonl.gz.open").exists()
    assert [r["headline"] for r in _read(finished[0])] == ["h0", "h1", "h2"]


def test_writer_recovers_at_start_and_continues_numbering(tmp_path: Path) -> None:
    (tmp_path / "a-00000.jsonl.gz.open").write_bytes(gzip_member(encode_record({})))
    writer = JsonLinesBatchWriter(tmp_path, "a")
    writer.write({"headline": "new"})
    writer.close()
    assert [p.name for p in writer.recovered] == ["a-00000.jsonl.gz"]
    assert writer.files[0]["path"].endswith("a-00001.jsonl.gz")


_KILLED_WRITER = """
import sys
from newsarchive.export.jsonl import JsonLinesBatchWriter
writer = JsonLinesBatchWriter(sys.argv[1], "articles-k", batch_size=1_000_000)
i = 0
while True:
    writer.write({"headline": f"record {i}", "article_body": "x" * 2000})
    i += 1
"""


def test_kill_9_leaves_every_complete_record_readable(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)])
    open_file = tmp_path / "articles-k-00000.jsonl.gz.open"
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            if open_file.exists() and open_file.stat().st_size > 20_000:
                break
            time.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert open_file.exists()
    finished = recover(tmp_path)
    rows = _read(finished[0])
    assert len(rows) > 5
    assert [r["headline"] for r in rows] == [f"record {i}" for i in range(len(rows))]


def test_manifest_lists_files_with_digests(tmp_path: Path) -> None:
    with JsonLinesBatchWriter(tmp_path / "articles", "articles-c1", batch_size=2) as writer:
        for i in range(3):
            writer.write({"headline": str(i)})
    warc = tmp_path / "warc" / "x.warc.gz"
    warc.parent.mkdir()
    warc.write_bytes(b"warc bytes")
    path = write_manifest(
        tmp_path,
        "c1",
        plan={"name": "demo"},
        counts={"articles": 3},
        files=writer.files,
        warc_files=[warc],
    )
    manifest = json.loads(path.read_text())
    assert manifest["crawl_id"] == "c1" and manifest["plan"] == {"name": "demo"}
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["software"]["newsarchive"] and manifest["software"]["python"]
    assert [f["path"] for f in manifest["files"]] == [
        "articles/articles-c1-00000.jsonl.gz",
        "articles/articles-c1-00001.jsonl.gz",
    ]
    assert [f["records"] for f in manifest["files"]] == [2, 1]
    assert manifest["warc_files"][0]["path"] == "warc/x.warc.gz"
    assert manifest["warc_files"][0]["sha256"] == hashlib.sha256(b"warc bytes").hexdigest()
    assert manifest["finished_at"].endswith("Z")


def test_a_record_that_is_not_plain_json_is_refused_and_the_file_stays_valid(
    tmp_path: Path,
) -> None:
    with JsonLinesBatchWriter(tmp_path, "a") as writer:
        writer.write({"headline": "kept"})
        with pytest.raises(ValueError, match="not plain JSON"):
            writer.write({"url": "https://example.com/x", "headline": datetime.date(2024, 5, 1)})
        with pytest.raises(ValueError, match="not plain JSON"):
            writer.write({"extraction": {"probability": float("nan")}})
        writer.write({"headline": "also kept"})
    assert [r["headline"] for r in _read(tmp_path / "a-00000.jsonl.gz")] == ["kept", "also kept"]


def test_write_manifest_never_replaces_a_manifest_it_did_not_write(tmp_path: Path) -> None:
    """The one manifest writer (a crawl's close, crawl-finish's merge, a killed crawl's
    finish) replaced any ``manifest.json``; one of ours is still rewritten."""
    from newsarchive.crawlfolder import CrawlFolderError

    (tmp_path / "manifest.json").write_text('{"short_name": "app"}')
    with pytest.raises(CrawlFolderError, match="not a newsarchive manifest"):
        write_manifest(tmp_path, "c1")
    assert (tmp_path / "manifest.json").read_text() == '{"short_name": "app"}'
    (tmp_path / "manifest.json").unlink()
    write_manifest(tmp_path, "c1")
    assert json.loads(write_manifest(tmp_path, "c2").read_text())["crawl_id"] == "c2"
