"""Canonical poisoning (issue 14.4): a page cannot claim another site's article.

A hostile host whose pages name a victim's URLs as ``rel=canonical`` used to make the
plan's crawl state treat the victim's articles as archived (never fetched), and its
records carried the victim's ``article_id``. A canonical URL on another site (see
``normalize.same_site``) is kept as data, with a validation message, but decides neither
``article_id`` nor the crawl state, unless the plan lists both hosts in
``scope.canonical_hosts``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.crawls import exported_articles
from support.warcsite import RawSite, Route, html_page, http_response

from newsarchive.extraction import extract
from newsarchive.normalize import article_id, same_site, surt_key
from newsarchive.pagestep import process_page
from newsarchive.plan import load_plan
from newsarchive.server.generated import generated_article
from newsarchive.state import CrawlState

ROOT = Path(__file__).resolve().parents[1]
HTML = [("Content-Type", "text/html; charset=utf-8")]
VICTIM = "https://victim.example"
HOSTILE = "https://hostile.example"


def id_of(url: str) -> str | None:
    return article_id(surt_key(url))


def copied_article(number: int = 3) -> tuple[str, str]:
    """(hostile URL, the victim's article rendered with the victim's canonical URL)."""
    article = generated_article(number)
    return HOSTILE + article.path, article.render(VICTIM)


def test_a_canonical_on_another_site_does_not_decide_the_article_id() -> None:
    url, page = copied_article()
    record = extract(page.encode(), url)
    victim_url = VICTIM + generated_article(3).path
    assert record["canonical_url"] == victim_url  # kept as data
    assert record["article_id"] == id_of(url) != id_of(victim_url)
    assert record["url_surtkey"] == surt_key(url)
    assert (
        "canonical_url: on another site (victim.example), not used for article_id"
        in (record["extraction"]["validation_messages"])
    )


@pytest.mark.parametrize(
    ("page_url", "canonical", "same"),
    [
        ("https://amp.victim.example/a", "https://www.victim.example/a", True),
        ("https://victim.example:8443/a", "http://www.victim.example/a", True),
        ("https://m.victim.example/a", "https://victim.example/a", True),
        ("https://a.blogspot.com/a", "https://b.blogspot.com/a", False),
        ("https://victim.example.evil.test/a", "https://victim.example/a", False),
        ("http://127.0.0.1:8000/a", "http://127.0.0.2:8000/a", False),
        ("http://10.0.0.1/a", "http://0.0.1/a", False),
        ("https://blog.stössenseer.de/a", "https://blog.xn--stssenseer-fcb.de/a", True),
    ],
)
def test_same_site_rule(page_url: str, canonical: str, same: bool) -> None:
    assert same_site(page_url, canonical) is same
    record = extract(
        f'<html><head><link rel="canonical" href="{canonical}"><title>T</title></head></html>',
        page_url,
    )
    assert (record["article_id"] == id_of(canonical)) is same


def test_hosts_the_plan_groups_share_canonical_articles() -> None:
    url, page = copied_article()
    grouped = process_page(
        page.encode(), url, dict(HTML), 200, canonical_hosts=("victim.example", "hostile.example")
    )
    assert grouped.record is not None
    assert grouped.record["article_id"] == id_of(VICTIM + generated_article(3).path)
    assert not any("another site" in m for m in grouped.record["extraction"]["validation_messages"])
    alone = process_page(page.encode(), url, dict(HTML), 200, canonical_hosts=("victim.example",))
    assert alone.record is not None and alone.record["article_id"] == id_of(url)


def write_plan(tmp_path: Path, hostile_base: str, victim_base: str, grouped: bool = False) -> Path:
    group = f'canonical_hosts = ["{hostile_host(hostile_base)}", "127.0.0.1"]' if grouped else ""
    plan = tmp_path / "plan.toml"
    plan.write_text(
        f"""[plan]
name = "poison"
state = "state.sqlite"
output = "out"

[defaults]
contact = "mailto:archive@example.org"
allow_private = true

[defaults.politeness]
delay = 0.0
autothrottle = false

[[sites]]
name = "hostile"
seeds = ["{hostile_base}/"]

[sites.scope]
{group}

[[sites]]
name = "victim"
seeds = ["{victim_base}/"]
""",
        encoding="utf-8",
    )
    return plan


def hostile_host(base: str) -> str:
    return base.split("://", 1)[1].rsplit(":", 1)[0]


def test_plan_canonical_hosts_reach_the_spider(tmp_path: Path) -> None:
    plan = load_plan(write_plan(tmp_path, "http://localhost:1", "http://127.0.0.1:2", True))
    site = next(s for s in plan.sites if s.name == "hostile")
    assert site.scope.canonical_hosts == ("localhost", "127.0.0.1")


def crawl_site(plan: Path, site: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "--plan", str(plan), "--site", site],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def exported(folder: Path) -> list[dict[str, Any]]:
    return exported_articles(folder, "**/articles-*.jsonl.gz")


@pytest.mark.slow
def test_a_hostile_host_cannot_hide_the_victims_articles(tmp_path: Path) -> None:
    articles = [generated_article(number) for number in (3, 4, 5)]
    with RawSite() as victim, RawSite() as hostile:
        victim_base = victim.base_url  # http://127.0.0.1:PORT
        # The same loopback server under another host name: another site to the crawler.
        hostile_base = hostile.base_url.replace("127.0.0.1", "localhost")
        paths = [a.path for a in articles]
        for site in (victim, hostile):
            site.routes["/"] = Route(http_response("200 OK", HTML, html_page("Home", paths, 20)))
        for article in articles:
            victim.routes[article.path] = Route(
                http_response("200 OK", HTML, article.render(victim_base).encode())
            )
            # Copies that name the victim's URLs as canonical (and og:url).
            hostile.routes[article.path] = Route(
                http_response("200 OK", HTML, article.render(victim_base).encode())
            )
        plan = write_plan(tmp_path, hostile_base, victim_base)
        crawl_site(plan, "hostile")
        crawl_site(plan, "victim")

    victim_urls = {victim_base + path for path in paths}
    poisoned = exported(tmp_path / "out" / "hostile")
    assert {r["url"] for r in poisoned} == {hostile_base + path for path in paths}
    assert {r["canonical_url"] for r in poisoned} == victim_urls  # kept as data
    assert not {r["article_id"] for r in poisoned} & {id_of(url) for url in victim_urls}
    # The victim's articles were fetched and exported under their own ids.
    own = exported(tmp_path / "out" / "victim")
    assert {r["url"] for r in own} == victim_urls
    assert {r["article_id"] for r in own} == {id_of(url) for url in victim_urls}
    with CrawlState(tmp_path / "state.sqlite") as state:
        assert all(state.seen(url) for url in victim_urls)


@pytest.mark.slow
def test_reextract_of_a_plan_crawl_keeps_the_ids_its_canonical_hosts_gave(tmp_path: Path) -> None:
    """``reextract`` ran the page step without the plan's ``scope.canonical_hosts``: the
    grouped site's articles, exported under the canonical URL's id, came back with the
    id of their own URL (a second id for one article)."""
    articles = [generated_article(number) for number in (3, 4)]
    with RawSite() as victim, RawSite() as hostile:
        hostile_base = hostile.base_url.replace("127.0.0.1", "localhost")
        paths = [a.path for a in articles]
        hostile.routes["/"] = Route(http_response("200 OK", HTML, html_page("Home", paths, 20)))
        for article in articles:
            hostile.routes[article.path] = Route(
                http_response("200 OK", HTML, article.render(victim.base_url).encode())
            )
        plan = write_plan(tmp_path, hostile_base, victim.base_url, grouped=True)
        crawl_site(plan, "hostile")
    crawled = exported(tmp_path / "out" / "hostile")
    assert {r["article_id"] for r in crawled} == {id_of(victim.base_url + p) for p in paths}
    [folder] = (tmp_path / "out" / "hostile").iterdir()
    again = tmp_path / "again.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "reextract", str(folder), "--out", str(again)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import newsarchive

    reread = list(newsarchive.load(again))
    by_url = {r["url"]: r["article_id"] for r in crawled}
    assert {r["url"]: r["article_id"] for r in reread} == by_url
