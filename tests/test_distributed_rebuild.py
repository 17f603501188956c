"""crawl-finish's rebuild of a killed worker's records, unit by unit (no crawl).

A killed worker's WARC may hold a revisit whose original another worker archived
(workers share one payload-digest index): the rebuild must find that payload, or
the article is lost.
"""

from __future__ import annotations

from pathlib import Path

from support.redis_server import LocalRedis
from support.warccapture import capture_in, html_exchange

BASE = "http://127.0.0.1:9"


def test_a_revisit_of_another_workers_capture_is_rebuilt(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    from newsarchive.distributed.digests import RedisDigestIndex, digests_key
    from newsarchive.distributed.rebuild import exported_texts, rebuild_worker
    from newsarchive.server.generated import generated_article
    from newsarchive.summary import read_jsonl

    settings = {
        "NEWSARCHIVE_CRAWL_ID": "rebuild-revisit",
        "NEWSARCHIVE_STATE_BACKEND": "redis",
        "NEWSARCHIVE_REDIS_URL": redis_server.url,
    }
    article = generated_article(7)
    body = article.render(BASE).encode()
    workers = tmp_path / "crawl" / "workers"
    live, dead = capture_in(workers / "live", settings), capture_in(workers / "dead", settings)
    # The live worker archived the page (its item was claimed by the dead worker, which
    # died before writing it); the dead worker's own copy is a revisit of it.
    assert (
        live.archive(html_exchange(f"{BASE}{article.path}", body))["warc_record_type"] == "response"
    )
    assert (
        dead.archive(html_exchange(f"{BASE}{article.path}", body))["warc_record_type"] == "revisit"
    )
    for capture in (live, dead):
        capture.spider_closed(None, "finished")

    exported = exported_texts([workers / "live", workers / "dead"])
    assert exported == set()
    client = redis_server.client()
    index = RedisDigestIndex(client, digests_key(settings), workers / "dead" / "warc")
    result = rebuild_worker(workers / "dead", "rebuild-revisit", exported, index=index)
    assert result.records == 1
    [batch] = (workers / "dead" / "articles").glob("articles-rebuild-revisit-recovered-*.jsonl.gz")
    [record] = list(read_jsonl(batch))
    assert record["headline"] == article.headline
    # Run again (crawl-finish twice): the record is on file now, nothing is added.
    again = rebuild_worker(
        workers / "dead",
        "rebuild-revisit",
        exported_texts([workers / "live", workers / "dead"]),
        index=index,
    )
    assert again.records == 0


def test_articles_a_worker_exported_but_never_recorded_reach_the_plans_state(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """A kill between the export (800) and the state commit (850) leaves an exported
    article the state does not know: crawl-finish records it, once."""
    from newsarchive.distributed.rebuild import rebuild_worker
    from newsarchive.distributed.state import RedisCrawlState
    from newsarchive.export.jsonl import JsonLinesBatchWriter

    dead = tmp_path / "crawl" / "workers" / "dead"
    writer = JsonLinesBatchWriter(dead / "articles", "articles-unrecorded", 100)
    for number in (1, 2):
        writer.write(
            {
                "url": f"{BASE}/2024/05/0{number}/story.html",
                "article_id": f"a{number}",
                "content_hash": f"h{number}",
                "capture_id": f"c{number}",
                "article_version": 1,
                "provenance": {"fetch_status": 200, "fetched_at": "2024-05-01T00:00:00Z"},
            }
        )
    writer.close()
    state = RedisCrawlState(redis_server.client(), "unrecorded")
    state.record_version("a2", "h2", "c2", 1)  # this one the worker's state pipeline recorded
    result = rebuild_worker(dead, "unrecorded", set(), state=state)
    assert (result.records, result.noted_in_state) == (0, 1)
    assert state.exported_version("a1") == ("h1", "c1", 1)
    assert rebuild_worker(dead, "unrecorded", set(), state=state).noted_in_state == 0
