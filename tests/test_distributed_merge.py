"""Merging workers' folders: index and manifest over all of them, warnings for the incomplete."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsarchive.distributed.merge import merge_crawl


def write_worker(out: Path, name: str, *, articles: int, manifest: bool = True) -> Path:
    folder = out / "workers" / name
    (folder / "articles").mkdir(parents=True)
    batch = folder / "articles" / "articles-c1-00000.jsonl.gz"
    with gzip.open(batch, "wt", encoding="utf-8") as handle:
        for number in range(articles):
            handle.write(json.dumps({"url": f"http://site/{name}/{number}"}) + "\n")
    (folder / "pages.jsonl").write_text("{}\n", encoding="utf-8")
    if manifest:
        (folder / "manifest.json").write_text(json.dumps({
            "started_at": f"2026-01-01T00:00:0{len(name)}Z",
            "counts": {"articles": articles, "responses": articles + 1},
            "files": [{"path": "articles/articles-c1-00000.jsonl.gz", "records": articles}],
        }), encoding="utf-8")
    return folder


def test_manifest_sums_workers_and_lists_every_file(tmp_path: Path) -> None:
    write_worker(tmp_path, "a~p1", articles=3)
    write_worker(tmp_path, "bb~p2", articles=4)
    result = merge_crawl(tmp_path, "c1")
    assert result.counts == {"articles": 7, "responses": 9}
    assert result.workers == ["a~p1", "bb~p2"] and result.warnings == []
    manifest = json.loads(result.manifest.read_text())
    assert manifest["crawl_id"] == "c1"
    assert manifest["started_at"] == "2026-01-01T00:00:04Z"  # the earliest worker (a~p1)
    records = {f["path"]: f.get("records") for f in manifest["files"]}
    assert records == {"workers/a~p1/articles/articles-c1-00000.jsonl.gz": 3,
                       "workers/a~p1/pages.jsonl": None,
                       "workers/bb~p2/articles/articles-c1-00000.jsonl.gz": 4,
                       "workers/bb~p2/pages.jsonl": None}
    assert result.index.read_text() == ""  # no WARC files, an empty (valid) index
    assert merge_crawl(tmp_path, "c1").counts == result.counts  # idempotent


def test_unfinished_workers_are_reported_not_fatal(tmp_path: Path) -> None:
    write_worker(tmp_path, "a~p1", articles=2)
    killed = write_worker(tmp_path, "b~p2", articles=1, manifest=False)
    (killed / "articles" / "articles-c1-00001.jsonl.gz.open").write_bytes(b"partial")
    result = merge_crawl(tmp_path, "c1")
    assert result.counts == {"articles": 2, "responses": 3}
    assert any("b~p2: no manifest.json" in w for w in result.warnings)
    assert any("unfinished file articles-c1-00001.jsonl.gz.open" in w for w in result.warnings)
    manifest = json.loads(result.manifest.read_text())
    assert [w["finished"] for w in manifest["workers"]] == [True, False]
    assert not any(f["path"].endswith(".open") for f in manifest["files"])


def test_no_worker_folders_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no worker folders"):
        merge_crawl(tmp_path, "c1")
