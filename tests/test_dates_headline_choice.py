"""Which heading the date below it is read under, and days written with slashes.

Hand-written pages: a public-office press release whose first ``<h1>`` is a
screen-reader "Navigation" heading, and a blog whose article shows its day only
as "15/07/2014" while a sentence below the headline names an older day.
"""

from __future__ import annotations

from newsarchive.extraction import extract

URL = "https://office.example.gov/press/releases/2022/007.html"


def _menu(items: int) -> str:
    return "".join(f"<li><a href='/topic/{i}'>Topic number {i}</a></li>" for i in range(items))


def _release(title: str) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {i}: the new map shows measured values for every district.</p>"
        for i in range(5)
    )
    return (
        f"<html><head><title>{title}</title></head><body>"
        f"<h1 class='sr-only'>Navigation and service</h1><ul>{_menu(420)}</ul>"
        "<main><h1>New soil map gives orientation</h1>"
        "<dl><dt>Year</dt><dd>2022</dd><dt>Date</dt><dd>25.01.2022</dd></dl>"
        f"{paragraphs}</main></body></html>"
    )


def test_the_heading_the_title_names_is_the_headline_for_the_shown_date() -> None:
    html = _release("Office - Press releases - New soil map gives orientation")
    record = extract(html, URL)
    assert record["date_published"] == "2022-01-25"
    assert record["date_published_source"] == "text"


BLOG_URL = "https://consulting.example.net/2014/07/15/what-is-innovation/"


def test_a_day_written_with_slashes_counts_as_shown() -> None:
    head = '<meta property="article:published_time" content="2014-07-15T10:00:29+00:00">'
    html = (
        f"<html><head><title>What is innovation?</title>{head}</head><body>"
        "<h1>What is innovation?</h1><span class='posted'>15/07/2014</span>"
        "<p>On 14 June 2005 a founder gave a speech</p> <p>that is still quoted today.</p>"
        "<p>Innovation is more than invention: it is invention that reaches people.</p>"
        "</body></html>"
    )
    record = extract(html, BLOG_URL)
    assert record["date_published"] == "2014-07-15T10:00:29Z"
