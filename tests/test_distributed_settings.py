"""Worker-mode settings, key names and the idle rule (no Redis server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.crawler import CrawlOptions
from newsarchive.distributed.heartbeats import Heartbeat
from newsarchive.distributed.keys import crawl_pattern, crawl_prefix, state_prefix
from newsarchive.distributed.settings import (
    DEFAULT_KEY_SETTINGS,
    FILTER_MIDDLEWARE,
    KEY_TEMPLATES,
    RELEASE_MIDDLEWARE,
    RELEASE_SPIDER_MIDDLEWARE,
    WORKERS_EXTENSION,
    project_components,
    redis_settings,
)
from newsarchive.distributed.worker import worker_options
from newsarchive.distributed.workers import decide_idle

scrapy_redis_defaults = pytest.importorskip(
    "scrapy_redis.defaults", reason="pip install -e '.[distributed]'"
)
URL = "redis://127.0.0.1:6379/0"


def test_every_scrapy_redis_key_template_carries_the_crawl_id() -> None:
    settings = redis_settings(URL, "crawl-7")
    key_constants = {name for name in vars(scrapy_redis_defaults) if name.endswith("_KEY")}
    # A new key in a scrapy-redis release must be looked at, not silently shared.
    assert key_constants == set(DEFAULT_KEY_SETTINGS)
    for constant, setting in DEFAULT_KEY_SETTINGS.items():
        if setting is None:
            continue
        assert settings[setting].startswith("newsarchive:crawl:crawl-7:"), constant
        # The spider's name still goes in (scrapy-redis %-formats these templates).
        placeholder = "%(name)s" if "START_URLS" in constant else "%(spider)s"
        assert placeholder in settings[setting]
    assert set(KEY_TEMPLATES) <= set(settings)


def test_defensive_scheduler_settings() -> None:
    settings = redis_settings(URL, "crawl-7")
    from scrapy.utils.misc import load_object
    from scrapy_redis.scheduler import Scheduler

    assert issubclass(load_object(settings["SCHEDULER"]), Scheduler)  # scrapy-redis's, extended
    inflight = settings["NEWSARCHIVE_REDIS_INFLIGHT_KEY"]
    assert inflight == "newsarchive:crawl:crawl-7:%(spider)s:inflight"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_QUEUE_CLASS"] == "scrapy_redis.queue.PriorityQueue"
    assert settings["SCHEDULER_PERSIST"] is True
    assert settings["SCHEDULER_FLUSH_ON_START"] is False
    assert settings["SCHEDULER_IDLE_BEFORE_CLOSE"] == 0
    assert settings["REDIS_URL"] == URL
    assert settings["NEWSARCHIVE_STATE_BACKEND"] == "redis"
    assert settings["NEWSARCHIVE_CRAWL_ID"] == "crawl-7"


def test_component_dicts_keep_the_project_components() -> None:
    settings = redis_settings(URL, "c1")
    for name, ours in (
        ("EXTENSIONS", {WORKERS_EXTENSION}),
        ("SPIDER_MIDDLEWARES", {FILTER_MIDDLEWARE, RELEASE_SPIDER_MIDDLEWARE}),
        ("DOWNLOADER_MIDDLEWARES", {RELEASE_MIDDLEWARE}),
    ):
        project = project_components(name)
        assert ours <= set(settings[name])
        assert {k: v for k, v in settings[name].items() if k not in ours} == project
    assert "newsarchive.warc.capture.WarcCapture" in settings["EXTENSIONS"]


def test_sites_of_one_crawl_get_their_own_queues_under_the_crawl_prefix() -> None:
    herald = redis_settings(URL, "c1", site="herald")["SCHEDULER_QUEUE_KEY"]
    gazette = redis_settings(URL, "c1", site="gazette")["SCHEDULER_QUEUE_KEY"]
    assert herald != gazette
    assert herald.startswith(crawl_prefix("c1") + ":")
    assert gazette.startswith("newsarchive:crawl:c1:")


@pytest.mark.parametrize("crawl_id", ["", "a b", "x*", "50%", "a:b", "é", "x" * 200])
def test_unsafe_crawl_ids_are_refused(crawl_id: str) -> None:
    with pytest.raises(ValueError, match="crawl id"):
        redis_settings(URL, crawl_id)


def test_crawl_patterns_do_not_overlap() -> None:
    import fnmatch

    assert not fnmatch.fnmatchcase("newsarchive:crawl:ab:news:requests", crawl_pattern("a"))
    assert fnmatch.fnmatchcase("newsarchive:crawl:a:news:requests", crawl_pattern("a"))
    assert not state_prefix("plan").startswith(crawl_prefix("plan"))


def test_a_redis_url_is_required() -> None:
    with pytest.raises(ValueError, match="redis://"):
        redis_settings("127.0.0.1:6379", "c1")


def test_worker_options(tmp_path: Path) -> None:
    options = CrawlOptions(
        start_urls=["http://127.0.0.1:1/"],
        out_dir=tmp_path,
        crawl_id="c1",
        overrides={"NEWSARCHIVE_REDIS_IDLE_GRACE": 0.5},
    )
    worker = worker_options(options, URL, check=False)
    assert worker.out_dir.parent == tmp_path / "workers"
    assert "-p" in worker.out_dir.name  # host and process id
    assert worker.overrides["NEWSARCHIVE_REDIS_IDLE_GRACE"] == 0.5  # -s wins
    assert worker.overrides["SCHEDULER_PERSIST"] is True
    assert options.out_dir == tmp_path  # the caller's options are untouched
    with pytest.raises(ValueError, match="--crawl-id"):
        worker_options(CrawlOptions(start_urls=[], out_dir=tmp_path), URL, check=False)


def beat(worker: str, busy: bool, seen: float) -> Heartbeat:
    return Heartbeat(worker=worker, host="h", pid=1, busy=busy, seen=seen, started=0.0, out_dir="")


@pytest.mark.parametrize(
    ("queued", "peers", "idle_since", "stay", "new_idle_since"),
    [
        (5, [], 90.0, True, None),  # work queued: stay, idle clock reset
        (0, [beat("b", True, 99.0)], 90.0, True, None),  # a live peer is busy
        (0, [beat("b", True, 50.0)], None, True, 100.0),  # busy but dead peer: clock starts
        (0, [beat("b", False, 99.0)], None, True, 100.0),  # first idle moment
        (0, [], 98.0, True, 98.0),  # within grace
        (0, [beat("b", False, 99.0)], 96.0, False, 96.0),  # idle long enough: leave
    ],
)
def test_idle_rule(
    queued: int,
    peers: list[Heartbeat],
    idle_since: float | None,
    stay: bool,
    new_idle_since: float | None,
) -> None:
    decision = decide_idle(
        queued=queued, peers=peers, now=100.0, idle_since=idle_since, grace=3.0, stale_after=15.0
    )
    assert (decision.stay, decision.idle_since) == (stay, new_idle_since)


def test_heartbeat_round_trip_and_malformed_input() -> None:
    original = beat("h~p1", True, 12.5)
    assert Heartbeat.from_json(original.to_json()) == original
    assert Heartbeat.from_json("not json") is None
    assert Heartbeat.from_json('{"worker": "x"}') is None


def test_worker_mode_says_clearly_when_redis_is_unreachable(tmp_path: Path) -> None:
    options = CrawlOptions(start_urls=["http://127.0.0.1:1/"], out_dir=tmp_path, crawl_id="c1")
    with pytest.raises(ValueError, match=r"cannot reach Redis at redis://127\.0\.0\.1:1/0"):
        worker_options(options, "redis://127.0.0.1:1/0")


def test_the_redis_mixin_idle_clock_is_fixed_at_import_time() -> None:
    """Why we do not rely on MAX_IDLE_TIME_BEFORE_CLOSE (docs/distributed.md, trap 4).

    If a scrapy-redis release moves the clock to spider start, this fails and the
    documentation should be revisited.
    """
    import time

    from scrapy_redis.spiders import RedisMixin, RedisSpider

    imported_at = RedisMixin.spider_idle_start_time
    assert "spider_idle_start_time" in vars(RedisMixin)  # a class attribute
    assert RedisSpider(name="probe").spider_idle_start_time == imported_at
    assert imported_at <= int(time.time())
