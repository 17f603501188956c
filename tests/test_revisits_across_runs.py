"""Identical payloads across the runs and workers of a plan become revisits that resolve.

One payload-digest index per plan (beside its crawl state; in Redis for workers):
the second run of a plan stores robots.txt, sitemaps, the home page and an
article it re-fetches as ``revisit`` records referring to the first run's
records, and two workers fetching the same payload store it once. Every revisit
resolves: the record it refers to exists, with the same payload digest, at the
place its pointer names (relative to the revisit's own WARC folder).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from support.crawls import crawl_plan, crawl_twice_refetching, local_plan, run_newsarchive
from support.redis_server import LocalRedis
from support.warccapture import capture_in, html_exchange
from warcio.archiveiterator import ArchiveIterator

from newsarchive.server import DemoSite


def records(folder: Path) -> Iterator[tuple[Path, Any]]:
    for path in sorted(folder.glob("warc/*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                yield path, record


def full_captures(folder: Path) -> dict[str, str]:
    """WARC-Record-ID -> payload digest of every response record under ``folder``."""
    return {
        r.rec_headers.get_header("WARC-Record-ID"): r.rec_headers.get_header("WARC-Payload-Digest")
        for _, r in records(folder)
        if r.rec_type == "response"
    }


def digest_at(path: Path, offset: int) -> tuple[str, str]:
    """(record type, payload digest) of the record at ``offset`` of ``path``."""
    with path.open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        return record.rec_type, record.rec_headers.get_header("WARC-Payload-Digest")


def test_second_run_of_a_plan_revisits_the_first_runs_payloads(
    demo_site: DemoSite, tmp_path: Path
) -> None:
    first, second = crawl_twice_refetching(tmp_path, demo_site.base_url)
    originals = full_captures(first)
    revisits = {
        r.rec_headers.get_header("WARC-Target-URI"): r.rec_headers
        for _, r in records(second)
        if r.rec_type == "revisit"
    }
    base = demo_site.base_url
    assert f"{base}/robots.txt" in revisits
    assert f"{base}/" in revisits
    assert any("sitemap" in url for url in revisits), sorted(revisits)
    articles = {
        json.loads(line)["url"]
        for line in (first / "pages.jsonl").read_text().splitlines()
        if json.loads(line).get("outcome") == "article"
    }
    assert articles & set(revisits), "no re-fetched article became a revisit"
    for headers in revisits.values():
        refers_to = headers.get_header("WARC-Refers-To")
        assert originals.get(refers_to) == headers.get_header("WARC-Payload-Digest")
    # The plan's index names each original's file relative to the asking crawl's WARC
    # folder (what a revisit's refers_to pointer holds): it leads to the first run's record.
    from newsarchive.warc.digests import DigestIndex, scope_of

    assert (tmp_path / "state" / "twice.digests.sqlite").exists()
    index = DigestIndex(
        tmp_path / "state" / "twice.digests.sqlite",
        warc_dir=second / "warc",
        scope=scope_of(second / "warc", "demo"),
    )
    try:
        for headers in revisits.values():
            digest = headers.get_header("WARC-Payload-Digest")
            entry = index.lookup(digest, headers.get_header("WARC-Target-URI"))
            assert entry is not None and entry.record_id == headers.get_header("WARC-Refers-To")
            original = (second / "warc" / entry.filename).resolve()
            assert original.parent == (first / "warc").resolve()
            assert digest_at(original, entry.offset) == (
                "response",
                headers.get_header("WARC-Payload-Digest"),
            )
    finally:
        index.close()


def test_two_redis_workers_store_a_shared_payload_once(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    settings = {
        "NEWSARCHIVE_CRAWL_ID": "shared-digests",
        "NEWSARCHIVE_STATE_BACKEND": "redis",
        "NEWSARCHIVE_REDIS_URL": redis_server.url,
        "NEWSARCHIVE_PLAN_NAME": "digestplan",
    }
    out = tmp_path / "crawl" / "workers"
    one, two = capture_in(out / "one", settings), capture_in(out / "two", settings)
    body = b"<html><p>the same robots-like payload</p></html>"
    first = one.archive(html_exchange("http://127.0.0.1:9/robots.txt", body))
    second = two.archive(html_exchange("http://127.0.0.1:9/robots.txt", body))
    other = two.archive(html_exchange("http://127.0.0.1:9/other", b"<p>different</p>"))
    for capture in (one, two):
        capture.spider_closed(None, "finished")
    assert first["warc_record_type"] == "response"
    assert second["warc_record_type"] == "revisit"
    assert other["warc_record_type"] == "response"
    assert second["refers_to"]["warc_record_id"] == first["warc_record_id"]
    # The pointer leads from the second worker's WARC folder to the first worker's record.
    original = (out / "two" / "warc" / second["refers_to"]["warc_filename"]).resolve()
    assert original == (out / "one" / "warc" / first["warc_filename"]).resolve()
    record_type, digest = digest_at(original, second["refers_to"]["warc_record_offset"])
    assert (record_type, digest) == ("response", second["content_digest"])
    revisit = [r for _, r in records(out / "two") if r.rec_type == "revisit"]
    assert len(revisit) == 1
    assert revisit[0].rec_headers.get_header("WARC-Refers-To") == first["warc_record_id"]
    assert full_captures(out / "one")[first["warc_record_id"]] == digest
    # The index belongs to the plan: a later run's worker finds the payload too.
    client = redis_server.client()
    # (no site name: the field is the capture's host and port, see digests.url_site)
    assert client.hexists("newsarchive:state:digestplan:digests", f"127.0.0.1:9/{digest}")
    later = capture_in(tmp_path / "later" / "workers" / "w", settings)
    again = later.archive(html_exchange("http://127.0.0.1:9/robots.txt", body))
    later.spider_closed(None, "finished")
    assert again["warc_record_type"] == "revisit"
    assert (tmp_path / "later/workers/w/warc" / again["refers_to"]["warc_filename"]).resolve() == (
        original
    )
    client.delete("newsarchive:state:digestplan:digests")


def test_after_a_run_is_deleted_no_revisit_points_at_it(
    demo_site: DemoSite, tmp_path: Path
) -> None:
    """The plan's index forgets captures whose WARC files are gone: the next copy is full."""
    import shutil

    plan = tmp_path / "plan.toml"
    text = local_plan(demo_site.base_url, name="gone", site="demo", output="output")
    plan.write_text(text, encoding="utf-8")
    crawl_plan(plan, "run1")
    shutil.rmtree(tmp_path / "output/demo/run1")
    crawl_plan(plan, "run2")
    second = tmp_path / "output/demo/run2"
    kinds = {
        r.rec_headers.get_header("WARC-Target-URI"): r.rec_type
        for _, r in records(second)
        if r.rec_type in ("response", "revisit")
    }
    assert kinds[f"{demo_site.base_url}/robots.txt"] == "response"  # stored in full again
    assert "revisit" not in {
        kind for url, kind in kinds.items() if url.endswith(("/robots.txt", "/"))
    }


def test_after_a_redis_workers_run_is_deleted_no_revisit_points_at_it(
    demo_site: DemoSite, redis_server: LocalRedis, tmp_path: Path
) -> None:
    """The plan's index in Redis forgets captures whose WARC files are gone, as SQLite's does.

    Its entries outlive every crawl (``crawl-finish`` keeps them): after an archivist
    deleted a run's folder, the next run of Redis workers stored robots.txt, the
    sitemaps and the home page as revisits of records that no longer exist, so that run
    held none of those bytes and replayed nothing.
    """
    import shutil

    plan = tmp_path / "plan.toml"
    text = local_plan(demo_site.base_url, name="goneredis", site="demo", output="output")
    plan.write_text(text, encoding="utf-8")
    worker = ("--redis", redis_server.url, "-s", "NEWSARCHIVE_REDIS_IDLE_GRACE=1")
    for run in ("run1", "run2"):
        if run == "run2":
            shutil.rmtree(tmp_path / "output/demo/run1")
        crawl_plan(plan, run, *worker)
        finish = ("crawl-finish", run, "--redis", redis_server.url)
        done = run_newsarchive(*finish, "--out", tmp_path / "output/demo" / run)
        assert done.returncode == 0, done.stdout + done.stderr
    second = [
        record
        for folder in sorted((tmp_path / "output/demo/run2/workers").iterdir())
        for _, record in records(folder)
        if record.rec_type in ("response", "revisit")
    ]
    kinds = {r.rec_headers.get_header("WARC-Target-URI"): r.rec_type for r in second}
    assert kinds[f"{demo_site.base_url}/robots.txt"] == "response"  # stored in full again
    own = {r.rec_headers.get_header("WARC-Record-ID") for r in second}
    dangling = [
        r.rec_headers.get_header("WARC-Target-URI")
        for r in second
        if r.rec_type == "revisit" and r.rec_headers.get_header("WARC-Refers-To") not in own
    ]
    assert dangling == []
    client = redis_server.client()
    for key in client.scan_iter("newsarchive:state:goneredis:*"):
        client.delete(key)
