"""`newsarchive demo` end to end: the bundled site crawled once per session in a subprocess.

The subprocess keeps Twisted's reactor (which cannot restart) out of pytest's
process. The tests then read what the demo wrote: articles/*.jsonl.gz,
pages.jsonl, the WARC files and the demo server's request log.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from support.crawls import (
    NO_DELAY,
    crawl_command,
    exported_articles,
    interrupt_when,
    local_plan,
    resumable_settings,
    run_command,
    run_newsarchive,
    serve_held,
)

from newsarchive import schema

ROOT = Path(__file__).resolve().parents[1]
SITE_DIR = ROOT / "fixtures" / "site"
DISCOVERY_TYPES = {"seed", "sitemap", "news_sitemap", "feed", "link", "redirect"}

pytestmark = pytest.mark.slow


@dataclass
class DemoRun:
    out: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def pages(self) -> list[dict[str, Any]]:
        lines = (self.out / "pages.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def articles(self) -> list[dict[str, Any]]:
        return exported_articles(self.out)

    def server_paths(self) -> list[str]:
        lines = (self.out / "demo-server-requests.jsonl").read_text().splitlines()
        return [json.loads(line)["path"] for line in lines]

    def base_url(self) -> str:
        seed = next(p for p in self.pages() if (p["discovered_via"] or {}).get("type") == "seed")
        parts = urlsplit(seed["url"])
        return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    out = tmp_path_factory.mktemp("demo") / "demo"
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=out.parent,
    )
    result = DemoRun(out, run.returncode, run.stdout, run.stderr, time.monotonic() - started)
    assert run.returncode == 0, run.stderr[-4000:]
    return result


def site_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def site_pages() -> list[dict[str, Any]]:
    """The demo site's page table (fixtures/site/_pages.toml): every path and its role."""
    return tomllib.loads((SITE_DIR / "_pages.toml").read_text(encoding="utf-8"))["page"]


def paths_with_role(*roles: str) -> set[str]:
    return {p["path"] for p in site_pages() if p["role"] in roles}


def test_expected_articles_come_out(demo: DemoRun) -> None:
    expected = paths_with_role("article")
    assert len(expected) >= 12
    exported = {site_path(a["url"]) for a in demo.articles()}
    assert exported == expected, (
        f"missing: {sorted(expected - exported)}; unexpected: {sorted(exported - expected)}"
    )
    assert f"Articles: {len(expected)}" in demo.stdout


def test_non_article_pages_are_recorded_and_not_exported(demo: DemoRun) -> None:
    recorded = {site_path(p["url"]): p for p in demo.pages()}
    exported = {site_path(a["url"]) for a in demo.articles()}
    non_articles = paths_with_role("hub", "liveblog", "gallery", "other")
    for path in non_articles & set(recorded):
        assert recorded[path]["outcome"] == "not_article", recorded[path]
    assert not exported & non_articles
    # the live blog and the gallery are fetched and recognised for what they are
    for path in paths_with_role("liveblog", "gallery"):
        assert recorded[path]["page_type"] in ("liveblog", "gallery"), recorded[path]


def test_sources_are_recorded_as_such(demo: DemoRun) -> None:
    recorded = {site_path(p["url"]): p for p in demo.pages()}
    kinds = {
        "robots": "robots",
        "sitemap_index": "sitemap",
        "sitemap": "sitemap",
        "news_sitemap": "sitemap",
        "feed": "feed",
    }
    for page in site_pages():
        if page["role"] in kinds:
            line = recorded[page["path"]]
            assert (line["outcome"], line["page_type"]) == ("not_article", kinds[page["role"]])


def test_assets_are_not_fetched(demo: DemoRun) -> None:
    fetched = set(demo.server_paths())
    assert not fetched & paths_with_role("asset")


def test_demo_prints_summary_and_is_quick(demo: DemoRun) -> None:
    assert f"Articles: {len(demo.articles())}" in demo.stdout
    assert "Fields found" in demo.stdout and "headline" in demo.stdout
    assert "Files written:" in demo.stdout and "pages.jsonl" in demo.stdout
    assert "server stopped" in demo.stdout
    # a newcomer's first run shows no tracebacks
    assert "Traceback" not in demo.stderr and " ERROR " not in demo.stderr, demo.stderr[-3000:]
    report = json.loads((demo.out / "report.json").read_text())
    assert report and (demo.out / "report.txt").exists()
    assert demo.seconds < 60


def test_robots_disallowed_page_is_never_fetched(demo: DemoRun) -> None:
    disallowed = paths_with_role("disallowed")
    assert disallowed
    fetched = demo.server_paths()
    # Once: the spider's read for sitemaps is also the one robots.txt is obeyed from.
    assert list(fetched).count("/robots.txt") == 1
    assert not disallowed & set(fetched)
    denied = {site_path(p["url"]) for p in demo.pages() if p["outcome"] == "robots_denied"}
    assert denied == disallowed


def test_404_is_recorded_without_an_article(demo: DemoRun) -> None:
    missing = paths_with_role("not_found")
    assert missing
    recorded = {site_path(p["url"]): p for p in demo.pages()}
    for path in missing:
        assert (recorded[path]["status"], recorded[path]["outcome"]) == (404, "http_error")
    assert not missing & {site_path(a["url"]) for a in demo.articles()}


def test_redirect_leads_to_one_article_under_its_final_url(demo: DemoRun) -> None:
    redirects = [p for p in site_pages() if p["role"] == "redirect"]
    assert redirects
    articles = demo.articles()
    hops = {site_path(p["url"]): p for p in demo.pages() if p["outcome"] == "redirect"}
    base = demo.base_url()
    followed = 0
    for redirect in redirects:
        source, target = redirect["path"], redirect["to"]
        assert not [a for a in articles if site_path(a["url"]) == source]
        if source not in hops:
            continue  # only linked from pages the crawl does not follow (articles)
        followed += 1
        assert hops[source]["status"] == redirect["status"]
        assert hops[source]["reason"].endswith(base + target)
        finals = [a for a in articles if site_path(a["url"]) == target]
        assert len(finals) == 1, f"{target}: {len(finals)} articles"
        if finals[0]["requested_url"] != finals[0]["url"]:  # reached through the redirect
            assert site_path(finals[0]["requested_url"]) == source
            assert finals[0]["provenance"]["discovered_via"]["type"] == "redirect"
    assert followed, "no redirect of the demo site was fetched"


def test_every_article_has_every_schema_key(demo: DemoRun) -> None:
    articles = demo.articles()
    assert articles
    keys = list(schema.empty())
    for article in articles:
        assert list(article) == keys
        assert set(article["provenance"]) == set(schema.empty(schema.Provenance))
        assert set(article["extraction"]) == set(schema.empty(schema.Extraction))


def test_every_article_says_how_it_was_discovered(demo: DemoRun) -> None:
    for article in demo.articles():
        via = article["provenance"]["discovered_via"]
        assert via["type"] in DISCOVERY_TYPES
        assert via["url"], article["url"]
        assert article["provenance"]["crawl_id"] and article["capture_id"]


def test_every_article_is_fetched_once(demo: DemoRun) -> None:
    fetched = demo.server_paths()
    for path in paths_with_role("article"):
        assert fetched.count(path) == 1, path


def test_demo_touches_nothing_outside_127_0_0_1(demo: DemoRun) -> None:
    hosts = {urlsplit(p["url"]).hostname for p in demo.pages()}
    assert hosts == {"127.0.0.1"}


def test_every_page_outcome_is_known(demo: DemoRun) -> None:
    from newsarchive.pipelines.pages import OUTCOMES

    outcomes = set(OUTCOMES)
    pages = demo.pages()
    assert {p["outcome"] for p in pages} <= outcomes
    assert sum(p["outcome"] == "article" for p in pages) >= len(demo.articles())


def test_manifest_lists_articles_pages_and_warc_files(demo: DemoRun) -> None:
    manifest = json.loads((demo.out / "manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert "pages.jsonl" in listed
    assert {f"articles/{p.name}" for p in (demo.out / "articles").glob("*.jsonl.gz")} <= listed
    assert manifest["counts"]["articles"] == len(demo.articles())
    warc_on_disk = {f"warc/{p.name}" for p in (demo.out / "warc").glob("*.warc.gz")}
    assert warc_on_disk and {f["path"] for f in manifest["warc_files"]} == warc_on_disk


def test_warc_pointers_lead_to_the_response_records(demo: DemoRun) -> None:
    from warcio.archiveiterator import ArchiveIterator

    articles = demo.articles()
    if not any(a["provenance"]["warc_filename"] for a in articles):
        pytest.skip("WARC capture extension not active: no pointers to check")
    for article in articles:
        prov = article["provenance"]
        path = demo.out / "warc" / prov["warc_filename"]
        with path.open("rb") as handle:
            handle.seek(prov["warc_record_offset"])
            member = handle.read(prov["warc_record_length"])
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.rec_type in ("response", "revisit")
        assert record.rec_headers.get_header("WARC-Target-URI") == article["url"]
        assert record.rec_headers.get_header("WARC-Record-ID") == prov["warc_record_id"]


# --------------------------------------------------------------------------- summary, progress


def test_summary_counts_coverage_and_failures(tmp_path: Path) -> None:
    from newsarchive.export.jsonl import JsonLinesBatchWriter
    from newsarchive.summary import format_summary, summarize

    with JsonLinesBatchWriter(tmp_path / "articles", "articles-c1") as writer:
        full = schema.empty()
        full.update(
            headline="H",
            lede="L",
            authors=[{"name": "A"}],
            date_published="2024-05-26",
            captions=[{"text": "c"}],
            quotes=[{"text": "q"}],
            related_links=[{"url": "http://s/r"}],
        )
        writer.write(full)
        writer.write({**schema.empty(), "headline": "Only a headline"})
    pages = [
        {"url": "http://s/a", "outcome": "article"},
        {"url": "http://s/x", "outcome": "http_error", "reason": "HTTP 404"},
        {"url": "http://s/p", "outcome": "robots_denied", "reason": "robots"},
    ]
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
    (tmp_path / "validation_failures.jsonl").write_text('{"messages": ["x"]}\n')
    summary = summarize(tmp_path)
    assert summary["validation_problems"] == 1
    assert summary["articles"] == 2 and summary["pages"] == 3
    assert summary["coverage"]["headline"] == 1.0 and summary["coverage"]["quotes"] == 0.5
    assert summary["failures"] == {"http_error: HTTP 404": 1, "robots_denied: robots": 1}
    assert {f["path"] for f in summary["files"]} == {
        "pages.jsonl",
        "articles/articles-c1-00000.jsonl.gz",
        "validation_failures.jsonl",
    }
    text = format_summary(summary)
    assert "Articles: 2" in text and "quotes" in text and "50%" in text
    assert "validation problems: 1" in text


def test_progress_lines_when_not_a_terminal() -> None:
    from scrapy.utils.test import get_crawler

    from newsarchive.crawler import CrawlProgress, progress_counts

    stats = {
        "response_received_count": 10,
        "newsarchive/articles": 7,
        "newsarchive/pages/http_error": 1,
        "newsarchive/pages/failed": 2,
    }
    assert progress_counts(stats) == {"pages": 10, "articles": 7, "errors": 3}
    stream = io.StringIO()
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_CRAWL_ID": "c1"})
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    CrawlProgress(crawler, stream=stream).show()
    assert stream.getvalue().startswith("crawl c1: 10 pages, ")
    assert stream.getvalue().endswith(", articles 7, errors 3\n")
    assert "\r" not in stream.getvalue()


def test_crawl_command_without_urls_is_a_clear_error(tmp_path: Path) -> None:
    run = run_newsarchive("crawl", "--out", tmp_path, timeout=60)
    assert run.returncode == 2 and "give at least one URL" in run.stderr
    run = run_newsarchive("crawl", "http://a.test/", "--redis", "redis://127.0.0.1:1/0", timeout=60)
    assert run.returncode == 2 and "needs --crawl-id" in run.stderr


def test_demo_refuses_to_wipe_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "demo", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "not wiping" in run.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_crawl_command_on_a_generated_site(tmp_path: Path) -> None:
    """`newsarchive crawl URL --allow-private --max-pages N` end to end, with a given crawl id."""
    from newsarchive.server import DemoSite

    out = tmp_path / "crawl"
    with DemoSite(generate=150) as site:
        command = crawl_command(
            site.base_url + "/", out, "--max-pages", "15", crawl_id="20260101T000000Z-beef"
        )
        run = run_command(command, timeout=120, cwd=tmp_path)
        fetched = len(site.request_log)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Crawl 20260101T000000Z-beef finished" in run.stdout
    assert "closespider_pagecount" in run.stdout
    # the crawl stopped early (requests in flight when the limit is reached still finish)
    assert fetched < 60
    batches = list((out / "articles").glob("articles-20260101T000000Z-beef-*.jsonl.gz"))
    assert batches
    pages = [json.loads(line) for line in (out / "pages.jsonl").read_text().splitlines()]
    assert sum(p["outcome"] == "article" for p in pages) >= 1


def test_scrapy_list_from_the_repository_root() -> None:
    scrapy = Path(sys.executable).with_name("scrapy")
    run = subprocess.run(
        [str(scrapy), "list"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["news"]


RUN_TWO_CRAWLS = """
import json, sys
from pathlib import Path
from newsarchive.crawler import CrawlOptions, run_crawls
urls, outs = sys.argv[1:3], sys.argv[3:5]
fast = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}
results = run_crawls([
    CrawlOptions([url], Path(out), allow_private=True, overrides=fast,
                 spider_args={"robots_sitemaps": False, "site": f"site{i}"})
    for i, (url, out) in enumerate(zip(urls, outs))])
print(json.dumps([[r.crawl_id, r.stats.get("newsarchive/articles", 0)] for r in results]))
"""


def test_two_crawls_side_by_side_keep_their_own_settings(tmp_path: Path) -> None:
    """What a plan with two sites does: one process, one reactor, two crawls, two folders."""
    from newsarchive.server import DemoSite

    outs = [str(tmp_path / "one"), str(tmp_path / "two")]
    with DemoSite(generate=12) as first, DemoSite(generate=7) as second:
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                RUN_TWO_CRAWLS,
                first.base_url + "/",
                second.base_url + "/",
                *outs,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        robots_fetches = [
            p for _, p, _ in first.request_log + second.request_log if p == "/robots.txt"
        ]
    assert run.returncode == 0, run.stderr[-3000:]
    (id_one, articles_one), (id_two, articles_two) = json.loads(run.stdout.splitlines()[-1])
    assert id_one != id_two
    assert (articles_one, articles_two) == (12, 7)
    assert list(Path(outs[0], "articles").glob(f"articles-{id_one}-*.jsonl.gz"))
    assert list(Path(outs[1], "articles").glob(f"articles-{id_two}-*.jsonl.gz"))
    # robots_sitemaps=False: robots.txt is read only to obey it, once per site
    assert len(robots_fetches) == 2


RUN_WITH_STATE = """
import json, sys
from pathlib import Path
from newsarchive.crawler import CrawlOptions, run_crawl
url, out, state, refetch = sys.argv[1:5]
result = run_crawl(CrawlOptions(
    [url], Path(out), allow_private=True,
    overrides={"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
               "NEWSARCHIVE_STATE_PATH": state},
    spider_args={"refetch": refetch}))
print(json.dumps({k: v for k, v in result.stats.items() if k.startswith("newsarchive/")}))
"""


def test_second_run_with_crawl_state_fetches_no_archived_article(tmp_path: Path) -> None:
    """Incremental crawls: archived articles are skipped, or re-fetched conditionally (304)."""
    from newsarchive.server import DemoSite

    state = str(tmp_path / "state.sqlite")

    def crawl(site: Any, name: str, refetch: str) -> tuple[dict[str, Any], list[str]]:
        before = len(site.request_log)
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                RUN_WITH_STATE,
                site.base_url + "/",
                str(tmp_path / name),
                state,
                refetch,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        paths = [p for _, p, _ in site.request_log[before:]]
        return json.loads(run.stdout.splitlines()[-1]), paths

    with DemoSite(generate=9) as site:
        first, first_paths = crawl(site, "one", "never")
        second, second_paths = crawl(site, "two", "never")
        third, _ = crawl(site, "three", "conditional")
        statuses = [status for _, _, status in site.request_log]
    assert first["newsarchive/articles"] == 9
    assert second.get("newsarchive/articles", 0) == 0
    assert second["newsarchive/state/archived"] >= 9  # each URL once per source naming it
    articles = {p for p in first_paths if p.endswith(".html")}
    assert len(articles) == 9 and not articles & set(second_paths)  # never requested again
    assert "/" in second_paths  # hubs and sources are re-read
    # conditional re-fetch: the server answers 304 and nothing new is exported
    assert third["newsarchive/pages/not_modified"] == 9 and statuses.count(304) >= 9
    assert third.get("newsarchive/articles", 0) == 0


def test_crawl_with_jobdir_persists_requests(tmp_path: Path) -> None:
    """JOBDIR (pause/resume): every request is serialisable (named callbacks, plain meta)."""
    from newsarchive.server import DemoSite

    jobdir = tmp_path / "job"
    with DemoSite(generate=6) as site:
        settings = {"JOBDIR": jobdir, **NO_DELAY}
        command = crawl_command(
            site.base_url + "/", tmp_path / "out", settings=settings, verbose=True
        )
        run = run_command(command, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert " ERROR " not in run.stderr and "Unable to serialize" not in run.stderr, run.stderr[
        -3000:
    ]
    assert "'scheduler/enqueued/disk'" in run.stderr  # the queue lived in JOBDIR
    assert (jobdir / "spider.state").stat().st_size > 0  # the requested set, for a resume
    assert "Articles: 6" in run.stdout


def exported_urls(out: Path) -> list[str]:
    # the member being written when the crawl was killed may be cut short
    return [record["url"] for record in exported_articles(out, while_running=True)]


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_interrupted_crawl_resumes_without_losing_or_duplicating(tmp_path: Path, stop: str) -> None:
    """Stop a plan-like crawl (JOBDIR + crawl state) midway, run it again: every article once."""
    import signal

    total = 80
    out = tmp_path / "out"
    with serve_held(total, free=total // 4) as (site, gate):
        command = crawl_command(
            site.base_url + "/",
            out,
            crawl_id="20260101T000000Z-stop",
            settings=resumable_settings(tmp_path),
        )
        # Stop once the free quarter is in and one article exported; the held
        # responses go out after the signal (a graceful stop waits for them).
        interrupt_when(
            command,
            tmp_path,
            lambda: bool(exported_urls(out)),
            getattr(signal, stop),
            signalled=gate.released.set,
        )
        interrupted = len(set(exported_urls(out)))
        second = run_command(command, timeout=120, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert 0 < interrupted < total, "the first run was not interrupted midway"
    urls = exported_urls(out)
    assert len(set(urls)) == total, "articles lost"
    assert len(urls) == total, "articles exported twice"
    assert not list((out / "articles").glob("*.open"))


def plan_text(base: str) -> str:
    """The local plan, its gallery out of scope."""
    return local_plan(base, extra="\n[sites.scope]\nexclude = ['/gallery/']\n")


def test_crawl_plan_twice_is_incremental(tmp_path: Path) -> None:
    """`newsarchive crawl --plan FILE --site NAME`, as the scheduler runs it, twice."""
    from newsarchive.server import DemoSite

    with DemoSite() as site:
        (tmp_path / "plan.toml").write_text(plan_text(site.base_url))
        runs = [
            run_newsarchive(
                *("crawl", "--plan", "plan.toml", "--site", "herald", "--crawl-id", crawl_id),
                timeout=120,
                cwd=tmp_path,
            )
            for crawl_id in ("20260101T000000Z-aaaa", "20260102T000000Z-bbbb")
        ]
        fetched_gallery = any("/gallery/" in path for _, path, _ in site.request_log)
    for run in runs:
        assert run.returncode == 0, run.stderr[-3000:]
    first = tmp_path / "out" / "herald" / "20260101T000000Z-aaaa"
    second = tmp_path / "out" / "herald" / "20260102T000000Z-bbbb"
    assert f"Articles: {len(paths_with_role('article'))}" in runs[0].stdout
    assert "Articles: 0" in runs[1].stdout  # everything archived by the first run
    assert not fetched_gallery  # the plan's exclude pattern
    report = json.loads((second / "report.json").read_text())
    assert report["sites"]["herald"]["previous"]["articles"] == len(paths_with_role("article"))
    assert (first / "manifest.json").exists() and (tmp_path / "state" / "local.sqlite").exists()


def test_crawl_plan_errors_are_reported_with_their_place(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[plan]\nname = "x"\n\n[[sites]]\nname = "a"\nseeds = ["ftp://nope"]\n'
    )
    run = run_newsarchive("crawl", "--plan", "bad.toml", timeout=60, cwd=tmp_path)
    assert run.returncode == 2 and "bad.toml:6" in run.stderr, run.stderr
    (tmp_path / "good.toml").write_text(plan_text("http://127.0.0.1:9"))
    run = run_newsarchive(
        "crawl", "--plan", "good.toml", "--site", "nosuch", timeout=60, cwd=tmp_path
    )
    assert run.returncode == 2 and "nosuch" in run.stderr
