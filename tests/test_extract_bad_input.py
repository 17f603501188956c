"""Bad input never crashes extraction: every case gives a full record, quickly."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import time

import pytest

from newsarchive import schema
from newsarchive.extraction import extract

URL = "https://news.example.org/a/story.html"
EVERY_KEY = set(schema.empty())


def check_record(record: dict) -> dict:
    assert set(record) == EVERY_KEY
    assert 0.0 <= record["extraction"]["probability"] <= 1.0
    json.dumps(record)  # JSON-ready
    return record


@pytest.mark.parametrize(
    ("data", "page_type"),
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        ("", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>", "binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
        (b"\xff\xd8\xff\xe0" + bytes(300), "binary"),
        (bytes(2000), "binary"),
        # Compressed bytes without a magic number (brotli served without its coding).
        (random.Random(7).randbytes(3000), "binary"),
        (b"<html><body>" + random.Random(8).randbytes(3000), "binary"),
    ],
)
def test_empty_and_binary_input_give_probability_zero(data: bytes | str, page_type: str) -> None:
    record = check_record(extract(data, URL))
    assert record["extraction"]["page_type"] == page_type
    assert record["extraction"]["probability"] == 0.0
    assert record["extraction"]["validation_messages"]
    assert record["headline"] is None and record["article_body"] is None
    assert record["url"] == URL


def test_truncated_html_keeps_what_is_there() -> None:
    data = b"<html><head><title>Cut short</title></head><body><article><h1>Cut short</h1><p>Some te"
    record = check_record(extract(data, URL))
    assert record["headline"] == "Cut short"


def test_page_without_body() -> None:
    data = b'<html><head><meta property="og:title" content="Head only"></head></html>'
    record = check_record(extract(data, URL))
    assert record["headline"] == "Head only"
    assert record["extraction"]["probability"] < 0.5


def test_five_megabyte_page_is_extracted_in_reasonable_time() -> None:
    paragraph = "<p>" + "The council met again to discuss the budget in detail. " * 30 + "</p>"
    data = (
        "<html><head><title>Long read</title></head><body><article><h1>Long read</h1>"
        + paragraph * (5_000_000 // len(paragraph))
        + "</article></body></html>"
    ).encode()
    assert len(data) > 4_900_000
    start = time.process_time()
    record = check_record(extract(data, URL))
    assert time.process_time() - start < 20
    assert record["headline"] == "Long read"


@pytest.mark.parametrize("closed", [True, False])
def test_dom_nested_ten_thousand_levels(closed: bool) -> None:
    opening = "<div><span>" * 10_000
    closing = "</span></div>" * 10_000 if closed else ""
    data = (
        f"<html><head><title>Deep</title></head><body>{opening}<p>deep</p>{closing}</body></html>"
    )
    start = time.process_time()
    record = check_record(extract(data.encode(), URL))
    assert time.process_time() - start < 10
    assert record["headline"] == "Deep"


def test_wrong_declared_charset_is_overruled_by_valid_utf8() -> None:
    data = (
        '<html><head><meta charset="iso-8859-1"><title>Grüße aus München</title></head>'
        "<body><p>Straße</p></body></html>"
    ).encode()
    assert check_record(extract(data, URL))["headline"] == "Grüße aus München"


def test_latin1_bytes_declared_utf8_do_not_crash() -> None:
    data = '<html><head><meta charset="utf-8"><title>Café</title></head></html>'.encode("latin-1")
    record = check_record(extract(data, URL))
    assert record["headline"] and record["headline"].startswith("Caf")


def test_header_charset_is_used() -> None:
    data = "<html><head><title>Fußball</title></head><body></body></html>".encode("cp1252")
    record = extract(data, URL, headers={"Content-Type": "text/html; charset=windows-1252"})
    assert check_record(record)["headline"] == "Fußball"


def test_broken_json_ld_is_noted_not_fatal() -> None:
    data = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        "</script><title>Still here</title></head><body><p>x</p></body></html>"
    )
    record = check_record(extract(data, URL))
    assert record["headline"] == "Still here"
    assert any("JSON-LD" in m for m in record["extraction"]["validation_messages"])


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Just a moment...</title></head><body><p>Checking your browser "
        'before accessing the site.</p><div id="challenge-form"></div></body></html>',
        "<html><head><title>Access denied</title></head><body><h1>Access denied</h1>"
        "<p>You don't have permission to access this server.</p></body></html>",
        "<html><head><title>Attention Required!</title></head><body><p>Please enable "
        "JavaScript and cookies to continue</p></body></html>",
    ],
)
def test_block_pages_are_recognised_and_not_given_a_headline(html: str) -> None:
    record = check_record(extract(html, URL))
    assert record["extraction"]["page_type"] == "block_page"
    assert record["extraction"]["probability"] < 0.1
    assert record["headline"] is None


def test_a_short_post_with_a_captcha_guarded_comment_form_is_no_block_page() -> None:
    post = (
        "<html><head><title>Interning small integers</title></head><body><article>"
        "<h1>Interning small integers</h1><p>Python keeps one object for each small "
        "integer, so two names bound to 7 point at the same object. Larger numbers are "
        "created afresh, and the identity test then tells them apart.</p><p>The range "
        "is fixed when the interpreter starts: from minus five to two hundred and fifty "
        "six. Code that compares numbers with the identity operator works by accident "
        "inside it and fails outside, which is why linters warn about it.</p></article>"
        '<form id="commentform"><textarea name="comment"></textarea>'
        '<div class="g-recaptcha" data-sitekey="k"></div><button>Post</button></form>'
        "</body></html>"
    )
    url = "http://blog.example/2019/10/21/interning-of-small-integers/"
    record = check_record(extract(post, url))
    assert record["extraction"]["page_type"] == "article"
    assert "identity operator" in record["article_body"]
    # the same widget in a form with nothing to write is a challenge
    challenge = post.replace('<textarea name="comment"></textarea>', "")
    assert extract(challenge, url)["extraction"]["page_type"] == "block_page"


def test_error_page() -> None:
    html = "<html><head><title>404 Not Found</title></head><body><h1>Page not found</h1></body>"
    record = check_record(extract(html, URL))
    assert record["extraction"]["page_type"] == "error"
    assert record["extraction"]["probability"] < 0.1


def test_no_url_and_odd_urls() -> None:
    html = '<html><head><link rel="canonical" href="javascript:void(0)"></head><body></body></html>'
    assert check_record(extract(html))["canonical_url"] is None
    assert check_record(extract(html, "http://[broken"))["source_domain"] is None


def test_cli_extracts_gzip_stdin_and_reports_unreadable_files(tmp_path) -> None:
    page = "<html><head><title>CLI page</title></head><body><p>text</p></body></html>"
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page.encode()))
    cmd = [sys.executable, "-m", "newsarchive", "extract", str(gz), "-", str(tmp_path / "nope")]
    done = subprocess.run(
        [*cmd, "--url", URL], input=b"", capture_output=True, timeout=60, check=False
    )
    lines = done.stdout.decode().splitlines()
    assert done.returncode == 1
    assert "cannot read" in done.stderr.decode()
    first, second = (json.loads(line) for line in lines)
    assert first["headline"] == "CLI page" and first["url"] == URL
    assert second["extraction"]["page_type"] == "empty"


def test_challenge_page_with_large_inline_script_is_still_a_block_page() -> None:
    script = "<script>var challenge = '" + "x" * 20_000 + "';</script>"
    html = (
        "<html><head><title>Just a moment...</title></head><body>"
        f"{script}<p>Please enable JavaScript and cookies to continue</p></body></html>"
    )
    assert extract(html, URL)["extraction"]["page_type"] == "block_page"


@pytest.mark.parametrize("as_bytes", [True, False])
def test_xml_declaration_does_not_stop_parsing(as_bytes: bool) -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>'
        "<html><head><title>XHTML page</title></head><body><p>x</p></body></html>"
    )
    record = check_record(extract(html.encode() if as_bytes else html, URL))
    assert record["headline"] == "XHTML page"


def test_control_characters_and_lone_surrogates_are_survived() -> None:
    html = "<html><head><title>Nul\x00 and \ud800 here</title></head><body><p>x\x07</p></body>"
    assert check_record(extract(html, URL))["headline"] == "Nul and \ufffd here"


def test_control_characters_never_reach_the_tree() -> None:
    from newsarchive.extraction.document import load_document

    doc = load_document(b"<html><body><p>bell\x07 back\x08 nul\x00 end</p></body></html>")
    assert doc.root.findtext(".//p") == "bell back nul end"


def test_header_charset_contradicted_by_utf8_bytes_loses() -> None:
    data = "<html><head><title>Grüße</title></head><body></body></html>".encode()
    record = extract(data, URL, headers={"content-type": "text/html; charset=ISO-8859-1"})
    assert check_record(record)["headline"] == "Grüße"


def test_header_charset_for_a_page_without_meta() -> None:
    data = "<html><head><title>Рыбаки</title></head><body></body></html>".encode("cp1251")
    record = extract(data, URL, headers={"Content-Type": "text/html; charset=windows-1251"})
    assert check_record(record)["headline"] == "Рыбаки"


def test_undeclared_legacy_charset_is_detected() -> None:
    text = "<html><head><title>Être à Paris</title></head><body><p>{}</p></body></html>".format(
        "Le café était fermé à cause de la grève générale des employés. " * 20
    )
    record = extract(text.encode("cp1252"), URL)
    assert check_record(record)["headline"] == "Être à Paris"


def test_hostile_metadata_strings_stay_fast() -> None:
    commas = "a" + "," * 50_000 + "b"
    html = (
        f'<html><head><meta name="author" content="{commas}">'
        f'<meta property="article:published_time" content="{"9" * 100_000}">'
        f"<title>{'- ' * 20_000}</title></head><body><p>{'1.' * 100_000}</p></body></html>"
    )
    start = time.process_time()
    check_record(extract(html, URL))
    assert time.process_time() - start < 5


def test_error_page_with_a_long_site_navigation() -> None:
    navigation = "".join(
        f'<li><a href="/s{i}">Section number {i} of the site</a></li>' for i in range(150)
    )
    html = (
        "<html><head><title>Seite nicht gefunden | Example</title></head><body>"
        f"<nav><ul>{navigation}</ul></nav><h1>Seite nicht gefunden</h1>"
        "<p>Die angeforderte Seite existiert nicht.</p></body></html>"
    )
    assert check_record(extract(html, URL))["extraction"]["page_type"] == "error"


def test_meta_charset_after_a_large_inline_style() -> None:
    style = "<style>" + ".c{color:red}" * 1000 + "</style>"
    html = f'<html><head>{style}<meta charset="windows-1251"><title>Новости</title></head></html>'
    assert check_record(extract(html.encode("cp1251"), URL))["headline"] == "Новости"


@pytest.mark.parametrize(
    "encode",
    [
        lambda h: b"\xff\xfe" + h.encode("utf-16-le"),
        lambda h: b"\xfe\xff" + h.encode("utf-16-be"),
        lambda h: h.encode("utf-16-le"),
        lambda h: h.encode("utf-16-be"),
    ],
)
def test_utf16_pages_are_text_not_binary(encode) -> None:
    html = "<html><head><title>Sixteen bits</title></head><body><p>x</p></body></html>"
    record = check_record(extract(encode(html), URL))
    assert record["headline"] == "Sixteen bits"


def test_none_bytearray_and_wrong_types() -> None:
    assert check_record(extract(None, URL))["extraction"]["page_type"] == "empty"  # type: ignore[arg-type]
    assert extract(bytearray(b"<title>Array</title>"), URL)["headline"] == "Array"  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes or str"):
        extract(42, URL)  # type: ignore[arg-type]


def test_scrapy_style_byte_headers() -> None:
    data = "<html><head><title>Fußball</title></head><body></body></html>".encode("cp1252")
    headers = {b"Content-Type": [b"text/html; charset=windows-1252"]}
    assert extract(data, URL, headers=headers)["headline"] == "Fußball"  # type: ignore[arg-type]
    from newsarchive.extraction.document import load_document

    assert load_document(data, URL, headers).encoding_source == "header"  # type: ignore[arg-type]


def test_megabytes_of_quoted_text_in_one_paragraph_stay_bounded() -> None:
    text = "Der Bürgermeister sagte: „Wir müssen handeln“, und die Stadt reagierte. " * 40_000
    start = time.process_time()
    record = check_record(extract(f"<html><body><p>{text}</p></body></html>", URL))
    assert time.process_time() - start < 10
    assert any("quotes: only the first" in m for m in record["extraction"]["validation_messages"])


def test_title_misplaced_in_body_is_still_found() -> None:
    html = "<html><head></head><body><title>Late title</title><p>x</p></body></html>"
    assert check_record(extract(html, URL))["headline"] == "Late title"


# Labels Python maps to codecs that are no web text encoding: bytes-to-bytes codecs
# (LookupError on bytes.decode), codecs that raise with errors="replace" (idna,
# undefined) or on non-ASCII bytes (punycode), escape codecs and UTF-7.
NOT_TEXT_CHARSETS = (
    "zlib",
    "rot13",
    "base64",
    "hex",
    "uu",
    "bz2",
    "quopri",
    "idna",
    "undefined",
    "punycode",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-7",
)


@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("charset", NOT_TEXT_CHARSETS)
def test_charset_labels_of_non_text_codecs_fall_back_like_unknown_ones(
    charset: str, where: str
) -> None:
    import codecs

    from newsarchive.extraction.decode import decode

    refused = {codecs.lookup(name).name for name in NOT_TEXT_CHARSETS}
    page = "<html><head>{meta}<title>Fußball heute</title></head><body><p>Straße</p></body></html>"
    headers = {"Content-Type": f"text/html; charset={charset}"} if where == "header" else None
    meta = f'<meta charset="{charset}">' if where == "meta" else ""
    for data in (page.format(meta=meta).encode("cp1252"), page.format(meta=meta).encode()):
        encoding = decode(data, headers)[1]
        assert encoding not in refused, encoding
        record = check_record(extract(data, URL, headers=headers))
        assert record["headline"].startswith("Fu")
    ascii_page = page.format(meta=meta).replace("ß", "ss").encode()
    assert check_record(extract(ascii_page, URL, headers=headers))["headline"] == "Fussball heute"
