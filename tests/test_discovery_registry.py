"""A new discovery source is one module plus its registration: the rest follows.

The test registers a throwaway source kind (a JSON list of article URLs under the
plan key ``json_lists``), as a maintainer adding a new kind of feed would, and
checks that plan validation, spider arguments, the site configuration and the
``news`` spider's entry requests and callback pick it up with no other edit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from newsarchive.spiders.news import META_SOURCE, NewsSpider
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from newsarchive.checks import Field, list_of
from newsarchive.discovery import sources
from newsarchive.discovery.sources import URL_LIST, Reading, SourceKind
from newsarchive.plan import PlanError, parse_plan
from newsarchive.siteconfig import site_from_arguments

NO_POOL = {"NEWSARCHIVE_EXTRACT_WORKERS": 0}


def read_json_list(body: bytes, url: str) -> Reading:
    """The throwaway kind's parser: ``["https://...", ...]``."""
    try:
        urls = json.loads(body)
    except ValueError as exc:
        return Reading(errors=[f"not JSON: {exc}"])
    return Reading(entries=[(item, None, "feed") for item in urls if isinstance(item, str)])


@pytest.fixture
def json_lists() -> Iterator[SourceKind]:
    kind = sources.register(
        SourceKind(
            "json_list",
            {"json_lists": URL_LIST, "json_tags": Field(list_of(lambda v: (v, None)), ())},
            entry_keys=("json_lists",),
            priority=25,
            read=read_json_list,
        )
    )
    yield kind
    del sources.SOURCE_KINDS[kind.name]


PLAN = """\
[[sites]]
name = "lists"
[sites.sources]
json_lists = ["https://lists.example/all.json"]
"""


def test_plan_validation_knows_the_key(json_lists: SourceKind) -> None:
    site = parse_plan(PLAN, "plan.toml").site("lists")
    assert site.sources["json_lists"] == ("https://lists.example/all.json",)
    # Without seeds, the new kind is somewhere to start and sets the scope, like sitemaps.
    assert site.entry_urls == ["https://lists.example/all.json"]
    assert site.allowed_domains == ["lists.example"]
    with pytest.raises(PlanError) as caught:
        parse_plan(PLAN.replace('"https://lists.example/all.json"', '"ftp://x"'), "plan.toml")
    assert str(caught.value.issues[0]) == (
        "plan.toml:4: sites[lists].sources.json_lists: item 0: "
        "expected an http(s) URL with a host, got 'ftp://x'"
    )


def test_the_key_is_a_spider_argument_too(json_lists: SourceKind) -> None:
    site, rest = site_from_arguments({"site": "lists", "json_lists": "lists.example/all.json"})
    assert rest == {}
    assert site == parse_plan(PLAN.replace("https", "http"), "plan.toml").site("lists")


def test_the_spider_starts_from_it_and_reads_it(json_lists: SourceKind) -> None:
    site = parse_plan(PLAN, "plan.toml").site("lists")
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider, NO_POOL), site_config=site)

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    (request,) = asyncio.run(collect())
    assert request.url == "https://lists.example/all.json"
    assert request.meta[META_SOURCE] == "json_list" and request.priority == 25
    assert request.callback == spider.parse_source
    body = b'["https://lists.example/2024/05/01/a-story", "https://elsewhere.example/x"]'
    response = TextResponse(request.url, body=body, request=request)
    results = list(spider.parse_source(response))
    assert results[0]["_capture"].page_type == "json_list"
    pages = [r for r in results if isinstance(r, Request)]
    assert [p.url for p in pages] == ["https://lists.example/2024/05/01/a-story"]
    assert pages[0].meta["newsarchive_via"]["url"] == "https://lists.example/all.json"


def test_a_key_of_another_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="belong to another kind"):
        sources.register(SourceKind("clash", {"feeds": URL_LIST}))
    assert "clash" not in sources.SOURCE_KINDS
