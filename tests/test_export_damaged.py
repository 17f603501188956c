"""Load and export of crawl output trees and damaged inputs: exactly the articles, or a clear error.

Each case is one a researcher meets: a plan's OUTPUT/SITE/CRAWL_ID tree, a
batch cut by a failed copy (inside a record, or between records), a
malformed line, an empty folder. Nothing may come out looking complete when
it is not: the export fails naming the file and leaves nothing under --out.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import newsarchive
from newsarchive.cli import main
from newsarchive.export.jsonl import JsonLinesBatchWriter, encode_record, gzip_member
from newsarchive.export.manifest import write_crawl_manifest
from newsarchive.export.synthetic import synthetic_record
from newsarchive.loading import LoadError


def crawl_folder(folder: Path, crawl_id: str, n: int, batch_size: int = 5) -> Path:
    """A crawl folder as a crawl writes it: batches, pages.jsonl, validation log, manifest."""
    with JsonLinesBatchWriter(folder / "articles", f"articles-{crawl_id}", batch_size) as writer:
        for i in range(n):
            writer.write(synthetic_record(i, crawl_id))
    pages = [{"url": f"https://news.example/{i}", "outcome": "not_article"} for i in range(n + 3)]
    (folder / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
    (folder / "validation_failures.jsonl").write_text('{"url": "x", "messages": ["m"]}\n' * n)
    write_crawl_manifest(folder, crawl_id, run_counts={"articles": n})
    return folder


def plan_tree(root: Path) -> dict[str, int]:
    """OUTPUT/SITE/CRAWL_ID/ as a plan writes it: two sites, three crawls."""
    crawls = {"20260101T000000Z-aaaa": 7, "20260102T000000Z-bbbb": 4, "20260101T000000Z-cccc": 6}
    crawl_folder(root / "herald" / "20260101T000000Z-aaaa", "20260101T000000Z-aaaa", 7)
    crawl_folder(root / "herald" / "20260102T000000Z-bbbb", "20260102T000000Z-bbbb", 4)
    crawl_folder(root / "daily" / "20260101T000000Z-cccc", "20260101T000000Z-cccc", 6)
    return crawls


def export(*args: str) -> int:
    return main(["export", *args])


def test_load_and_export_of_a_plan_output_tree_give_exactly_the_articles(
    tmp_path: Path, capsys
) -> None:
    crawls = plan_tree(tmp_path / "output")
    records = list(newsarchive.load(tmp_path / "output"))
    assert len(records) == sum(crawls.values())  # not pages.jsonl, not validation_failures
    assert {r["provenance"]["crawl_id"] for r in records} == set(crawls)
    out = tmp_path / "export.parquet"
    assert export(str(tmp_path / "output"), "--out", str(out)) == 0
    assert pq.read_table(out).num_rows == sum(crawls.values())
    assert f"{sum(crawls.values())} records" in capsys.readouterr().out


def test_parquet_out_without_an_ending_is_read_back_by_load(tmp_path: Path) -> None:
    folder = crawl_folder(tmp_path / "crawl", "c", 6)
    assert export(str(folder), "--format", "parquet", "--out", str(tmp_path / "data")) == 0
    assert len(list(newsarchive.load(tmp_path / "data"))) == 6
    assert export(str(folder), "--format", "jsonl", "--out", str(tmp_path / "lines")) == 0
    assert len(list(newsarchive.load(tmp_path / "lines"))) == 6


def cut(path: Path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def test_batch_cut_inside_a_record_fails_naming_the_file(tmp_path: Path, capsys) -> None:
    folder = crawl_folder(tmp_path / "crawl", "c", 12)
    batch = folder / "articles" / "articles-c-00001.jsonl.gz"
    cut(batch, batch.stat().st_size - 40)
    out = tmp_path / "out.parquet"
    assert export(str(folder), "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "articles-c-00001.jsonl.gz" in err and "cut or changed" in err
    assert not out.exists() and not list(tmp_path.glob("out.parquet*"))
    with pytest.raises(LoadError, match="articles-c-00001"):
        newsarchive.load(folder)
    # the file on its own, outside its crawl folder: the damage itself is named
    alone = tmp_path / "alone.jsonl.gz"
    alone.write_bytes(batch.read_bytes())
    assert export(str(alone), "--out", str(out)) == 1
    assert "alone.jsonl.gz: unreadable after line" in capsys.readouterr().err
    assert not out.exists()


def test_batch_cut_between_records_disagrees_with_the_manifest(
    tmp_path: Path, capsys, caplog
) -> None:
    folder = crawl_folder(tmp_path / "crawl", "c", 12)
    batch = folder / "articles" / "articles-c-00000.jsonl.gz"
    members = [gzip_member(encode_record(synthetic_record(i, "c"))) for i in range(5)]
    assert batch.read_bytes() == b"".join(members)
    batch.write_bytes(b"".join(members[:3]))  # a valid file, two records short
    assert export(str(folder), "--out", str(tmp_path / "o.parquet")) == 1
    err = capsys.readouterr().err
    assert "articles-c-00000.jsonl.gz" in err and "the manifest says" in err
    assert not (tmp_path / "o.parquet").exists()
    # a researcher who knows may read what is there, and is told again what disagrees
    assert export(str(folder), "--out", str(tmp_path / "o.parquet"), "--no-verify") == 0
    assert pq.read_table(tmp_path / "o.parquet").num_rows == 10
    assert "articles-c-00000.jsonl.gz: " in caplog.text and "reading anyway" in caplog.text


def test_a_batch_missing_from_the_manifest_or_from_the_folder_is_named(tmp_path: Path) -> None:
    folder = crawl_folder(tmp_path / "crawl", "c", 12)
    extra = folder / "articles" / "articles-c-00009.jsonl.gz"
    extra.write_bytes(gzip_member(encode_record(synthetic_record(99, "c"))))
    with pytest.raises(LoadError, match=r"articles-c-00009\.jsonl\.gz: not listed"):
        newsarchive.load(folder)
    extra.unlink()
    (folder / "articles" / "articles-c-00002.jsonl.gz").unlink()
    with pytest.raises(LoadError, match=r"articles-c-00002\.jsonl\.gz: listed in the manifest but"):
        newsarchive.load(folder)
    assert len(list(newsarchive.load(folder, verify=False))) == 10


def test_malformed_line_fails_the_export_or_is_skipped_with_keep_going(
    tmp_path: Path, capsys
) -> None:
    src = tmp_path / "in.jsonl.gz"
    lines = [json.dumps(synthetic_record(i, "c")) for i in range(10)]
    lines[4] = lines[4][:50]
    src.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "o.parquet"
    assert export(str(src), "--out", str(out)) == 1
    assert "in.jsonl.gz:5: not JSON" in capsys.readouterr().err
    assert not out.exists()
    assert export(str(src), "--out", str(out), "--keep-going") == 1
    captured = capsys.readouterr()
    assert "9 records" in captured.out and "1 skipped" in captured.out
    assert pq.read_table(out).num_rows == 9


def test_empty_folder_is_an_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert export(str(tmp_path / "empty"), "--out", str(tmp_path / "o.parquet")) == 1
    assert "no records" in capsys.readouterr().err
    assert not (tmp_path / "o.parquet").exists()
    crawl_folder(tmp_path / "nothing", "c", 0)  # a crawl that found no article
    assert export(str(tmp_path / "nothing"), "--out", str(tmp_path / "o.parquet")) == 1
    assert not (tmp_path / "o.parquet").exists()


def test_crawl_folder_without_a_manifest_is_named(tmp_path: Path) -> None:
    folder = crawl_folder(tmp_path / "crawl", "c", 3)
    (folder / "manifest.json").unlink()  # killed before the end, never resumed
    (tmp_path / "killed-early").mkdir()  # killed before its first article
    (tmp_path / "killed-early" / "validation_failures.jsonl").write_text('{"url": "x"}\n')
    with pytest.raises(LoadError, match=r"no manifest\.json"):
        newsarchive.load(tmp_path)
    assert len(list(newsarchive.load(tmp_path, verify=False))) == 3


def test_a_rewritten_manifest_keeps_the_plan_an_earlier_one_recorded(tmp_path: Path) -> None:
    """`warc recover` finishing a resumed crawl killed again knows no plan: the folder's
    manifest keeps the one its finished run recorded (revisits resolve through it)."""
    folder = crawl_folder(tmp_path / "crawl", "c1", 3)
    plan = {"path": "/plans/herald.toml", "site": "herald", "text": "[plan]\n"}
    write_crawl_manifest(folder, "c1", run_counts={"articles": 3}, plan=plan)
    write_crawl_manifest(folder, "c1", run_counts=None)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plan"] == plan and len(manifest["parts"]) == 2
