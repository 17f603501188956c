"""Publication dates where the markup states none we read: htmldate's fast search as the
fallback after structured data, on our own parsed tree and without any network access."""

from __future__ import annotations

import socket

import htmldate
import pytest
from newsarchive.pipelines.validate import allowed_values

from newsarchive import schema
from newsarchive.extraction import extract

# A CMS pattern our own sources do not read: an <abbr class="published"> whose title
# holds the date while its text ("10 Nov") has no year.
ABBR_PAGE = (
    "<html><head><title>Club evening</title></head><body><article>"
    "<h1>Club evening moves to the old mill</h1>"
    '<p class="byline">By the club board · <abbr class="published" title="2021-11-10T19:30:00">'
    "10 Nov</abbr></p>"
    "<p>The monthly club evening moves to the old mill from next month on, the board said.</p>"
    "<p>Members who need a lift can sign up at the counter before the end of the month.</p>"
    "</article></body></html>"
)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails the test: extraction must stay pure."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("extraction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_date_only_a_cms_pattern_states_is_found(no_network: None) -> None:
    record = extract(ABBR_PAGE, "https://club.example.org/news/club-evening")
    assert record["date_published"] == "2021-11-10"
    assert record["date_published_source"] == "htmldate"
    # htmldate prunes a copy: the body and headline still come from the whole page
    assert "sign up at the counter" in (record["article_body"] or "")
    assert record["headline"] == "Club evening moves to the old mill"


def test_every_source_named_in_the_schema_doc_passes_validation() -> None:
    """The validator's list of sources and the schema's description name the same values."""
    doc = schema.Article.__dataclass_fields__["date_published_source"].metadata["doc"]
    named = {w.strip(" .,") for w in doc.split(":", 1)[1].split(",")}
    assert named == allowed_values()["date_published_source"]
    assert "htmldate" in named


def test_a_failing_fallback_costs_only_its_own_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def broken(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise ValueError("bad markup")

    monkeypatch.setattr(htmldate, "find_date", broken)
    html = ABBR_PAGE.replace("<p>Members", "<p>Thursday 11 November 2021. Members")
    record = extract(html, "https://club.example.org/news/club-evening")
    assert calls  # consulted: the markup states no date
    assert record["date_published"] == "2021-11-11"  # and our own text scan still answers
    assert not any("dates" in m for m in record["extraction"]["validation_messages"])


def test_a_day_from_the_url_is_not_searched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = htmldate.find_date

    def spy(*args: object, **kwargs: object) -> str | None:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(htmldate, "find_date", spy)
    record = extract(ABBR_PAGE, "https://club.example.org/2021/11/10/club-evening")
    assert record["date_published"] == "2021-11-10"
    assert not calls  # it gives days only, and the URL gave the day


def test_the_fallback_gets_the_parsed_tree_and_only_when_markup_is_silent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[object] = []
    real = htmldate.find_date

    def spy(htmlobject: object, **kwargs: object) -> str | None:
        seen.append(htmlobject)
        assert kwargs.get("extensive_search") is False
        return real(htmlobject, **kwargs)

    monkeypatch.setattr(htmldate, "find_date", spy)
    extract(ABBR_PAGE, "https://club.example.org/news/club-evening")
    assert len(seen) == 1 and not isinstance(seen[0], str | bytes)  # a tree, never a URL

    stated = ABBR_PAGE.replace(
        "</head>",
        '<meta property="article:published_time" content="2021-11-09T08:00:00+01:00"></head>',
    )
    record = extract(stated, "https://club.example.org/news/club-evening")
    assert record["date_published"] == "2021-11-09T08:00:00+01:00"
    assert len(seen) == 1  # structured data answered: no second call


def test_a_utc_time_takes_the_local_offset_the_page_states_for_the_same_moment() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry",'
        ' "datePublished": "2019-10-18T22:04:00Z"}</script>'
        '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">'
    )
    html = ABBR_PAGE.replace("</head>", head + "</head>")
    record = extract(html, "https://club.example.org/news/club-evening")
    assert record["date_published"] == "2019-10-19T00:04:00+02:00"  # same moment, local day
    assert record["date_published_source"] == "json_ld"
    other_moment = html.replace("00:04:00 +0200", "09:30:00 +0200")
    record = extract(other_moment, "https://club.example.org/news/club-evening")
    assert record["date_published"] == "2019-10-18T22:04:00Z"  # another moment: no twin
