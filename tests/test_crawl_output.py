"""A crawl's output as one model: manifest after kill -9 + resume, demo vs plans, state vs files.

Crawls run in subprocesses (Twisted's reactor cannot restart) against local
demo sites on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.crawls import NEWSARCHIVE, crawl_command, local_plan, run_command, run_newsarchive

import newsarchive
from newsarchive.crawlfolder import CrawlFolder, find_crawl_folders
from newsarchive.server import DemoSite

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def write_plan(folder: Path, base: str, output: str = "../output", concurrency: int = 8) -> Path:
    """``plans/local.toml``, its state and output beside ``plans/``."""
    (folder / "plans").mkdir(parents=True, exist_ok=True)
    plan = folder / "plans" / "local.toml"
    state = "../state/local.sqlite"
    plan.write_text(local_plan(base, output=output, concurrency=concurrency, state=state))
    return plan


def run(cwd: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return run_newsarchive(*args, timeout=timeout, cwd=cwd)


def test_manifest_after_kill_9_and_resume_covers_every_part(tmp_path: Path) -> None:
    total, crawl_id = 60, "20260101T000000Z-kill"
    with DemoSite(generate=total) as site:
        plan = write_plan(tmp_path, site.base_url, concurrency=2)
        command = [*NEWSARCHIVE, "crawl", "--plan", str(plan), "--crawl-id", crawl_id]
        command += ["-s", "NEWSARCHIVE_EXPORT_BATCH_SIZE=10"]
        out = tmp_path / "output" / "herald" / crawl_id
        first = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and first.poll() is None:
            if list((out / "articles").glob("*-00000.jsonl.gz")):
                break  # the first batch is finished: kill in the middle of the second
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert not (out / "manifest.json").exists(), "the first run was not killed midway"
        second = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    folder = CrawlFolder(out)
    listed = {e["path"]: e for e in manifest["files"] if e["path"].startswith("articles/")}
    on_disk = {folder.relative(p) for p in folder.article_batches()}
    assert set(listed) == on_disk and "articles/articles-" + crawl_id + "-00000.jsonl.gz" in listed
    records = list(newsarchive.load(tmp_path / "output"))  # checked against the manifest
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)) == total, "every article exactly once"
    assert manifest["counts"]["articles"] == sum(e["records"] for e in listed.values()) == total
    assert manifest["articles_by_crawl"] == {crawl_id: total}
    # every WARC file of the crawl: finished ones listed, a crashed .open one named as such
    warc_listed = {e["path"] for e in manifest["warc_files"]}
    assert warc_listed == {folder.relative(p) for p in folder.warc_files()}
    assert set(manifest["unfinished"]) == {
        folder.relative(p) for p in folder.unfinished_warc_files()
    }
    assert len(warc_listed) + len(manifest["unfinished"]) >= 2  # the killed run's and the resume's
    assert manifest["plan"]["path"] == str(plan)
    assert manifest["plan"]["content"]["plan"]["name"] == "local"
    assert manifest["plan"]["sha256"] and manifest["plan"]["site"] == "herald"


def test_demo_never_wipes_a_plans_output_and_the_shipped_plan_writes_elsewhere(
    tmp_path: Path,
) -> None:
    from newsarchive.plan import load_plan

    shipped = load_plan(ROOT / "plans" / "demo.toml")
    assert not shipped.output_dir.resolve().is_relative_to((ROOT / "output" / "demo").resolve())
    with DemoSite() as site:
        # a plan writing where the demo does, as the shipped plan did
        plan = write_plan(tmp_path, site.base_url, output="../output/demo")
        first = run(tmp_path, "crawl", "--plan", str(plan), "--crawl-id", "20260101T000000Z-aaaa")
        assert first.returncode == 0, first.stderr[-3000:]
        plan_files = sorted(p for p in (tmp_path / "output" / "demo").rglob("*") if p.is_file())
        (tmp_path / "output" / "demo" / ".newsarchive-demo").write_text("an earlier demo\n")
        demo = run(tmp_path, "demo")
        assert demo.returncode == 2 and "holds the output of other crawls" in demo.stderr
        assert all(p.exists() for p in plan_files if p.name != ".newsarchive-demo")
        second = run(tmp_path, "crawl", "--plan", str(plan), "--crawl-id", "20260102T000000Z-bbbb")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Articles: 0" in second.stdout  # archived, and the files still hold them


def test_a_plan_whose_output_was_deleted_fetches_the_lost_articles_again(tmp_path: Path) -> None:
    import shutil

    with DemoSite() as site:
        plan = write_plan(tmp_path, site.base_url)
        first = run(tmp_path, "crawl", "--plan", str(plan), "--crawl-id", "20260101T000000Z-aaaa")
        assert first.returncode == 0, first.stderr[-3000:]
        archived = len(list(newsarchive.load(tmp_path / "output")))
        assert archived > 5
        shutil.rmtree(tmp_path / "output")  # e.g. wiped by hand, or by an older demo
        second = run(tmp_path, "crawl", "--plan", str(plan), "--crawl-id", "20260102T000000Z-bbbb")
        third = run(tmp_path, "crawl", "--plan", str(plan), "--crawl-id", "20260103T000000Z-cccc")
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"Articles: {archived}" in second.stdout
    assert "no longer in any WARC file" in second.stderr
    assert "Articles: 0" in third.stdout  # agreed again: nothing fetched twice
    assert len(list(newsarchive.load(tmp_path / "output"))) == archived


def test_reused_out_summary_reports_this_crawl_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with DemoSite() as site:
        runs = [
            run_command(
                crawl_command(site.base_url + "/", out, crawl_id=crawl_id),
                timeout=180,
                cwd=tmp_path,
            )
            for crawl_id in ("20260101T000000Z-aaaa", "20260102T000000Z-bbbb")
        ]
    for done in runs:
        assert done.returncode == 0, done.stderr[-3000:]
    pages = [json.loads(line) for line in (out / "pages.jsonl").read_text().splitlines()]
    second = [p for p in pages if p["crawl_id"] == "20260102T000000Z-bbbb"]
    assert 0 < len(second) < len(pages)
    assert f"Pages recorded: {len(second)} " in runs[1].stdout
    report = json.loads((out / "report.json").read_text())
    assert report["totals"]["pages"] == len(second)
    assert [f.path.name for f in find_crawl_folders(tmp_path)] == ["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["crawl_id"] == "20260102T000000Z-bbbb"
    assert len(list(newsarchive.load(out))) == manifest["counts"]["articles"] > 0


def test_reports_read_a_folders_own_batches_open_ones_included(tmp_path: Path) -> None:
    """The summary and the report read one list: this folder's batches, a crawl's only if named."""
    from newsarchive.report import tally_output
    from newsarchive.summary import summarize

    articles = tmp_path / "articles"
    (tmp_path / "worker-1" / "articles").mkdir(parents=True)
    articles.mkdir()

    def batch(path: Path, *urls: str) -> None:
        lines = "".join(json.dumps({"url": u, "provenance": None}) + "\n" for u in urls)
        path.write_bytes(gzip.compress(lines.encode()))

    batch(articles / "articles-c1-00001.jsonl.gz", "http://a.test/1", "http://a.test/2")
    batch(articles / "articles-c1-00002.jsonl.gz.open", "http://a.test/3")
    batch(articles / "articles-c2-00001.jsonl.gz", "http://a.test/4")
    batch(articles / "articles-c1-00003.jsonl.gz.tmp", "http://a.test/5")
    batch(tmp_path / "worker-1" / "articles" / "articles-c1-00001.jsonl.gz", "http://a.test/6")
    folder = CrawlFolder(tmp_path)
    assert [p.name for p in folder.batches_here("c1")] == [
        "articles-c1-00001.jsonl.gz",
        "articles-c1-00002.jsonl.gz.open",
    ]
    assert len(folder.batches_here()) == 3
    assert summarize(tmp_path, crawl_id="c1")["articles"] == 3
    assert tally_output(tmp_path)["a.test"].articles == 4


def test_crawl_refuses_an_out_holding_a_manifest_or_crawl_folder_not_its_own(
    tmp_path: Path,
) -> None:
    """``crawl --out DIR`` replaced whatever ``DIR/manifest.json`` held (another tool's
    manifest, any file of that name) and, with another crawl's folder below DIR, listed
    that crawl's batches and articles as its own. Now one line, exit 2, nothing touched;
    a folder of ours is still resumed."""
    foreign = tmp_path / "foreign"
    garbage = tmp_path / "garbage"
    parent = tmp_path / "parent"
    foreign.mkdir()
    garbage.mkdir()
    (foreign / "manifest.json").write_text('{"name": "webapp", "icons": []}\n')
    (garbage / "manifest.json").write_bytes(b"\x00 not json")
    ours = parent / "earlier"
    crawl_id = "20260101T000000Z-aaaa"
    with DemoSite(generate=4) as site:

        def crawl(out: Path) -> subprocess.CompletedProcess[str]:
            command = crawl_command(site.base_url + "/", out, "--max-pages", "4", crawl_id=crawl_id)
            return run_command(command, timeout=180, cwd=tmp_path)

        first = crawl(ours)
        resumed = crawl(ours)
        refused = {out: crawl(out) for out in (foreign, garbage, parent)}
    assert first.returncode == 0 and resumed.returncode == 0, resumed.stderr[-3000:]
    earlier = (ours / "manifest.json").read_bytes()
    assert json.loads(earlier)["crawl_id"] == crawl_id
    for out, done in refused.items():
        assert done.returncode == 2, (out, done.stderr[-3000:])
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and str(out) in lines[0], lines
        assert "Traceback" not in done.stderr
        assert not (out / "warc").exists() and not (out / "pages.jsonl").exists()
    assert "not overwriting" in refused[foreign].stderr
    assert (foreign / "manifest.json").read_text() == '{"name": "webapp", "icons": []}\n'
    assert (garbage / "manifest.json").read_bytes() == b"\x00 not json"
    assert "another crawl" in refused[parent].stderr and str(ours) in refused[parent].stderr
    assert not (parent / "manifest.json").exists()
    assert (ours / "manifest.json").read_bytes() == earlier


def test_scrapy_crawl_writes_the_report_newsarchive_crawl_writes(tmp_path: Path) -> None:
    """The report is written as the crawl closes, so a plain ``scrapy crawl`` (as scrapyd
    runs it) ends with the same ``report.json``/``report.txt`` as ``newsarchive crawl``."""
    by_newsarchive, by_scrapy = tmp_path / "newsarchive", tmp_path / "scrapy"
    with DemoSite(generate=12) as site:
        ours = run_command(
            crawl_command(site.base_url + "/", by_newsarchive, crawl_id="c1"), cwd=tmp_path
        )
        scrapy = run_command(
            [
                sys.executable, "-m", "scrapy", "crawl", "news",
                "-a", f"start_urls={site.base_url}/",
                "-s", f"NEWSARCHIVE_OUTPUT_DIR={by_scrapy}", "-s", "NEWSARCHIVE_CRAWL_ID=c1",
                "-s", "NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES=True",
                "-s", "NEWSARCHIVE_PROGRESS=False",
                "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            ],
            cwd=ROOT,
        )  # fmt: skip
    assert ours.returncode == 0, ours.stderr[-3000:]
    assert scrapy.returncode == 0, scrapy.stderr[-3000:]
    reports = [json.loads((out / "report.json").read_text()) for out in (by_newsarchive, by_scrapy)]
    assert reports[0]["totals"]["articles"] == 12
    for report, out in zip(reports, (by_newsarchive, by_scrapy), strict=True):
        assert report["crawl_id"] == "c1" and report["output_dir"] == str(out)
        assert (out / "report.txt").read_text().startswith(f"Crawl report for {out} (")
    same = ("totals", "sites", "layout_change_suspected")
    assert {k: reports[0][k] for k in same} == {k: reports[1][k] for k in same}
