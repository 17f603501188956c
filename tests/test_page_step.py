"""One page step for the crawl and ``reextract`` (newsarchive/pagestep.py): same verdicts.

Block pages are judged on the whole page and the extracted article: a real article whose
comment form carries a captcha (after hundreds of kilobytes of inline script) is an
article, a vendor marker on a full article is a "suspected block page" note, and a
challenge page is blocked, whether the page is crawled or re-extracted from its WARC.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from support.captures import fetched, item
from support.crawls import crawl_command, run_command
from support.warcsite import RawSite, Route, html_page, http_response

from newsarchive.pagestep import SUSPECTED_BLOCK, ExtractionLimits, decide_outcome, process_page
from newsarchive.safety import detect_block_page
from newsarchive.server.generated import generated_article
from newsarchive.warc.reread import extract_page, read_pages

ROOT = Path(__file__).resolve().parents[1]
HTML = [("Content-Type", "text/html; charset=utf-8")]
BASE = "http://gazette.test"
# 400 KB of inline script before the text: more than the 300,000 characters the block
# check used to look at, so the article's words were never counted.
LONG_SCRIPT = (
    "<script>var state=" + json.dumps(["x" * 60] * 6000, separators=(",", ":")) + ";</script>"
)
# Sites load the comment form's captcha in <head>, before the page's state blob.
RECAPTCHA_LOADER = '<script src="https://www.google.com/recaptcha/api.js" async></script>'
COMMENT_FORM = (
    '<form class="comments"><textarea name="c"></textarea>'
    '<div class="g-recaptcha" data-sitekey="k"></div>'
    "<button>Post comment</button></form>"
)
CHALLENGE = """<html><head><title>One more step</title></head><body><h1>One more step</h1>
<p>Please complete the security check to access this site.</p>
<div class="g-recaptcha" data-sitekey="x"></div></body></html>"""


MORE_TEXT = "".join(
    f"<p>Paragraph {i} of the report on the harbour wall vote and what it means for "
    "residents, with quotes from officials and background on the rail company.</p>"
    for i in range(12)
)


def article_with_captcha_comments(number: int, base: str = BASE) -> str:
    """A news article of about 500 words under 400 KB of script, with a captcha comment form."""
    page = generated_article(number).render(base)
    page = page.replace("<head>", "<head>" + RECAPTCHA_LOADER + LONG_SCRIPT, 1)
    page = page.replace("</article>", MORE_TEXT + "</article>", 1)
    return page.replace("</body>", COMMENT_FORM + "</body>", 1)


def article_with_vendor_marker(number: int, base: str = BASE) -> str:
    """A full article that loads a bot-protection vendor's script (a DataDome marker)."""
    page = generated_article(number).render(base)
    script = '<script src="https://js.captcha-delivery.com/tags.js"></script>'
    return page.replace("</body>", script + "</body>", 1)


def test_article_with_a_captcha_comment_form_after_long_scripts_is_an_article() -> None:
    page = article_with_captcha_comments(3)
    assert len(page) > 300_000
    assert detect_block_page(200, {}, page) is None
    url = BASE + generated_article(3).path
    outcome = process_page(page.encode(), url, dict(HTML), 200)
    assert outcome.outcome is None and outcome.record is not None
    assert outcome.record["headline"] == generated_article(3).headline
    assert decide_outcome(item(fetched(url), outcome.record), 0.5)[0] == "article"


def test_vendor_marker_on_a_full_article_is_a_note_not_a_verdict() -> None:
    url = BASE + generated_article(4).path
    outcome = process_page(article_with_vendor_marker(4).encode(), url, dict(HTML), 200)
    assert outcome.record is not None and outcome.outcome is None
    messages = outcome.record["extraction"]["validation_messages"]
    assert any(m.startswith(f"{SUSPECTED_BLOCK}: DataDome captcha") for m in messages), messages


def test_challenge_pages_are_blocked_and_error_statuses_are_not_extracted() -> None:
    outcome = process_page(CHALLENGE.encode(), BASE + "/", dict(HTML), 200)
    assert (outcome.outcome, outcome.page_type, outcome.record) == ("blocked", "block_page", None)
    assert outcome.error and outcome.error.startswith("captcha page")
    denied = process_page(b"<h1>Access denied</h1>", BASE + "/", {}, 403)
    assert denied.outcome == "blocked"
    assert process_page(b"gone", BASE + "/", {}, 404).outcome == "http_error"
    assert process_page(b"", BASE + "/", {}, 304).outcome == "not_modified"


def test_pages_over_the_size_limit_are_failed_without_parsing() -> None:
    calls: list[str] = []

    def counting_extract(html: Any, url: Any = None, *, headers: Any = None) -> dict[str, Any]:
        calls.append(url)
        raise AssertionError("must not be called")

    outcome = process_page(
        b"<p>" + b"x" * 5000,
        BASE + "/big",
        {},
        200,
        limits=ExtractionLimits(max_bytes=1000),
        extract_function=counting_extract,
    )
    assert outcome.outcome == "failed" and "too large" in (outcome.error or "")
    assert not calls


@pytest.mark.slow
def test_crawl_and_reextract_give_the_same_verdicts(tmp_path: Path) -> None:
    paths = {
        "captcha_comments": generated_article(3).path,
        "vendor_marker": generated_article(4).path,
        "challenge": "/news/2024/01/01/one-more-step-challenge.html",
        "plain": generated_article(5).path,
    }
    with RawSite() as site:
        base = site.base_url
        bodies = {
            "captcha_comments": article_with_captcha_comments(3, base),
            "vendor_marker": article_with_vendor_marker(4, base),
            "challenge": CHALLENGE,
            "plain": generated_article(5).render(base),
        }
        site.routes["/"] = Route(
            http_response("200 OK", HTML, html_page("Home", list(paths.values()), filler=20))
        )
        for name, path in paths.items():
            site.routes[path] = Route(http_response("200 OK", HTML, bodies[name].encode()))
        out = tmp_path / "crawl"
        result = run_command(
            crawl_command(base + "/", out, crawl_id="verdicts"), timeout=180, cwd=ROOT
        )
        assert result.returncode == 0, result.stderr[-3000:]

    crawled = {}
    for line in (out / "pages.jsonl").read_text().splitlines():
        page = json.loads(line)
        crawled[page["url"].removeprefix(base)] = page["outcome"]
    reread = {}
    notes = {}
    for page in read_pages(sorted((out / "warc").glob("*.warc.gz"))):
        result_ = extract_page(page)
        record = result_["record"]
        outcome = result_["outcome"] or decide_outcome(item(page.capture, record), 0.5)[0]
        reread[page.url.removeprefix(base)] = outcome
        if record is not None:
            notes[page.url.removeprefix(base)] = record["extraction"]["validation_messages"]

    expected = {
        paths["captcha_comments"]: "article",
        paths["vendor_marker"]: "article",
        paths["challenge"]: "blocked",
        paths["plain"]: "article",
    }
    assert {path: crawled.get(path) for path in expected} == expected
    assert {path: reread.get(path) for path in expected} == expected
    assert any(m.startswith(SUSPECTED_BLOCK) for m in notes[paths["vendor_marker"]])
    exported = [
        json.loads(line)
        for path in sorted((out / "articles").glob("*.jsonl.gz"))
        for line in gzip.decompress(path.read_bytes()).decode().splitlines()
    ]
    by_url = {record["url"].removeprefix(base): record for record in exported}
    assert any(
        m.startswith(SUSPECTED_BLOCK)
        for m in by_url[paths["vendor_marker"]]["extraction"]["validation_messages"]
    )


def test_a_lone_surrogate_in_json_ld_never_makes_the_record_unwritable() -> None:
    """JSON-LD may spell a lone surrogate (``"\\ud800"``): decoded, it is a string no UTF-8
    writer accepts, and the export of the page's record failed with a traceback (the page
    was logged as an article that no batch held). The page step's record always encodes."""
    from newsarchive.export.jsonl import encode_record

    ld = '{"@type": "NewsArticle", "headline": "Quay \\ud800", "author": {"name": "A \\udfff"}}'
    page = generated_article(1).render(BASE)
    page = page.replace("</head>", f'<script type="application/ld+json">{ld}</script></head>', 1)
    outcome = process_page(page.encode(), BASE + generated_article(1).path, {}, 200)
    assert outcome.record is not None
    line = encode_record(outcome.record).decode("utf-8")
    assert "\ud800" not in line and "\udfff" not in line
