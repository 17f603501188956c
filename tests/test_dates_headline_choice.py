"""Which heading the date below it is read under, and days written with slashes.

Hand-written pages: a public-office press release whose first ``<h1>`` is a
screen-reader "Navigation" heading, and a blog whose article shows its day only
as "15/07/2014" while a sentence below the headline names an older day.
"""

from __future__ import annotations

from newsarchive.extraction import dates, extract
from newsarchive.extraction.document import load_document

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


def test_a_title_parsed_into_the_body_still_names_the_story_heading() -> None:
    # Markup before <title> ("<p>Skip</p><title>...") makes the parser put it in <body>;
    # it names the page all the same, for the headline and for the dates alike.
    html = (
        "<html><head><meta charset='utf-8'></head><p>Skip to content</p>"
        "<title>New soil map gives orientation - Office</title><body>"
        "<h1>Office for soil</h1><main><h1>New soil map gives orientation</h1>"
        "<p>The new map shows measured values for every district.</p></main></body></html>"
    )
    heading = dates._headline(load_document(html, URL))
    assert heading is not None and heading.text == "New soil map gives orientation"


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


def _plain(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}"
        "<p>The cold wave alert stays in force until Thursday morning, officials said.</p>"
        "</body></html>"
    )


def test_a_labelled_iso_date_is_found() -> None:
    html = _plain("Cold wave ahead", "<p>Written: 2023-11-07 15:03:30</p>")
    record = extract(html, "https://radio.example.kr/news_view?seq=181595")
    assert record["date_published"] == "2023-11-07"  # a local time without offset: its day
    assert record["date_published_raw"] == "2023-11-07 15:03:30"


def test_a_day_first_date_alone_in_the_url_dates_the_page() -> None:
    url = "https://charity.example.de/media-news/meldungen/29-10-2021"
    assert extract(_plain("Ten years of burglary protection day", ""), url)["date_published"] == (
        "2021-10-29"
    )


def test_a_month_name_followed_by_a_comma_before_the_year() -> None:
    head = '<meta property="og:updated_time" content="2022-12-16T17:30:38+0100">'
    html = (
        f"<html><head><title>Strengths</title>{head}</head><body><h1>Strengths</h1>"
        "<span>07 Dezember, 2022</span><p>Wer Stärken stärkt, führt besser.</p></body></html>"
    )
    assert extract(html, "https://mag.example.de/fuehrung/staerken")["date_published"] == (
        "2022-12-07T00:00:00+01:00"
    )


def test_a_dateline_right_above_the_headline_beats_the_days_date_in_the_page_header() -> None:
    html = (
        "<html><head><title>Court: the trial goes on</title></head><body>"
        "<div class='top'><span>Donnerstag, 16. Februar 2012</span></div>"
        f"<ul>{_menu(30)}</ul>"
        "<div class='crumbs'><a href='/'>Start</a> › <a href='/politik'>Politik</a></div>"
        "<div class='tools'><span>14. Februar 2012</span><a href='#print'>Drucken</a></div>"
        "<span class='section'>Politik</span><h1>Court: the trial goes on</h1>"
        "<p>Das Verfassungsgericht verwarf am Dienstag einen Antrag der Abgeordnetenkammer.</p>"
        "</body></html>"
    )
    record = extract(html, "https://news.example.it/artikel/politik/court-trial")
    assert record["date_published"] == "2012-02-14"


def test_a_shown_time_that_reads_the_stated_moment_in_utc_keeps_that_moment() -> None:
    """The page prints UTC ("2:00 a.m."); its JSON-LD says 21:00-05:00 the evening before."""
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Cases",'
        ' "datePublished": "2022-05-05T21:00:00-05:00"}</script>'
    )
    html = (
        f"<html><head><title>Three cases</title>{head}</head><body>"
        "<a href='/judicial'>Judicial</a><span>6 May 2022 - 2:00 a.m.</span>"
        "<h1>Three cases</h1><p>La jurisdicción abrirá tres macrocasos nuevos.</p>"
        "</body></html>"
    )
    record = extract(html, "https://diario.example.co/judicial/tres-casos/")
    assert record["date_published"] == "2022-05-06T02:00:00Z"  # the stated moment, shown day


def test_a_time_element_whose_day_the_page_shows_beats_a_stated_day_it_never_shows() -> None:
    head = '<meta property="og:article:published_time" content="2022-01-15">'
    tips = "".join(f"<li>Tip {i}: keep to marked routes in winter.</li>" for i in range(14))
    html = (
        f"<html><head><title>Snow sports and wildlife</title>{head}</head><body>"
        f"<h1>Snow sports and wildlife</h1><ul>{tips}</ul>"
        "<p><time datetime='2022-01-25'>25.01.2022</time></p>"
        "<p>Wild animals save energy in winter; every flight costs them reserves.</p>"
        "</body></html>"
    )
    assert extract(html, "https://club.example.ch/de/umwelt/wildlife-35334/")["date_published"] == (
        "2022-01-25"
    )


def test_a_day_first_date_with_bars_or_dashes_is_read() -> None:
    for shown in ("26 | 01 | 2022", "26-01-2022"):
        html = _plain("Winter pike", f"<div class='stamp'>{shown}</div>")
        assert extract(html, "https://fishing.example.ch/de/winter-pike--1026")[
            "date_published"
        ] == ("2022-01-26")
    # a span of years is no date
    html = _plain("Funding 2021-2027", "<p>Budget 2021-2027</p>")
    assert extract(html, "https://fishing.example.ch/de/budget")["date_published"] is None


def test_a_date_only_the_description_writes_is_the_last_resort() -> None:
    description = "Bears: 2019 a record year (Notizia del 14 Gennaio 2020)"
    head = f'<meta name="description" content="{description}">'
    html = (
        f"<html><head><title>Bears: 2019 a record year</title>{head}</head><body>"
        "<h1>Bears: 2019 a record year</h1><p>Twelve cubs were seen this year.</p></body></html>"
    )
    assert extract(html, "http://park.example.it/dettaglio.php?id=58354")["date_published"] == (
        "2020-01-14"
    )


def _slashed(lang: str, shown: str) -> str:
    return (
        f"<html lang='{lang}'><head><title>Assembly vote</title></head><body>"
        f"<h1>Assembly vote</h1><span class='when'>{shown}</span>"
        "<p>The assembly approved the reform late in the evening.</p></body></html>"
    )


def test_a_slashed_date_is_read_in_the_order_the_page_language_writes() -> None:
    url = "https://paper.example.org/politics/assembly-vote"
    assert extract(_slashed("en-US", "05/03/2022"), url)["date_published"] == "2022-05-03"
    assert extract(_slashed("es-SV", "05/03/2022"), url)["date_published"] == "2022-03-05"
    assert extract(_slashed("en", "05/03/2022"), url)["date_published"] is None  # UK or US
    assert extract(_slashed("en", "15/07/2014"), url)["date_published"] == "2014-07-15"


def test_dates_written_with_month_names_and_signs_of_more_languages() -> None:
    shown = {
        "19 февраля 2020": "2020-02-19",  # Russian
        "5. května 2021": "2021-05-05",  # Czech, genitive
        "14 Μαΐου 2021": "2021-05-14",  # Greek
        "2020. február 19.": "2020-02-19",  # Hungarian, year first
        "2019年6月24日": "2019-06-24",  # Japanese, Chinese
    }
    for text, day in shown.items():
        html = _plain("Report", f"<span class='stamp'>{text}</span>")
        assert extract(html, "https://news.example.net/report")["date_published"] == day, text
