"""A site of a plan cannot hold another site's only archived bytes.

The plan's payload-digest index is keyed by (site, digest): a copycat site crawled
first that serves byte-identical copies of another site's pages does not turn that
site's captures into revisits of its own records. The copied site's crawl folder
keeps full ``response`` records, re-reads after the copycat's output is deleted,
and its own runs still revisit each other (SQLite index, Redis index, and an index
file written before entries named their site).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from support.crawls import crawl_plan, run_newsarchive
from support.redis_server import LocalRedis
from support.warccapture import capture_in, html_exchange
from support.warcsite import RawSite, Route, html_page, http_response
from warcio.archiveiterator import ArchiveIterator

from newsarchive.server.generated import generated_article

HTML = [("Content-Type", "text/html; charset=utf-8")]

PLAN = """
[plan]
name = "copycat"
state = "state/copycat.sqlite"
output = "out"

[defaults]
contact = "mailto:a@example.org"
allow_private = true

[defaults.politeness]
delay = 0.0
autothrottle = false

[[sites]]
name = "copycat"
seeds = ["{copycat}/"]

[[sites]]
name = "victim"
seeds = ["{victim}/"]
"""


def warc_records(folder: Path) -> Iterator[tuple[Path, Any]]:
    for path in sorted(folder.glob("warc/*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                yield path, record


def kinds_by_url(folder: Path) -> dict[str, set[str]]:
    """Target URI -> record types of the response/revisit records under ``folder``."""
    kinds: dict[str, set[str]] = {}
    for _, record in warc_records(folder):
        if record.rec_type in ("response", "revisit"):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            kinds.setdefault(uri, set()).add(record.rec_type)
    return kinds


def serve_copies(victim: RawSite, copycat: RawSite) -> list[str]:
    """Three victim articles, served byte for byte by the copycat too; the victim's URLs."""
    articles = [generated_article(n) for n in (3, 4, 5)]
    victim.routes["/"] = Route(
        http_response("200 OK", HTML, html_page("Home", [a.path for a in articles], 20))
    )
    for article in articles:
        body = article.render(victim.base_url).encode()
        victim.routes[article.path] = Route(http_response("200 OK", HTML, body))
        copycat.routes[article.path] = Route(http_response("200 OK", HTML, body))
    copycat.routes["/"] = victim.routes["/"]
    return [victim.base_url + a.path for a in articles]


def test_copycat_site_crawled_first_cannot_hold_the_victims_bytes(tmp_path: Path) -> None:
    with RawSite() as victim, RawSite() as copycat:
        urls = serve_copies(victim, copycat)
        other_host = copycat.base_url.replace("127.0.0.1", "localhost")
        plan = tmp_path / "plan.toml"
        plan.write_text(PLAN.format(copycat=other_host, victim=victim.base_url), encoding="utf-8")
        crawl_plan(plan, "c1", "--site", "copycat")
        copied = kinds_by_url(tmp_path / "out/copycat/c1")
        copies = [url.replace(victim.base_url, other_host) for url in urls]
        assert all(copied.get(url) == {"response"} for url in copies), sorted(copied)
        crawl_plan(plan, "c1", "--site", "victim")
        first = tmp_path / "out/victim/c1"
        kinds = kinds_by_url(first)
        for url in urls:  # full records in the victim's own folder, no revisit of the copycat
            assert kinds.get(url) == {"response"}, (url, kinds)

        # The copycat's output gone, the victim's folder still re-reads every article.
        shutil.rmtree(tmp_path / "out/copycat")
        again = tmp_path / "again.jsonl"
        done = run_newsarchive("reextract", first, "--out", again)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        assert "not found" not in done.stdout + done.stderr
        reread = {json.loads(line)["url"] for line in again.read_text().splitlines()}
        assert set(urls) <= reread, sorted(reread)

        # The victim's next run still revisits its own first run's captures.
        crawl_plan(plan, "c2", "--site", "victim")
        second = tmp_path / "out/victim/c2"
        originals = {
            r.rec_headers.get_header("WARC-Record-ID"): path
            for path, r in warc_records(first)
            if r.rec_type == "response"
        }
        revisits = [r for _, r in warc_records(second) if r.rec_type == "revisit"]
        home = [
            r
            for r in revisits
            if r.rec_headers.get_header("WARC-Target-URI") == f"{victim.base_url}/"
        ]
        assert home, "the victim's home page was not a revisit of its first run"
        for record in revisits:
            assert record.rec_headers.get_header("WARC-Refers-To") in originals


def test_redis_workers_of_two_sites_keep_their_own_originals(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """Workers share one Redis index per plan: a revisit stays within its site's workers."""
    base = {
        "NEWSARCHIVE_CRAWL_ID": "c1",
        "NEWSARCHIVE_STATE_BACKEND": "redis",
        "NEWSARCHIVE_REDIS_URL": redis_server.url,
        "NEWSARCHIVE_PLAN_NAME": "twosites",
    }
    copycat = capture_in(
        tmp_path / "out/copycat/c1/workers/a", {**base, "NEWSARCHIVE_SITE_NAME": "copycat"}
    )
    victim_settings = {**base, "NEWSARCHIVE_SITE_NAME": "victim"}
    one = capture_in(tmp_path / "out/victim/c1/workers/b", victim_settings)
    two = capture_in(tmp_path / "out/victim/c1/workers/c", victim_settings)
    body = b"<html><p>an article the copycat serves byte for byte</p></html>"
    copied = copycat.archive(html_exchange("http://localhost:9/copy.html", body))
    first = one.archive(html_exchange("http://127.0.0.1:9/article.html", body))
    second = two.archive(html_exchange("http://127.0.0.1:9/article-again.html", body))
    for capture in (copycat, one, two):
        capture.spider_closed(None, "finished")
    try:
        assert copied["warc_record_type"] == "response"
        assert first["warc_record_type"] == "response"  # not a revisit of the copycat's
        assert second["warc_record_type"] == "revisit"  # another worker of the same site
        assert second["refers_to"]["warc_record_id"] == first["warc_record_id"]
        original = tmp_path / "out/victim/c1/workers/c/warc" / second["refers_to"]["warc_filename"]
        assert (
            original.resolve()
            == (tmp_path / "out/victim/c1/workers/b/warc" / first["warc_filename"]).resolve()
        )
    finally:
        redis_server.client().delete("newsarchive:state:twosites:digests")


OLD_SCHEMA = """
CREATE TABLE payloads (
    digest      TEXT PRIMARY KEY,
    uri         TEXT NOT NULL,
    warc_date   TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    filename    TEXT NOT NULL,
    offset      INTEGER NOT NULL,
    length      INTEGER NOT NULL
)
"""


def archived(folder: Path, site: str, url: str, body: bytes, scratch: Path) -> dict[str, Any]:
    """Archive one page into ``folder`` (its digests indexed apart, in ``scratch``)."""
    settings = {"NEWSARCHIVE_STATE_PATH": str(scratch), "NEWSARCHIVE_SITE_NAME": site}
    capture = capture_in(folder, settings)
    pointer = capture.archive(html_exchange(url, body))
    capture.spider_closed(None, "finished")
    pointer["uri"] = url
    return pointer


def old_entry(pointer: dict[str, Any], folder: Path, index: Path) -> tuple[Any, ...]:
    """The row an older version wrote for ``pointer`` (file relative to the index's folder)."""
    import os

    path = folder / "warc" / pointer["warc_filename"]
    with path.open("rb") as stream:
        stream.seek(pointer["warc_record_offset"])
        date = next(iter(ArchiveIterator(stream))).rec_headers.get_header("WARC-Date")
    return (
        pointer["content_digest"],
        pointer["uri"],
        date,
        pointer["warc_record_id"],
        os.path.relpath(path, index.parent),
        pointer["warc_record_offset"],
        pointer["warc_record_length"],
    )


def test_an_index_of_the_older_layout_keeps_working_within_each_site(tmp_path: Path) -> None:
    """Entries keyed by digest alone count for a site only when its file is in the site's folder."""
    scratch = tmp_path / "scratch/s.sqlite"
    copied = b"<html><p>copied article</p></html>"
    own = b"<html><p>the victim's unchanged page</p></html>"
    copy = archived(tmp_path / "out/copycat/c1", "copycat", "http://localhost:9/c", copied, scratch)
    page = archived(tmp_path / "out/victim/c1", "victim", "http://127.0.0.1:9/p", own, scratch)
    index = tmp_path / "state/plan.digests.sqlite"
    index.parent.mkdir()
    with sqlite3.connect(index) as db:
        db.execute(OLD_SCHEMA)
        db.executemany(
            "INSERT INTO payloads VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                old_entry(copy, tmp_path / "out/copycat/c1", index),
                old_entry(page, tmp_path / "out/victim/c1", index),
            ],
        )
    db.close()

    settings = {
        "NEWSARCHIVE_STATE_PATH": str(tmp_path / "state/plan.sqlite"),
        "NEWSARCHIVE_SITE_NAME": "victim",
    }
    later = capture_in(tmp_path / "out/victim/c2", settings)
    mine = later.archive(html_exchange("http://127.0.0.1:9/a", copied))
    unchanged = later.archive(html_exchange("http://127.0.0.1:9/p", own))
    later.spider_closed(None, "finished")
    assert mine["warc_record_type"] == "response"  # the old entry is the copycat's
    assert unchanged["warc_record_type"] == "revisit"  # the old entry is the victim's own
    assert unchanged["refers_to"]["warc_record_id"] == page["warc_record_id"]
    original = tmp_path / "out/victim/c2/warc" / unchanged["refers_to"]["warc_filename"]
    assert original.resolve() == (tmp_path / "out/victim/c1/warc" / page["warc_filename"]).resolve()
