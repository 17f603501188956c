"""Session ids in URLs: one article, one canonical URL and one article_id, whatever
session the link that reached it carried (Heritrix's StripSessionIDs and
StripSessionCFIDs forms; ``sid``/``sessionid`` only with a token-shaped value).
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from support.crawls import crawl_plan, exported_articles, local_plan
from trapsite import HostileSite, Reply, article_html, html

from newsarchive.normalize import canonicalize_url, normalize_record

TOKEN = "0A1B2C3D4E5F60718293A4B5C6D7E8F9"  # 32 letters and digits, as servlets make them


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"https://news.example/a/story.html;jsessionid={TOKEN}",
            "https://news.example/a/story.html",
        ),
        (
            f"https://news.example/a/story;JSESSIONID={TOKEN}.node1?p=2",
            "https://news.example/a/story?p=2",
        ),
        (f"https://news.example/a?id=5&PHPSESSID={TOKEN.lower()}", "https://news.example/a?id=5"),
        ("https://news.example/a?jsessionid=abc&page=2", "https://news.example/a?page=2"),
        (f"https://news.example/a?sid={TOKEN}", "https://news.example/a"),
        ("https://news.example/a?sessionid=f3k29s8d7f6g5h4j3k2l", "https://news.example/a"),
        (
            "https://news.example/a?session_id=550e8400-e29b-41d4-a716-446655440000&x=1",
            "https://news.example/a?x=1",
        ),
        (
            "https://news.example/a?ASPSESSIONIDQQGGQGPA=ABCDEFGHIJKLMNOPQRSTUVWX",
            "https://news.example/a",
        ),
        ("https://news.example/a?id=7&CFID=1234&CFTOKEN=56789012", "https://news.example/a?id=7"),
        (
            "https://news.example/(S(abcdefghijklmnopqrstuvwx))/story.aspx",
            "https://news.example/story.aspx",
        ),
        # kept: a story id, a slug, a lone CFID, other path parameters
        ("https://news.example/a?sid=12345", "https://news.example/a?sid=12345"),
        (
            "https://news.example/a?sid=covid-19-vaccine-rollout-2021",
            "https://news.example/a?sid=covid-19-vaccine-rollout-2021",
        ),
        (
            "https://news.example/a?sid=breakingnewsstory",
            "https://news.example/a?sid=breakingnewsstory",
        ),
        ("https://news.example/a?CFID=1234", "https://news.example/a?CFID=1234"),
        ("https://news.example/a;v=2", "https://news.example/a;v=2"),
    ],
)
def test_canonicalize_url_drops_unambiguous_session_ids(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected  # idempotent


def test_article_id_is_the_same_through_links_of_different_sessions() -> None:
    ids = {
        normalize_record({"url": f"https://news.example/a/story.html;jsessionid={s}"})["article_id"]
        for s in (TOKEN, TOKEN[::-1], "x")
    }
    assert len(ids) == 1


STORIES = ("quay", "ferry")


def session_links(_: Any) -> Reply:
    """A home page whose every link carries a fresh session id, as cookieless servers do."""
    links = "".join(
        f'<li><a href="/news/2024/05/01/{name}.html;jsessionid={uuid.uuid4().hex.upper()}">'
        f"The {name} story</a></li>"
        for name in STORIES * 2  # each story twice, under two sessions
    )
    token = secrets.token_hex(10)
    more = f'<li><a href="/news/2024/05/02/pier.html?sessionid={token}">The pier</a></li>'
    return html(f"<html><body><h1>Home</h1><ul>{links}{more}</ul></body></html>".encode())


class SessionRoutes(dict[str, Any]):
    """Routes that ignore a ``;jsessionid=`` path parameter, as a servlet container does."""

    def get(self, path: str, default: Any = None) -> Any:
        return super().get(path.split(";", 1)[0], default)


def test_a_second_run_through_new_session_links_exports_nothing_new(tmp_path: Path) -> None:
    routes = SessionRoutes({"/": session_links})
    for name in (*STORIES, "pier"):
        day = "02" if name == "pier" else "01"
        body = article_html(f"A story about the {name} of the town")
        routes[f"/news/2024/05/{day}/{name}.html"] = lambda _, body=body: html(body)
    with HostileSite(routes) as site:
        plan = tmp_path / "plan.toml"
        plan.write_text(local_plan(site.base, output="output"), encoding="utf-8")
        crawl_plan(plan, "run1")
        fetched_first = [h.path for h in site.hits if "/news/" in h.path]
        crawl_plan(plan, "run2")
        fetched_second = [h.path for h in site.hits if "/news/" in h.path][len(fetched_first) :]
    assert len(fetched_first) == len(STORIES) + 1  # one fetch per story, whatever its links
    first = exported_articles(tmp_path / "output/herald/run1")
    assert len(first) == len(STORIES) + 1
    assert all(";jsessionid" not in a["canonical_url"] for a in first)
    assert exported_articles(tmp_path / "output/herald/run2") == []
    assert fetched_second == []  # the crawl state knew every article under its new link
