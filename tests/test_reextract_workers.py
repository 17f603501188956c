"""``reextract`` of a Redis worker's folder applies its plan site's rules, as the crawl did.

A plan crawl run by ``newsarchive crawl --plan P --redis URL`` writes each worker's
files under ``OUTPUT/SITE/CRAWL_ID/workers/HOST-pPID/``. ``reextract`` looked the
site up by the folder two levels above ``warc/`` (``workers``), found none and
dropped the site's ``timezone``: a date without offset came back as its day alone.
The site is now the one the manifest's plan record names, for both layouts.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from support.crawls import NEWSARCHIVE, exported_articles, local_plan, run_command, setting_args
from support.redis_server import LocalRedis
from support.warcsite import RawSite, Route, http_response

from newsarchive.server import DemoSite

pytestmark = pytest.mark.slow

HTML = [("Content-Type", "text/html; charset=utf-8")]
ARTICLE_PATH = "/news/2024/10/23/ferry-fares.html"
PARAGRAPH = (
    "<p>The ferry company raised its fares on every crossing of the bay this week, "
    "and the council said it would ask the regulator to look again at the new prices "
    "before the winter timetable starts next month.</p>"
)
ARTICLE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ferry fares</title>'
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry fares '
    'rise", "datePublished": "2024-10-23T03:48:00"}</script></head><body><article>'
    f"<h1>Ferry fares rise</h1>{PARAGRAPH * 8}</article></body></html>"
).encode()
HOME = f'<!doctype html><html><body><a href="{ARTICLE_PATH}">Ferry</a></body></html>'.encode()


def test_reextract_of_a_plan_workers_folder_uses_the_sites_timezone(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    with RawSite() as site:
        site.routes["/"] = Route(http_response("200 OK", HTML, HOME))
        site.routes[ARTICLE_PATH] = Route(http_response("200 OK", HTML, ARTICLE))
        plan = tmp_path / "plan.toml"
        extra = 'timezone = "Europe/Berlin"\n'
        plan.write_text(local_plan(site.base_url, site="ferry", extra=extra), encoding="utf-8")
        command = [*NEWSARCHIVE, "crawl", "--plan", str(plan), "--redis", redis_server.url]
        command += ["--crawl-id", "w1"]
        settings = {"NEWSARCHIVE_PROGRESS": False, "NEWSARCHIVE_REDIS_IDLE_GRACE": 1}
        done = run_command([*command, *setting_args(settings)], cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]

    [worker] = (tmp_path / "out" / "ferry" / "w1" / "workers").iterdir()
    [crawled] = exported_articles(worker)
    assert crawled["date_published"] == "2024-10-23T03:48:00+02:00"  # the crawl's reading

    out = tmp_path / "again.jsonl"
    again = run_command([*NEWSARCHIVE, "reextract", str(worker), "--jobs", "1", "--out", str(out)])
    assert again.returncode == 0, again.stderr[-3000:]
    [redone] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert redone["date_published"] == crawled["date_published"]
    assert redone["article_id"] == crawled["article_id"]


def redis_plan_run(plan: Path, redis_url: str, crawl_id: str) -> Path:
    """One run of ``plan``'s site ``demo`` by a Redis worker, finished with
    ``crawl-finish --out``; its crawl folder."""
    command = [*NEWSARCHIVE, "crawl", "--plan", str(plan), "--redis", redis_url]
    settings = {"NEWSARCHIVE_PROGRESS": False, "NEWSARCHIVE_REDIS_IDLE_GRACE": 1}
    done = run_command([*command, "--crawl-id", crawl_id, *setting_args(settings)], cwd=plan.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    out = plan.parent / "out" / "demo" / crawl_id
    finish = [*NEWSARCHIVE, "crawl-finish", crawl_id, "--redis", redis_url, "--out", str(out)]
    done = run_command(finish)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_warc_tools_read_a_redis_crawl_folder_as_a_whole(
    redis_server: LocalRedis, demo_site: DemoSite, tmp_path: Path
) -> None:
    """``warc check|index|wacz`` and ``reextract`` of ``OUT`` that ``crawl-finish --out``
    merged (its files in ``workers/W/warc/``), the folder docs/distributed.md says to
    point the tools at: each said "no WARC files (*.warc.gz) in OUT" and did nothing.
    """
    plan = tmp_path / "plan.toml"
    plan.write_text(local_plan(demo_site.base_url, name="whole", site="demo"), encoding="utf-8")
    out = redis_plan_run(plan, redis_server.url, "r1")
    crawled = exported_articles(out, "workers/*/articles/*.jsonl.gz")
    assert crawled

    check = run_command([*NEWSARCHIVE, "warc", "check", str(out)])
    assert check.returncode == 0, check.stdout + check.stderr
    assert " 0 FAILED" in check.stderr

    again = tmp_path / "again.jsonl"
    redone = run_command([*NEWSARCHIVE, "reextract", str(out), "--out", str(again)])
    assert redone.returncode == 0, redone.stderr[-3000:]
    ids = [json.loads(line)["article_id"] for line in again.read_text().splitlines()]
    assert sorted(ids) == sorted(record["article_id"] for record in crawled)

    merged = (out / "index.cdxj").read_text(encoding="utf-8")
    index = run_command([*NEWSARCHIVE, "warc", "index", str(out)])
    assert index.returncode == 0, index.stdout + index.stderr
    # rebuilt as crawl-finish wrote it: file names relative to OUT (workers/W/warc/NAME)
    assert (out / "index.cdxj").read_text(encoding="utf-8") == merged

    package = tmp_path / "r1.wacz"
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    wacz = run_command([*NEWSARCHIVE, "warc", "wacz", str(out), "-o", str(package)])
    assert wacz.returncode == 0, wacz.stdout + wacz.stderr
    assert f"{len(crawled)} articles listed" in wacz.stdout
    client = redis_server.client()
    for key in client.scan_iter("newsarchive:state:whole:*"):
        client.delete(key)


def test_a_later_redis_run_finds_its_originals_in_the_earlier_runs_workers_files(
    redis_server: LocalRedis, demo_site: DemoSite, tmp_path: Path
) -> None:
    """A plan's second run by Redis workers stores the home page, robots.txt and the
    sitemaps as revisits of the first run's records, which lie in ``r1/workers/W/warc``.
    Looking for them in the site's runs' ``index.cdxj``, ``reextract`` and ``warc wacz``
    took the worker's ``workers/`` folder for the site's and the merged index's
    ``workers/W/warc/NAME`` as a name in ``r1/warc/``: every such revisit was "not found",
    ``reextract`` failed its pages and ``warc wacz`` of the run wrote no package.
    """
    plan = tmp_path / "plan.toml"
    plan.write_text(local_plan(demo_site.base_url, name="later", site="demo"), encoding="utf-8")
    first = redis_plan_run(plan, redis_server.url, "r1")
    second = redis_plan_run(plan, redis_server.url, "r2")
    [worker] = (second / "workers").iterdir()
    for folder in (second, worker):
        again = tmp_path / "again.jsonl"
        redone = run_command([*NEWSARCHIVE, "reextract", str(folder), "--out", str(again)])
        assert redone.returncode == 0, redone.stderr[-3000:]
        assert "not found" not in redone.stderr
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    package = tmp_path / "r2.wacz"
    wacz = run_command([*NEWSARCHIVE, "warc", "wacz", str(second), "-o", str(package)])
    assert wacz.returncode == 0, wacz.stdout + wacz.stderr
    assert "earlier WARC file(s) added for revisits" in wacz.stdout
    names = {name.rsplit("/", 1)[-1] for name in zipfile.ZipFile(package).namelist()}
    assert {path.name for path in first.glob("workers/*/warc/*.warc.gz")} <= names
    client = redis_server.client()
    for key in client.scan_iter("newsarchive:state:later:*"):
        client.delete(key)
