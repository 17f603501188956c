"""normalize_record: text clean-up, URL identity, hashes, date checks; pure and idempotent."""

from __future__ import annotations

import copy

import pytest

from newsarchive import schema
from newsarchive.normalize import (
    canonicalize_url,
    capture_id,
    clean_paragraphs,
    clean_text,
    is_rfc3339,
    normalize_record,
    surt_key,
)


def _record(**fields: object) -> dict:
    return schema.conform({"url": "https://www.example.com/news/a-story", **fields})


def test_text_is_nfc_without_invisible_characters_and_collapsed() -> None:
    decomposed = "Cafe\u0301"  # e + combining acute
    raw = f"  \ufeff{decomposed}\u200b  au\u00adjourd\u2019hui\u00a0\u00a0et\t\u202edemain\u202c "
    assert clean_text(raw) == "Café aujourd’hui et demain"
    assert clean_text(" \u200b ") is None


def test_joiners_needed_by_scripts_and_emoji_are_kept() -> None:
    persian = "می\u200cخواهم"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(persian) == persian
    assert clean_text(family) == family


def test_paragraph_fields_keep_one_newline_between_paragraphs() -> None:
    body = "First  para\r\n\r\n\n  Second\u2029Third \u2028 \n"
    assert clean_paragraphs(body) == "First para\nSecond\nThird"


def test_record_text_fields_nested_and_lists_are_cleaned() -> None:
    rec = normalize_record(
        _record(
            headline="  Big\u200b news ",
            lede="Lede one\n\n\nLede two",
            authors=[{"name": " Jane\u00a0Doe ", "name_raw": " By Jane\u00a0Doe "}],
            topics=[" politics ", "\u200b", "eu"],
            body_sections=[{"headline": " Sub ", "paragraphs": [" a ", "", "b"]}],
            main_image={"url": "https://img.example.com/x.jpg", "caption": " A  cat "},
            date_published_raw=" 1  May ",
        )
    )
    assert rec["headline"] == "Big news"
    assert rec["lede"] == "Lede one\nLede two"
    assert rec["authors"][0]["name"] == "Jane Doe"
    assert rec["authors"][0]["name_raw"] == " By Jane\u00a0Doe "  # raw kept as found
    assert rec["topics"] == ["politics", "eu"]
    assert rec["body_sections"] == [{"headline": "Sub", "paragraphs": ["a", "b"]}]
    assert rec["main_image"]["caption"] == "A cat"
    assert rec["date_published_raw"] == " 1  May "


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/News/Story?id=7&utm_source=rss&fbclid=x#top",
            "https://www.example.com/News/Story?id=7",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a?b=2&a=1", "http://example.com:8080/a?b=2&a=1"),
        ("https://example.com/a?ref=rss", "https://example.com/a"),
        ("https://example.com/a?ref=v2", "https://example.com/a?ref=v2"),
        ("https://example.com/a?UTM_Medium=x&page=2", "https://example.com/a?page=2"),
        ("/relative/path", None),
        ("http://bad:port/x", None),
        (None, None),
    ],
)
def test_canonicalize_url(url: str | None, expected: str | None) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.Example.com/News/Story?b=2&a=1", "com,example)/news/story?a=1&b=2"),
        ("http://example.com", "com,example)/"),
        ("http://www2.news.example.co.uk:8080/x", "uk,co,example,news:8080)/x"),
        ("https://example.com/x?utm_campaign=1", "com,example)/x?utm_campaign=1"),
        ("https://example.com/a/b/", "com,example)/a/b"),
        ("ftp://example.com/x", None),
    ],
)
def test_surt_key_matches_cdx_form(url: str, expected: str) -> None:
    """The key pywb and index.cdxj give the URL as fetched (the surt package's)."""
    assert surt_key(url) == expected


def test_article_id_ignores_tracking_parameters_url_surtkey_keeps_them() -> None:
    tracked = normalize_record(_record(url="https://example.com/x?utm_campaign=1"))
    plain = normalize_record(_record(url="https://example.com/x"))
    assert tracked["article_id"] == plain["article_id"]
    assert tracked["url_surtkey"] == "com,example)/x?utm_campaign=1"


def test_identity_fields_derived_from_canonical_url() -> None:
    rec = normalize_record(_record(canonical_url="https://example.com/news/a-story?utm_source=x"))
    assert rec["canonical_url"] == "https://example.com/news/a-story"
    assert rec["url_surtkey"] == "com,example)/news/a-story"
    assert rec["source_domain"] == "example.com"
    assert rec["url"] == "https://www.example.com/news/a-story"  # fetched URL untouched
    assert len(rec["article_id"]) == 32
    int(rec["article_id"], 16)
    other_variant = normalize_record(_record(url="http://www.example.com/news/a-story#c"))
    assert other_variant["article_id"] == rec["article_id"]
    different = normalize_record(_record(url="https://example.com/news/b-story"))
    assert different["article_id"] != rec["article_id"]


def test_canonical_falls_back_to_url_and_bad_url_is_recorded() -> None:
    rec = normalize_record(_record())
    assert rec["canonical_url"] == "https://www.example.com/news/a-story"
    relative = normalize_record(_record(canonical_url="/news/a-story"))
    assert relative["canonical_url"] == "https://www.example.com/news/a-story"
    assert relative["extraction"]["validation_messages"] == [
        "canonical_url: not an absolute URL: '/news/a-story'"
    ]
    bad = normalize_record(schema.conform({"url": "not a url"}))
    assert bad["article_id"] is None and bad["canonical_url"] is None


def test_content_hash_follows_normalized_text() -> None:
    a = normalize_record(_record(headline="Title", article_body="Body\u200b text"))
    b = normalize_record(_record(headline=" Title ", article_body="Body  text"))
    c = normalize_record(_record(headline="Title", article_body="Body text changed"))
    assert a["content_hash"] == b["content_hash"]
    assert a["content_hash"] != c["content_hash"]
    assert normalize_record(_record())["content_hash"] is None


def test_dates_are_rfc3339_or_null_with_the_raw_value_kept() -> None:
    rec = normalize_record(
        _record(date_published="2024-05-01T10:00:00+02:00", date_modified="01/05/2024")
    )
    assert rec["date_published"] == "2024-05-01T10:00:00+02:00"
    assert rec["date_modified"] is None and rec["date_modified_raw"] == "01/05/2024"
    messages = rec["extraction"]["validation_messages"]
    assert messages == [
        "date_modified: not RFC 3339, set to null (kept in date_modified_raw): '01/05/2024'"
    ]
    assert normalize_record(rec) == rec  # idempotent
    assert is_rfc3339("2024-05-01") and is_rfc3339("2024-05-01T08:00:00.5Z")
    assert not is_rfc3339("2024-02-30") and not is_rfc3339("2024-05-01T10:00:00")


def test_language_tag_casing() -> None:
    assert normalize_record(_record(in_language="de_at"))["in_language"] == "de-AT"
    assert normalize_record(_record(in_language="zh-hant-tw"))["in_language"] == "zh-Hant-TW"


def test_pure_and_idempotent() -> None:
    original = _record(
        headline=" A\u200b ",
        article_body="x\n\ny",
        date_published="bad",
        canonical_url="HTTP://Example.com/p?utm_source=1",
        authors=[{"name": " N "}],
    )
    before = copy.deepcopy(original)
    once = normalize_record(original)
    assert original == before
    assert normalize_record(once) == once


def test_non_string_values_do_not_crash() -> None:
    rec = normalize_record(
        {"headline": 5, "topics": "not a list", "authors": ["x"], "url": 42, "in_language": 3}
    )
    assert rec["headline"] == 5 and rec["topics"] == "not a list"
    assert rec["article_id"] is None


def test_capture_id_is_stable_per_fetch() -> None:
    rid = "<urn:uuid:0f3c5c2e-3b7a-4e0b-9c55-0d2f6f2a1a11>"
    assert capture_id(warc_record_id=rid) == capture_id(warc_record_id=rid)
    assert capture_id(warc_record_id=rid) != capture_id(warc_record_id=rid.replace("0f", "1f"))
    a = capture_id(url="https://example.com/a", fetched_at="2024-05-01T10:00:00Z")
    b = capture_id(url="https://example.com/a", fetched_at="2024-05-01T10:00:01Z")
    assert a != b and len(a) == 32
    with pytest.raises(ValueError):
        capture_id(url="https://example.com/a")


@pytest.mark.parametrize(
    "line",
    [
        "plain words", " leading", "trailing ", "two  spaces", "", " ", "tab\there",
        "nb\u00a0space", "thin\u2009space", "ideographic\u3000space", "a\x1cb", "a\x85b",
        "line\u2028sep", "one", "Ελληνικά ΣΟΦΙΑΣ",
    ],
)  # fmt: skip
def test_collapsing_whitespace_answers_as_splitting_and_joining(line: str) -> None:
    """The shortcut for text extraction already collapsed gives split-and-join's answer."""
    from newsarchive.normalize import _collapsed

    assert _collapsed(line) == " ".join(line.split())
