"""A site of a plan (or a host of a crawl without one) cannot hold another's only archived bytes.

The plan's payload-digest index is keyed by (site, digest): a copycat site crawled
first that serves byte-identical copies of another site's pages does not turn that
site's captures into revisits of its own records. The copied site's crawl folder
keeps full ``response`` records, re-reads after the copycat's output is deleted,
and its own runs still revisit each other (SQLite index, Redis index, and an index
file written before entries named their site). Crawls of URL lists have no site
name: each capture's host is its site, so URL crawls sharing a state file (and the
hosts of one crawl) keep apart the same way.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from support.crawls import NO_DELAY, QUIET, crawl_command, crawl_plan, run_command, run_newsarchive
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


def assert_victim_stands_alone(first: Path, urls: list[str], copycat_out: Path) -> None:
    """The victim's captures are full records of its own, and still re-read every article
    once the copycat's output is gone."""
    kinds = kinds_by_url(first)
    for url in urls:  # full records in the victim's own folder, no revisit of the copycat
        assert kinds.get(url) == {"response"}, (url, kinds)
    shutil.rmtree(copycat_out)
    again = first.parent / f"{first.name}-again.jsonl"
    done = run_newsarchive("reextract", first, "--out", again)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "not found" not in done.stdout + done.stderr
    reread = {json.loads(line)["url"] for line in again.read_text().splitlines()}
    assert set(urls) <= reread, sorted(reread)


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
        assert_victim_stands_alone(first, urls, tmp_path / "out/copycat")

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
    copied = copycat.archive(html_exchange("http://copy.test/copy.html", body))
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


def crawl_urls(url: str, out: Path, state: Path, crawl_id: str) -> None:
    """``newsarchive crawl URL --out OUT -s NEWSARCHIVE_STATE_PATH=STATE``, which must succeed."""
    settings = {**NO_DELAY, **QUIET, "NEWSARCHIVE_STATE_PATH": state}
    done = run_command(crawl_command(url, out, crawl_id=crawl_id, settings=settings))
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def test_url_crawls_sharing_a_state_file_keep_each_hosts_originals(tmp_path: Path) -> None:
    """Two URL lists crawled with one state file: the list crawled first, on a hostile host
    copying the other's pages, does not turn the other's captures into revisits of its own."""
    state = tmp_path / "state/urls.sqlite"
    with RawSite() as victim, RawSite() as copycat:
        urls = serve_copies(victim, copycat)
        other_host = copycat.base_url.replace("127.0.0.1", "localhost")
        crawl_urls(f"{other_host}/", tmp_path / "out/copycat", state, "c1")
        copies = [url.replace(victim.base_url, other_host) for url in urls]
        copied = kinds_by_url(tmp_path / "out/copycat")
        assert all(copied.get(url) == {"response"} for url in copies), sorted(copied)
        first = tmp_path / "out/victim1"
        crawl_urls(f"{victim.base_url}/", first, state, "v1")
        assert_victim_stands_alone(first, urls, tmp_path / "out/copycat")

        # The victim's next crawl with the state still revisits its own first captures.
        second = tmp_path / "out/victim2"
        crawl_urls(f"{victim.base_url}/", second, state, "v2")
        originals = {
            r.rec_headers.get_header("WARC-Record-ID")
            for _, r in warc_records(first)
            if r.rec_type == "response"
        }
        revisits = [r for _, r in warc_records(second) if r.rec_type == "revisit"]
        assert any(
            r.rec_headers.get_header("WARC-Target-URI") == f"{victim.base_url}/" for r in revisits
        ), "the victim's home page was not a revisit of its first crawl"
        assert all(r.rec_headers.get_header("WARC-Refers-To") in originals for r in revisits)


def test_one_crawl_of_two_hosts_keeps_each_hosts_originals(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """Without a plan a capture's site is its host and port: a page of one host is never a
    revisit of another host's identical bytes, in the crawl's own SQLite index or in the
    Redis index its workers share; the same host's copy still is."""
    body = b"<html><p>an article a hostile host serves byte for byte</p></html>"
    redis_settings = {
        "NEWSARCHIVE_CRAWL_ID": "urls",
        "NEWSARCHIVE_STATE_BACKEND": "redis",
        "NEWSARCHIVE_REDIS_URL": redis_server.url,
    }
    try:
        for name, settings in (("sqlite", {}), ("redis", redis_settings)):
            capture = capture_in(tmp_path / name, settings)
            hostile = capture.archive(html_exchange("http://copy.test/copy.html", body))
            victim = capture.archive(html_exchange("http://www.news.test/story.html", body))
            again = capture.archive(html_exchange("http://news.test:80/story-again.html", body))
            capture.spider_closed(None, "finished")
            assert hostile["warc_record_type"] == "response", name
            assert victim["warc_record_type"] == "response", name  # not the hostile host's
            assert again["warc_record_type"] == "revisit", (
                name
            )  # same host and port (www. and :80 aside)
            assert again["refers_to"]["warc_record_id"] == victim["warc_record_id"], name
    finally:
        redis_server.client().delete("newsarchive:crawl:urls:digests")


def test_url_crawl_entries_written_before_hosts_were_keyed_serve_their_own_host(
    tmp_path: Path,
) -> None:
    """A state's index of the earlier layout, where crawls without a plan keyed their
    entries by the site ``""``: an entry still serves a later capture on its own host
    (no second full copy after the upgrade), never one on another host."""
    state = tmp_path / "state/urls.sqlite"
    settings = {"NEWSARCHIVE_STATE_PATH": str(state)}
    body = b"<html><p>an unchanged page</p></html>"
    earlier = capture_in(tmp_path / "out/one", settings)
    page = earlier.archive(html_exchange("http://news.test/p", body))
    earlier.spider_closed(None, "finished")
    index = state.with_name("urls.digests.sqlite")
    with sqlite3.connect(index) as db:
        assert db.execute("UPDATE site_payloads SET site = ''").rowcount == 1
    db.close()

    later = capture_in(tmp_path / "out/two", settings)
    other = later.archive(html_exchange("http://copy.test/p", body))
    unchanged = later.archive(html_exchange("http://news.test/p", body))
    later.spider_closed(None, "finished")
    assert other["warc_record_type"] == "response"
    assert unchanged["warc_record_type"] == "revisit"
    assert unchanged["refers_to"]["warc_record_id"] == page["warc_record_id"]
