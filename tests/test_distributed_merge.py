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
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "started_at": f"2026-01-01T00:00:0{len(name)}Z",
                    "counts": {"articles": articles, "responses": articles + 1},
                    "files": [{"path": "articles/articles-c1-00000.jsonl.gz", "records": articles}],
                }
            ),
            encoding="utf-8",
        )
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
    assert records == {
        "workers/a~p1/articles/articles-c1-00000.jsonl.gz": 3,
        "workers/a~p1/pages.jsonl": None,
        "workers/bb~p2/articles/articles-c1-00000.jsonl.gz": 4,
        "workers/bb~p2/pages.jsonl": None,
    }
    assert result.index.read_text() == ""  # no WARC files, an empty (valid) index
    assert merge_crawl(tmp_path, "c1").counts == result.counts  # idempotent


def test_unfinished_workers_are_reported_not_fatal(tmp_path: Path) -> None:
    write_worker(tmp_path, "a~p1", articles=2)
    killed = write_worker(tmp_path, "b~p2", articles=1, manifest=False)
    (killed / "articles" / "articles-c1-00001.jsonl.gz.open").write_bytes(b"partial")
    result = merge_crawl(tmp_path, "c1")
    assert result.counts == {"articles": 2 + 1, "responses": 3}  # b~p2 counted on file
    assert any("b~p2: no manifest.json" in w for w in result.warnings)
    assert any("unfinished file articles-c1-00001.jsonl.gz.open" in w for w in result.warnings)
    manifest = json.loads(result.manifest.read_text())
    assert [w["finished"] for w in manifest["workers"]] == [True, False]
    assert not any(f["path"].endswith(".open") for f in manifest["files"])


def test_no_worker_folders_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no worker folders"):
        merge_crawl(tmp_path, "c1")


def test_files_of_a_killed_worker_are_finished_and_merged(tmp_path: Path) -> None:
    import os

    from newsarchive.export.jsonl import gzip_member
    from newsarchive.warc.gzipwalk import walk_members

    write_worker(tmp_path, "a~p1", articles=2)
    killed = tmp_path / "workers" / "b~p2"
    (killed / "articles").mkdir(parents=True)
    (killed / "warc").mkdir()
    batch = killed / "articles" / "articles-c1-00000.jsonl.gz.open"
    records = b"".join(
        gzip_member(json.dumps({"url": f"http://site/b/{n}"}).encode() + b"\n") for n in range(3)
    )
    batch.write_bytes(records + b"\x1f\x8b\x08 cut short")
    warc = killed / "warc" / "newsarchive-20260101000000-00000-b~p2.warc.gz.open"
    record = b"WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
    warc.write_bytes(gzip.compress(record) + gzip.compress(record)[:10])
    old = 1_000_000_000
    for path in (batch, warc):
        os.utime(path, (old, old))
    fresh = tmp_path / "workers" / "c~p3"
    (fresh / "warc").mkdir(parents=True)
    writing = fresh / "warc" / "newsarchive-20260101000000-00000-c~p3.warc.gz.open"
    writing.write_bytes(gzip.compress(record))  # modified just now: maybe still written

    result = merge_crawl(tmp_path, "c1", recover=True, live_workers={"c~p3"})
    finished = warc.with_name(warc.name.removesuffix(".open"))
    assert finished.exists() and walk_members(finished).ok
    assert not batch.exists() and batch.with_name(batch.name.removesuffix(".open")).exists()
    assert writing.exists()  # a live worker's file is never touched
    assert result.counts["articles"] == 2 + 3
    assert any("b~p2: " in w and "recovered" in w for w in result.warnings)
    # What was done, not a guess: the dead worker's files are finished now.
    assert "b~p2: killed (no manifest.json): its files are finished" in "\n".join(result.warnings)
    assert not any("b~p2: no manifest.json (worker still running" in w for w in result.warnings)
    assert any(
        "c~p3: no manifest.json (worker still running or killed)" in w for w in result.warnings
    )
    listed = {e["path"] for e in json.loads(result.manifest.read_text())["warc_files"]}
    assert listed == {"workers/b~p2/warc/newsarchive-20260101000000-00000-b~p2.warc.gz"}


def test_a_damaged_warc_file_is_reported_not_fatal(tmp_path: Path) -> None:
    folder = write_worker(tmp_path, "a~p1", articles=1)
    (folder / "warc").mkdir()
    damaged = folder / "warc" / "newsarchive-20260101000000-00000-a~p1.warc.gz"
    damaged.write_bytes(b"\x1f\x8b\x08\x00 this is not gzip data at all")
    result = merge_crawl(tmp_path, "c1")
    assert result.index_lines == 0
    assert any("check it with newsarchive warc check" in w for w in result.warnings)
    assert json.loads(result.manifest.read_text())["counts"]["articles"] == 1


def test_report_covers_every_worker(tmp_path: Path) -> None:
    first = write_worker(tmp_path, "a~p1", articles=3)
    second = write_worker(tmp_path, "b~p2", articles=2)
    (first / "pages.jsonl").write_text(
        json.dumps({"url": "http://site/a/0", "outcome": "article", "crawl_id": "c1"})
        + "\n"
        + json.dumps(
            {"url": "http://site/x", "outcome": "http_error", "status": 404, "crawl_id": "c1"}
        )
        + "\n",
        encoding="utf-8",
    )
    (second / "pages.jsonl").write_text(
        json.dumps({"url": "http://site/b/0", "outcome": "article", "crawl_id": "c1"})
        + "\n"
        + json.dumps(
            {"url": "http://site/y", "outcome": "http_error", "status": 404, "crawl_id": "c1"}
        )
        + "\n"
        + json.dumps({"url": "http://site/z", "outcome": "article", "crawl_id": "other"})
        + "\n",
        encoding="utf-8",
    )
    result = merge_crawl(tmp_path, "c1")
    report = json.loads(result.report.read_text())
    assert result.report == tmp_path / "report.json"
    assert report["crawl_id"] == "c1"
    assert report["totals"] == {"pages": 4, "articles": 5, "failures": 2}
    assert report["sites"]["site"]["failures"] == {"HTTP 404": 2}
    assert "5 articles, 2 failures" in (tmp_path / "report.txt").read_text()


def test_the_merge_lists_a_worker_folder_as_the_crawl_folder_model_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One model of a crawl's output: the merge asks ``CrawlFolder`` which files a worker
    folder holds, so a change of the layout there reaches the merge (it kept its own
    globs, and listed a folder named like a batch as an article file)."""
    from newsarchive import crawlfolder
    from newsarchive.distributed.merge import worker_folders

    folder = write_worker(tmp_path, "a~p1", articles=2)
    (folder / "articles" / "unpacked.jsonl.gz").mkdir()  # not a batch: a folder
    (folder / "articles" / "notes.txt.open").write_text("not ours")
    (folder / "warc").mkdir()
    (folder / "warc" / "w-1.warc.gz.open").write_bytes(b"")
    model = crawlfolder.CrawlFolder(folder)
    [listed] = worker_folders(tmp_path, [])
    assert listed.article_files == model.article_batches()
    assert listed.warc_files == model.warc_files()
    assert listed.unfinished == model.unfinished_files() == [folder / "warc" / "w-1.warc.gz.open"]

    zst = folder / "articles" / "articles-c1-00001.jsonl.zst"
    zst.write_bytes(b"")
    monkeypatch.setattr(crawlfolder, "BATCH_SUFFIX", ".jsonl.zst")  # the layout changes
    [listed] = worker_folders(tmp_path, [])
    assert listed.article_files == crawlfolder.CrawlFolder(folder).article_batches() == [zst]


def test_a_killed_workers_own_index_lists_every_record_it_kept(tmp_path: Path) -> None:
    """The kill lost the worker's last index lines; the merge finishes its WARC file and
    completes the worker's own ``index.cdxj`` too (plan runs read each crawl folder's
    index: it used to keep only the lines written before the kill)."""
    import io
    import os

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from newsarchive.warc.cdxj import entries_from_warc

    write_worker(tmp_path, "a-p1", articles=1)
    killed = tmp_path / "workers" / "b-p2"
    (killed / "warc").mkdir(parents=True)
    (killed / "pages.jsonl").write_text("{}\n", encoding="utf-8")
    warc = killed / "warc" / "newsarchive-20260101000000-00000-b-p2.warc.gz.open"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for number in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            payload = io.BytesIO(f"<p>page {number}</p>".encode())
            uri = f"http://site.example/{number}"
            record = writer.create_warc_record(uri, "response", payload, http_headers=headers)
            writer.write_record(record)
    finished = warc.with_name(warc.name.removesuffix(".open"))
    os.replace(warc, finished)  # index lines name the finished file
    lines = [entry.line() for entry in entries_from_warc(finished)]
    os.replace(finished, warc)
    with warc.open("ab") as stream:
        stream.write(b"\x1f\x8b\x08 cut short")  # the record being written when it died
    (killed / "index.cdxj").write_text(lines[0], encoding="utf-8")  # the others were lost
    old = 1_000_000_000
    os.utime(warc, (old, old))

    merge_crawl(tmp_path, "c1", recover=True)
    assert finished.exists()
    assert (killed / "index.cdxj").read_text(encoding="utf-8") == "".join(sorted(lines))
