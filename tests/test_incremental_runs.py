"""Later runs of a plan against a live local site: what they fetch again, and how.

Article URLs that do not look like articles (``/story/quay``: one word, no date)
are followed from the home page as hub links; the crawl state must still decide
whether such a URL is fetched again, as it does for a sitemap entry.
"""

from __future__ import annotations

from pathlib import Path

from support.crawls import (
    REFETCH,
    crawl_plan,
    exported_articles,
    local_plan,
)
from trapsite import HostileSite, Reply, article_html, html

STORIES = ("quay", "ferry", "harbour")


def home(_: object) -> Reply:
    links = "".join(f'<li><a href="/story/{name}">The {name} story</a></li>' for name in STORIES)
    return html(f"<html><body><h1>Home</h1><ul>{links}</ul></body></html>".encode())


def story(name: str) -> object:
    body = article_html(f"A story about the {name} of the town")
    return lambda _: html(body, ("ETag", f'"{name}-v1"'))


def serve() -> HostileSite:
    routes: dict[str, object] = {"/": home}
    routes.update({f"/story/{name}": story(name) for name in STORIES})
    return HostileSite(routes)  # type: ignore[arg-type]


def story_hits(site: HostileSite) -> list[tuple[str, str | None]]:
    return [(h.path, h.headers.get("if-none-match")) for h in site.hits if "/story/" in h.path]


def run_twice(tmp_path: Path, extra: str) -> tuple[HostileSite, int, list[dict]]:
    """Two runs of one plan; the site, the story fetches of run 1 and run 2's articles."""
    with serve() as site:
        plan = tmp_path / "plan.toml"
        plan.write_text(local_plan(site.base, output="output", extra=extra), encoding="utf-8")
        crawl_plan(plan, "run1")
        first = len(story_hits(site))
        crawl_plan(plan, "run2")
    return site, first, exported_articles(tmp_path / "output/herald/run2")


def test_a_second_run_fetches_no_archived_article_whatever_its_url_looks_like(
    tmp_path: Path,
) -> None:
    site, first, again = run_twice(tmp_path, "")
    assert first == len(STORIES)  # every story archived by the first run
    assert story_hits(site)[first:] == []  # refetch = "never": none fetched again
    assert again == []


def test_a_conditional_refetch_sends_the_stored_etag_for_links_of_any_shape(
    tmp_path: Path,
) -> None:
    site, first, again = run_twice(tmp_path, REFETCH)
    second = story_hits(site)[first:]
    assert sorted(second) == sorted((f"/story/{n}", f'"{n}-v1"') for n in STORIES)
    assert again == []
