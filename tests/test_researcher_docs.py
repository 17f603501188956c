"""What the researcher documentation says about exports, checked against what they hold."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from newsarchive.export.arrow import arrow_schema

ROOT = Path(__file__).resolve().parents[1]


def timestamp_paths(fields: list[pa.Field], prefix: str = "") -> list[str]:
    found: list[str] = []
    for field in fields:
        if pa.types.is_timestamp(field.type):
            found.append(prefix + field.name)
        elif pa.types.is_struct(field.type):
            found.extend(timestamp_paths(list(field.type), prefix + field.name + "."))
    return found


def test_the_parquet_docs_name_every_timestamp_column() -> None:
    """docs/schema.md listed three of the four times Parquet stores as UTC timestamps:
    ``provenance.discovered_via.lastmod`` (a sitemap's date) was missing, so a researcher
    comparing it with the string the sitemap gave saw another value unannounced."""
    paths = timestamp_paths(list(arrow_schema()))
    assert "provenance.discovered_via.lastmod" in paths
    formats = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8").split("**Parquet**")[1]
    formats = formats.split("**CSV**")[0]
    assert all(f"`{path}`" in formats for path in paths)


def changing_site_plan(tmp_path: Path, base: str) -> Path:
    from support.crawls import REFETCH, local_plan

    plan = tmp_path / "plan.toml"
    plan.write_text(local_plan(base, name="v", site="s", extra=REFETCH), encoding="utf-8")
    return plan


@pytest.mark.slow
def test_reextract_numbers_versions_in_capture_order_whatever_the_argument_order(
    tmp_path: Path,
) -> None:
    """Crawl ids need not sort by time (``b-first`` before ``a-second``): ``reextract
    OUT/s/*`` read the later run first and made its text version 1, the earlier one
    version 2, against what the crawl exported."""
    import time

    from support.crawls import crawl_plan, exported_articles, run_newsarchive
    from support.warcsite import RawSite, Route, html_page, http_response

    import newsarchive
    from newsarchive.server.generated import generated_article

    html = [("Content-Type", "text/html; charset=utf-8")]
    article = generated_article(3)
    with RawSite() as site:
        page = article.render(site.base_url)
        site.routes["/"] = Route(
            http_response("200 OK", html, html_page("Home", [article.path], 20))
        )
        site.routes[article.path] = Route(http_response("200 OK", html, page.encode()))
        plan = changing_site_plan(tmp_path, site.base_url)
        crawl_plan(plan, "b-first")
        # The next second: WARC file names carry the time to the second.
        time.sleep(1.1)
        changed = page.replace("Opposition members", "Later, opposition members")
        site.routes[article.path] = Route(http_response("200 OK", html, changed.encode()))
        crawl_plan(plan, "a-second")
    crawled = exported_articles(tmp_path / "out" / "s", "*/articles/*.jsonl.gz")
    versions = {r["capture_id"]: (r["article_version"], r["previous_capture_id"]) for r in crawled}
    assert sorted(v for v, _ in versions.values()) == [1, 2]
    folders = sorted((tmp_path / "out" / "s").iterdir())  # a-second, b-first: as a shell lists
    again = tmp_path / "again.jsonl"
    done = run_newsarchive("reextract", *folders, "--out", again)
    assert done.returncode == 0, done.stderr[-3000:]
    reread = {
        r["capture_id"]: (r["article_version"], r["previous_capture_id"])
        for r in newsarchive.load(again)
    }
    assert reread == versions
