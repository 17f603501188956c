"""The Redis crawl state answers exactly like the SQLite one (same tests on both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from scrapy.settings import Settings
from support.redis_server import LocalRedis

from newsarchive.state import CrawlState, StateError


def ticking_clock() -> Any:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ticks = count()
    return lambda: start + timedelta(seconds=next(ticks))


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    if request.param == "sqlite":
        with CrawlState(tmp_path / "state.sqlite", clock=ticking_clock()) as sqlite_state:
            yield sqlite_state
        return
    from newsarchive.distributed.state import RedisCrawlState

    server = request.getfixturevalue("redis_server")
    plan = f"plan-{request.node.name.replace('[', '-').replace(']', '')}"
    redis_state = RedisCrawlState(server.client(), plan, clock=ticking_clock())
    yield redis_state
    for key in redis_state.client.scan_iter(match=f"{redis_state.prefix}:*"):
        redis_state.client.delete(key)
    redis_state.close()


ARTICLE = "https://news.example/2026/01/01/story.html"
CANONICAL = "https://news.example/story"


def test_new_url_is_fetched_and_archived_article_is_not(state: Any) -> None:
    assert state.fetch_decision(ARTICLE).reason == "new"
    state.record_fetch(
        ARTICLE,
        canonical_url=CANONICAL,
        article_id="a1",
        etag='"v1"',
        last_modified="Mon, 01 Jan 2026 00:00:00 GMT",
        payload_digest="sha1:X",
        content_hash="h1",
        status=200,
        warc_record_id="<urn:1>",
    )
    assert state.seen(ARTICLE) and state.seen(CANONICAL) and state.seen_article("a1")
    assert not state.seen("https://news.example/other")
    assert state.content_hash("a1") == "h1"
    assert state.fetch_decision(ARTICLE).fetch is False
    assert state.fetch_decision(ARTICLE).reason == "archived"
    conditional = state.fetch_decision(ARTICLE, "conditional")
    assert conditional.reason == "conditional"
    assert conditional.headers == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Mon, 01 Jan 2026 00:00:00 GMT",
    }
    assert state.article_count() == 1
    assert state.articles() == [("a1", CANONICAL, "h1")]
    with pytest.raises(ValueError, match="refetch"):
        state.fetch_decision(ARTICLE, "always")


def test_an_article_is_seen_through_a_link_with_another_session_id(state: Any) -> None:
    first = "https://news.example/a/story.html;jsessionid=0A1B2C3D4E5F60718293A4B5C6D7E8F9"
    state.record_fetch(
        first, canonical_url="https://news.example/a/story.html", article_id="a1", status=200
    )
    assert state.seen("https://news.example/a/story.html;jsessionid=OTHER")
    assert state.fetch_decision("https://news.example/a/story.html?PHPSESSID=x").fetch is False
    assert not state.seen("https://news.example/a/other.html;jsessionid=OTHER")


def test_error_pages_and_non_articles_do_not_count_as_archived(state: Any) -> None:
    state.record_fetch("https://news.example/gone", status=404)
    state.record_fetch("https://news.example/hub", status=200, payload_digest="sha1:H")
    assert not state.seen("https://news.example/gone")
    assert not state.seen("https://news.example/hub")
    assert state.article_count() == 0
    assert state.payload_digest("https://news.example/hub") == "sha1:H"
    assert state.conditional_headers("https://news.example/hub") == {}


def test_304_keeps_the_capture_it_confirmed_and_counts_fetches(state: Any) -> None:
    state.record_fetch(
        ARTICLE,
        article_id="a1",
        payload_digest="sha1:FULL",
        status=200,
        content_hash="h1",
        warc_record_id="<urn:full>",
        fetched_at="2026-01-01T00:00:00Z",
    )
    state.record_fetch(
        ARTICLE,
        etag='"v2"',
        payload_digest="sha1:EMPTY",
        status=304,
        warc_record_id="<urn:revisit>",
        fetched_at="2026-01-02T00:00:00Z",
    )
    capture = state.last_capture(ARTICLE)
    assert capture.status == 304 and capture.fetch_count == 2
    assert capture.payload_digest == "sha1:FULL"
    assert capture.warc_record_id == "<urn:full>"
    assert capture.fetched_at == "2026-01-01T00:00:00Z"
    assert capture.etag == '"v2"' and capture.article_id == "a1" and capture.content_hash == "h1"
    # A later full fetch without a digest replaces it (no coalescing for capture fields).
    state.record_fetch(ARTICLE, status=200)
    assert state.last_capture(ARTICLE).payload_digest is None
    assert state.last_capture("https://news.example/never") is None


def test_runs_interrupted_resumed_finished_and_previous(state: Any) -> None:
    first = state.start_run("herald")
    state.finish_run(first, {"articles": 10})
    crashed = state.start_run("herald")
    third = state.start_run("herald")  # the crashed one never finished
    statuses = {run.run_id: run.status for run in state.runs("herald")}
    assert statuses == {first: "finished", crashed: "interrupted", third: "running"}
    assert state.start_run("herald", resume_run_id=crashed) == crashed
    assert state.previous_run("herald").run_id == first
    assert state.previous_run("herald").stats == {"articles": 10}
    assert state.previous_run("herald", before=first) is None
    assert state.previous_run("gazette") is None
    other = state.start_run("gazette")
    assert [run.run_id for run in state.runs()] == sorted([first, crashed, third, other])
    with pytest.raises(KeyError):
        state.finish_run(10_000, {})


def test_both_stores_keep_one_contract_and_open_a_crawls_run(state: Any) -> None:
    from newsarchive.state import CrawlStateStore

    assert isinstance(state, CrawlStateStore)
    run_id = state.run_for_crawl("daily", "crawl-1")
    [run] = state.runs("daily")
    assert (run.run_id, run.status) == (run_id, "running")
    state.finish_run(run_id, {"articles": 2})
    assert state.previous_run("daily").run_id == run_id


def test_scheduler_slots(state: Any) -> None:
    assert state.last_slot("herald") is None
    slot = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    state.set_last_slot("herald", slot)
    assert state.last_slot("herald") == slot


def test_two_workers_share_one_state_and_one_run(redis_server: LocalRedis) -> None:
    from newsarchive.distributed.state import RedisCrawlState

    first = RedisCrawlState.from_url(redis_server.url, "shared-plan")
    second = RedisCrawlState.from_url(redis_server.url, "shared-plan")
    other_plan = RedisCrawlState.from_url(redis_server.url, "other-plan")
    first.record_fetch(ARTICLE, article_id="a1", status=200, content_hash="h1")
    assert second.fetch_decision(ARTICLE).reason == "archived"
    assert other_plan.fetch_decision(ARTICLE).reason == "new"
    run = first.run_for_crawl("herald", "crawl-1")
    assert second.run_for_crawl("herald", "crawl-1") == run
    assert [r.status for r in second.runs("herald")] == ["running"]
    keys = list(first.client.scan_iter(match="newsarchive:state:shared-plan:*"))
    assert keys and all(k.startswith("newsarchive:state:shared-plan:") for k in keys)
    assert not list(first.client.scan_iter(match="newsarchive:crawl:*"))


def test_factory_picks_the_backend_from_settings(tmp_path: Any, redis_server: LocalRedis) -> None:
    from newsarchive.distributed.state import RedisCrawlState, open_crawl_state

    assert open_crawl_state(Settings()) is None
    sqlite_state = open_crawl_state(Settings({"NEWSARCHIVE_STATE_PATH": str(tmp_path / "s.db")}))
    assert isinstance(sqlite_state, CrawlState)
    sqlite_state.close()
    redis_state = open_crawl_state(
        Settings(
            {
                "NEWSARCHIVE_STATE_BACKEND": "redis",
                "NEWSARCHIVE_REDIS_URL": redis_server.url,
                "NEWSARCHIVE_PLAN_NAME": "factory-plan",
            }
        )
    )
    assert isinstance(redis_state, RedisCrawlState) and redis_state.plan == "factory-plan"
    with pytest.raises(StateError, match="NEWSARCHIVE_REDIS_URL"):
        open_crawl_state(Settings({"NEWSARCHIVE_STATE_BACKEND": "redis"}))
    with pytest.raises(StateError, match="sqlite or redis"):
        open_crawl_state(Settings({"NEWSARCHIVE_STATE_BACKEND": "mongo"}))
    with pytest.raises(StateError, match="cannot reach"):
        RedisCrawlState.from_url("redis://127.0.0.1:1/0", "p")
    with pytest.raises(ValueError, match="plan name"):
        RedisCrawlState(redis_state.client, "bad plan*")
