"""Parquet / JSON Lines / CSV exports, partitions, bad rows, the CLI and newsarchive.load."""

from __future__ import annotations

import dataclasses
import gzip
import importlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import newsarchive
from newsarchive import schema
from newsarchive.cli import main
from newsarchive.export.arrow import arrow_schema, with_instants, without_instants
from newsarchive.export.convert import ExportError, export_records
from newsarchive.export.flatten import csv_columns
from newsarchive.export.jsonl import JsonLinesBatchWriter, encode_record, gzip_member
from newsarchive.export.manifest import write_crawl_manifest
from newsarchive.export.synthetic import synthetic_record
from newsarchive.loading import LoadError, load


def _records(n: int, crawl_id: str = "c1") -> list[dict]:
    return [synthetic_record(i, crawl_id) for i in range(n)]


def _crawl_output(root: Path, crawl_id: str, n: int) -> Path:
    with JsonLinesBatchWriter(root / "articles", f"articles-{crawl_id}", batch_size=4) as w:
        for record in _records(n, crawl_id):
            w.write(record)
    (root / "pages.jsonl").write_text('{"url": "not an article"}\n')
    write_crawl_manifest(root, crawl_id, run_counts={"articles": n})
    return root


def test_arrow_schema_follows_the_dataclasses() -> None:
    target = arrow_schema()
    assert target.names == [f.name for f in dataclasses.fields(schema.Article)]
    authors = target.field("authors").type
    assert pa.types.is_list(authors) and pa.types.is_struct(authors.value_type)
    assert [f.name for f in authors.value_type] == ["name", "name_raw", "url"]
    via = target.field("provenance").type.field("discovered_via").type
    assert pa.types.is_struct(via)
    assert target.field("provenance").type.field("warc_record_offset").type == pa.int64()
    assert target.field("headline").metadata[b"description"] == b"Article headline."
    assert target.metadata[b"newsarchive.schema_version"] == schema.SCHEMA_VERSION.encode()


def test_parquet_round_trip_keeps_nested_values(tmp_path: Path) -> None:
    records = _records(25)
    out = tmp_path / "a.parquet"
    report = export_records(records, "parquet", out, batch_size=10)
    assert report.records == 25 and report.skipped == 0
    parquet = pq.ParquetFile(out)
    assert parquet.schema_arrow.equals(arrow_schema(), check_metadata=False)
    assert parquet.metadata.num_row_groups == 3  # streamed batch by batch
    # Times come back as the same instants, written in UTC ("+02:00" -> "Z").
    assert list(load(out)) == [without_instants(with_instants(r)) for r in records]


def test_empty_input_is_an_error_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no records"):
        export_records([], "parquet", tmp_path / "e.parquet")
    assert not list(tmp_path.iterdir())  # neither e.parquet nor e.parquet.partial
    export_records([], "parquet", tmp_path / "e.parquet", allow_empty=True)
    assert pq.read_table(tmp_path / "e.parquet").schema.names == arrow_schema().names


def test_partitioned_by_crawl_hive_style(tmp_path: Path) -> None:
    no_crawl = schema.conform({"url": "https://example.com/x"})
    records = _records(3, "c1") + _records(2, "c/2") + [no_crawl]
    report = export_records(records, "parquet", tmp_path / "out", partition_by="crawl")
    names = sorted(str(Path(p).relative_to(tmp_path / "out")) for p in report.files)
    assert names == [
        "crawl_id=__HIVE_DEFAULT_PARTITION__/part-0.parquet",
        "crawl_id=c%2F2/part-0.parquet",
        "crawl_id=c1/part-0.parquet",
    ]
    assert report.files[str(tmp_path / "out/crawl_id=c1/part-0.parquet")] == 3
    assert len(list(load(tmp_path / "out"))) == 6


def test_a_row_that_does_not_fit_fails_or_is_skipped_with_keep_going(tmp_path: Path) -> None:
    records = _records(4)
    records[2]["provenance"]["fetch_status"] = "two hundred"
    with pytest.raises(ExportError, match="does not fit the Arrow schema"):
        export_records(records, "parquet", tmp_path / "a.parquet")
    assert not list(tmp_path.iterdir())
    report = export_records(records, "parquet", tmp_path / "a.parquet", keep_going=True)
    assert report.records == 3 and report.skipped == 1
    assert "does not fit the Arrow schema" in report.problems[0]
    kept = [records[i]["url"] for i in (0, 1, 3)]
    assert [r["url"] for r in load(tmp_path / "a.parquet")] == kept


def test_csv_flattening_rules(tmp_path: Path) -> None:
    records = _records(4)
    export_records(records, "csv", tmp_path / "a.csv")
    import csv

    with (tmp_path / "a.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [c.name for c in csv_columns()]
    assert list(rows[0]) == names
    assert "provenance.discovered_via.type" in names and "main_image.url" in names
    row = rows[3]
    assert row["topics"] == " | ".join(records[3]["topics"])
    assert json.loads(row["authors"]) == records[3]["authors"]
    assert row["extraction.probability"] == "0.97"
    assert row["main_image.url"] == records[3]["main_image"]["url"]
    assert rows[0]["main_image.url"] == ""  # null struct: empty cells
    assert list(load(tmp_path / "a.csv")) == records  # the rules are reversible here


def test_export_refuses_to_overwrite_and_unknown_format(tmp_path: Path) -> None:
    (tmp_path / "a.parquet").write_bytes(b"keep me")
    with pytest.raises(ExportError, match="already exists"):
        export_records(_records(1), "parquet", tmp_path / "a.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == b"keep me"
    with pytest.raises(ExportError, match="unknown format"):
        export_records(_records(1), "xlsx", tmp_path / "a.xlsx")


def test_interrupted_export_leaves_no_finished_looking_file(tmp_path: Path) -> None:
    def failing():
        yield from _records(3)
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError):
        export_records(failing(), "parquet", tmp_path / "a.parquet", batch_size=2)
    assert not list(tmp_path.iterdir())  # nothing under the name, no .partial left either
    with pytest.raises(RuntimeError):
        export_records(failing(), "jsonl", tmp_path / "p", batch_size=2, partition_by="crawl")
    assert not list(tmp_path.iterdir())


def test_cli_exports_crawl_folders_partitioned(tmp_path: Path, capsys) -> None:
    a = _crawl_output(tmp_path / "crawl-a", "a", 6)
    b = _crawl_output(tmp_path / "crawl-b", "b", 3)
    out = tmp_path / "export"
    code = main(
        [
            "export",
            str(a),
            str(b),
            "--format",
            "parquet",
            "--out",
            str(out),
            "--partition-by",
            "crawl",
            "--batch-size",
            "4",
        ]
    )
    assert code == 0
    assert "9 records" in capsys.readouterr().out
    assert pq.read_table(out / "crawl_id=a" / "part-0.parquet").num_rows == 6
    assert main(["export", str(a), "--format", "csv", "--out", str(out)]) == 2  # exists


def test_cli_fails_on_bad_input_or_skips_it_with_keep_going(tmp_path: Path, capsys) -> None:
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r) for r in _records(3)]
    src.write_text("\n".join([lines[0], "{broken json", lines[1], "[1, 2]", lines[2]]) + "\n")
    out = ["--format", "jsonl", "--out", str(tmp_path / "o.jsonl.gz")]
    assert main(["export", str(src), *out]) == 1
    assert "in.jsonl:2: not JSON" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl.gz").exists()
    code = main(["export", str(src), *out, "--keep-going"])
    captured = capsys.readouterr()
    assert code == 1
    assert "in.jsonl:2: not JSON" in captured.err
    assert "in.jsonl:4: not a JSON object" in captured.err
    assert len(list(load(tmp_path / "o.jsonl.gz"))) == 3


def test_load_reads_concatenated_gzip_members_and_crawl_folders(tmp_path: Path) -> None:
    crawl = _crawl_output(tmp_path / "crawl", "c", 10)
    (crawl / "articles" / "articles-c-00009.jsonl.gz.open").write_bytes(
        gzip_member(encode_record({"headline": "in progress"}))
    )
    records = list(newsarchive.load(crawl))
    assert len(records) == 10  # pages.jsonl and the .open batch are not articles yet
    assert records == _records(10, "c")
    importlib.import_module("newsarchive.loading")  # importing the submodule must not break it

    assert len(list(newsarchive.load(crawl / "articles" / "articles-c-00000.jsonl.gz"))) == 4


def test_load_fills_missing_keys_and_reports_damage(tmp_path: Path) -> None:
    plain = tmp_path / "old.jsonl"
    plain.write_text('{"headline": "old file", "legacy": 1}\n')
    (record,) = load(plain)
    assert list(record) == list(schema.empty()) and record["headline"] == "old file"

    truncated = tmp_path / "cut.jsonl.gz"
    good = gzip_member(encode_record({"headline": "ok"}))
    truncated.write_bytes(good + gzip.compress(b'{"headline": "lost"}\n')[:-15])
    with pytest.raises(LoadError, match=r"cut\.jsonl\.gz: unreadable after line 1"):
        list(load(truncated))
    problems: list[str] = []
    assert [r["headline"] for r in load(truncated, on_error=problems.append)] == ["ok"]
    assert len(problems) == 1

    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "missing.parquet")
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(LoadError, match="unknown export format"):
        load(tmp_path / "x.xlsx")


def test_a_missing_source_is_found_missing_by_the_loader_alone(tmp_path: Path, capsys) -> None:
    """``export`` has no check of its own: the loader's ``MissingSource`` is its exit 2."""
    from newsarchive.cli import main
    from newsarchive.loading import MissingSource, sources

    with pytest.raises(MissingSource, match=r"missing\.jsonl: no such file or directory"):
        sources(tmp_path / "missing.jsonl")
    (tmp_path / "a.jsonl").write_text('{"headline": "a"}\n')
    args = ["export", str(tmp_path / "a.jsonl"), str(tmp_path / "missing.jsonl")]
    assert main([*args, "--format", "jsonl", "--out", str(tmp_path / "out.jsonl")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"newsarchive export: {tmp_path / 'missing.jsonl'}: no such file or directory"
    )
    assert not (tmp_path / "out.jsonl").exists()


def test_crawl_folder_without_articles_gives_no_records(tmp_path: Path) -> None:
    (tmp_path / "pages.jsonl").write_text('{"url": "https://example.com/404"}\n')
    (tmp_path / "manifest.json").write_text("{}")
    assert list(load(tmp_path)) == []


def test_a_crawl_log_named_as_a_source_is_refused(tmp_path: Path, capsys) -> None:
    """``OUT/pages.jsonl`` (or ``OUT/*.jsonl``) shares ``url`` and ``article_id`` with
    article records: read as one, each fetched page became an empty "article"."""
    crawl = _crawl_output(tmp_path / "crawl", "c", 3)
    (crawl / "validation_failures.jsonl").write_text('{"url": "x", "messages": ["m"]}\n')
    for own in ("pages.jsonl", "validation_failures.jsonl", "manifest.json"):
        with pytest.raises(LoadError, match=rf"{own}: a crawl folder's own file, not article"):
            load(crawl / own)
    out = tmp_path / "out.csv"
    sources = [str(crawl / "pages.jsonl"), str(crawl / "articles")]
    assert main(["export", *sources, "--format", "csv", "--out", str(out)]) == 2
    assert "pages.jsonl: a crawl folder's own" in capsys.readouterr().err and not out.exists()
    assert len(list(load(crawl))) == 3  # the folder gives its articles, as before
    lone = tmp_path / "mine" / "pages.jsonl"  # a researcher's own file of that name
    lone.parent.mkdir()
    lone.write_text('{"headline": "a"}\n')
    assert [r["headline"] for r in load(lone)] == ["a"]
