"""Speed shortcuts of the extraction answer what the slow paths they replace answer."""

from __future__ import annotations

import re

import pytest

from newsarchive.extraction import body, pageindex, rules
from newsarchive.extraction.document import load_document

_SPUTNIK_V2 = (
    "<html><body><div class='article__body'><div class='article__block' data-type='text'>"
    "<div class='article__text'>t</div></div></div></body></html>"
)
_SPUTNIK_V1 = (
    "<html><body><div class='b-article'><div class='b-article__text'><p>t</p></div></div>"
    "</body></html>"
)
# The markers where no class holds them: in a script, in the text, in an id.
_MARKERS_ELSEWHERE = (
    "<html><head><script>var c = 'article__block b-article__text';</script></head>"
    "<body><div class='article__body'><div id='article__block' data-type='text'>"
    "article__block</div></div></body></html>"
)
# A marker in a class, but the fingerprint does not fit (no article__body around it).
_MARKER_ALONE = "<html><body><div class='article__block' data-type='x'>t</div></body></html>"
# The class written with a character reference: the source never spells the marker.
_MARKER_ESCAPED = (
    "<html><body><div class='article__body'><div class='article&#95;_block' data-type='t'>"
    "t</div></div></body></html>"
)


@pytest.mark.parametrize(
    "page", [_SPUTNIK_V2, _SPUTNIK_V1, _MARKERS_ELSEWHERE, _MARKER_ALONE, _MARKER_ESCAPED]
)
def test_marker_prefilter_chooses_what_every_fingerprint_chooses(page: str) -> None:
    """The markers are looked up in the page's class attributes; trying every
    rule's fingerprint (no prefilter) must choose the same rule."""
    doc = load_document(page, None)
    every = rules.detect(doc.root)
    assert rules.for_document(doc) == every
    assert rules.detect(doc.root, None, pageindex.class_index(doc).contains) == every


def test_marker_prefilter_finds_the_template_pages() -> None:
    assert rules.for_document(load_document(_SPUTNIK_V2, None)).id == "sputnik"
    assert rules.for_document(load_document(_SPUTNIK_V1, None)).id == "sputnik"
    assert rules.for_document(load_document(_MARKER_ESCAPED, None)).id == "sputnik"


_CLASS_CONTAINS = re.compile(r"""contains\(@class,\s*['"]([^'"]+)['"]\)""")


def test_every_fingerprint_requires_a_marker_in_a_class() -> None:
    """What makes the class prefilter safe for the packaged rules: each fingerprint
    asks for a class containing one of its file's markers."""
    for rule in rules.all_rules():
        for fingerprint in rule.get("fingerprint"):
            wanted = _CLASS_CONTAINS.findall(fingerprint)
            assert any(m in w for m in rule.markers for w in wanted), (rule.label, fingerprint)


def test_class_index_contains_is_a_substring_test_of_each_class() -> None:
    page = (
        "<html class='top'><body><div class='ab cd'>x</div><p class='ef'>y</p>"
        "<span class='gh\nij'>z</span></body></html><a class='after'>q</a>"
    )
    doc = load_document(page, None)
    # (the element test reaches the <a> after </html>, as the index's //@class does)
    values = [el.get("class") for el in doc.root.xpath("//*[@class]")]
    assert "after" in values
    index = pageindex.class_index(doc)
    words = ["ab", "b c", "ab cd", "cdef", "cd ef", "gh\nij", "ij", "top", "fter", "x", "ef "]
    for word in words:
        assert index.contains(word) == any(word in v for v in values), word


_CLASSED_PAGE = (
    "<!DOCTYPE html><html class='page'><head><title class='t'>T</title></head><body>"
    "<div class='a b'><p class=''>empty</p><span class='a&amp;b'>amp</span>"
    "<svg class='icon'><use class='use'></use></svg></div><p>no class</p>"
    "<template><i class='in-template'>x</i></template></body></html>"
    "<a class='after'>after the page</a><p class='b last'>x</p>"
)


_WALKED_PAGES = (
    "<html class='h'><head><meta class='m'><title class='t'>T</title></head>"
    "<body class='b' aria-hidden='true'><nav class='menu'><a class='x'>m</a></nav>"
    "<p class='sr-only'>screen <span class='in'>reader</span></p><figure class='f'>"
    "<img class='i'><figcaption class='c'>cap</figcaption></figure><div>"
    "<span class='a' hidden>h</span><script class='s'>x</script><p class=''>e</p></div>"
    "</body></html><div class='after'><p class='late'>x</p></div>",
    "<p class='no-body'>fragment <b class='bold'>x</b></p>",
    # an element after </body> stays inside <html>, after the walked <body>
    "<html><body><p class=a>x</p></body><div class=z><i class=y>after body</i></div></html>",
    _CLASSED_PAGE,
)


@pytest.mark.parametrize("page", _WALKED_PAGES)
def test_the_walk_ahead_reads_the_class_index_the_pass_reads(page: str) -> None:
    """The body's walk taken ahead reads the class attributes of the subtree it walks
    (and of the subtrees it leaves out); the index gets the rest of the page around
    them: the same pairs, in the same order, as its own pass over every element."""
    doc = load_document(page, None)
    body.walk_page(doc)
    walked = doc.context.classes
    index = pageindex.ClassIndex(doc.root)
    assert walked is not None and walked._values == index._values
    assert walked._elements == index._elements
    assert walked._values == [str(v) for v in doc.root.xpath("//@class")]


def test_class_index_reads_what_the_class_xpath_reads() -> None:
    """The index's one iter() pass: the same (element, class) pairs as ``//@class``,
    in the same order, markup after ``</html>`` included."""
    for page in (_CLASSED_PAGE, _SPUTNIK_V2, "<p class='x'>fragment</p>"):
        doc = load_document(page, None)
        values = doc.root.xpath("//@class")
        index = pageindex.ClassIndex(doc.root)
        assert index._values == [str(v) for v in values]
        assert index._elements == [v.getparent() for v in values]
        assert "after" in index._values or page != _CLASSED_PAGE
        for words in (("a",), ("b", "after"), ("page", "use"), ("zz",), ("",)):
            xpath = "//@class[" + " or ".join(f"contains(., '{w}')" for w in words) + "]/.."
            assert index.having(words) == doc.root.xpath(xpath), words


_TWO_STORIES = (
    "<html><head><title>The story</title></head><body>"
    "<article><h2>Another story</h2><time datetime='2024-01-01T08:00:00Z'>1 Jan</time></article>"
    "<article><h1>The story</h1><time datetime='2024-05-02T10:00:00+02:00'>2 May</time>"
    "<p>Text</p><time datetime='2024-05-03T11:00:00+02:00'>updated</time></article>"
    "</body></html>"
)


def test_story_times_are_searched_once_and_answer_as_the_search_does(monkeypatch) -> None:
    """dates asks for the story's <time> elements up to three times a page: the first
    answer is kept, and every answer is the one a fresh search gives."""
    from newsarchive.extraction import dates, survey

    calls = []
    search = survey._ITEMPROPS  # asked once per survey, which takes the <time> elements
    monkeypatch.setattr(survey, "_ITEMPROPS", lambda root: calls.append(1) or search(root))
    doc = load_document(_TWO_STORIES, None)
    first = [found.value for found in dates._time_elements(doc) if found]
    again = [found.value for found in dates._time_elements(doc) if found]
    fresh = [
        found.value for found in dates._time_elements(load_document(_TWO_STORIES, None)) if found
    ]
    assert first == again == fresh == ["2024-05-02T10:00:00+02:00", "2024-05-03T11:00:00+02:00"]
    assert len(calls) == 2  # once per page


def test_no_invisible_character_and_no_whitespace_but_the_space_is_printable() -> None:
    """What clean()'s shortcut for printable text rests on, for every code point."""
    import sys

    from newsarchive.extraction import text

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isprintable():
            assert not text._INVISIBLE.match(char), hex(code)
            assert code == 0x20 or not char.isspace(), hex(code)


def _clean_without_shortcut(value: str) -> str | None:
    import unicodedata

    from newsarchive.extraction import text

    return " ".join(text.strip_invisible(unicodedata.normalize("NFC", value)).split()) or None


@pytest.mark.parametrize(
    "value",
    [
        "plain words", " leading", "trailing ", "two  spaces", "", " ", "   ",
        "tab\there", "line\nbreak", "nb\u00a0space", "soft\u00adhyphen", "zero\u200bwidth",
        "thin\u2009space", "ideographic\u3000space", "cafe\u0301", "ｆｕｌｌ", "a\x1cb",
        "bidi\u202emark", "bom\ufeff", "x \u200b y", "Ελληνικά ΣΟΦΙΑΣ", "İstanbul",
    ],
)  # fmt: skip
def test_clean_answers_as_without_its_shortcut(value: str) -> None:
    from newsarchive.extraction.text import clean

    assert clean(value) == _clean_without_shortcut(value)


@pytest.mark.parametrize(
    "page",
    [
        "<p>no class at all</p>",
        "<p class=''>only an empty class</p>",
        "<p class='rumb'>x</p><p class='crumb rumbx'>y</p><p class='last rumb'>z</p>",
        "<p class='a'>x</p><p class='b'>y</p><p class='a'>repeated</p><p class='tagged'>t</p>",
    ],
)
def test_class_index_search_of_the_joined_values_finds_what_each_value_search_finds(
    page: str,
) -> None:
    """The words are searched once over the page's distinct class values joined by
    NULs: every value a search of it alone matches, and no other."""
    index = pageindex.ClassIndex(load_document(page, None).root)
    for words in (("rumb",), ("a", "b"), ("",), ("tag", "x"), ("zz",), ("last rumb",)):
        found = {v for v in set(index._values) if any(word in v for word in words)}
        assert index._matching(words) == found, words


@pytest.mark.parametrize(
    "page",
    [
        b"<p>plain ASCII</p>",
        "<p>caf\u00e9 \u2013 \u65e5\u672c</p>".encode(),
        "<p>cut mid-character \u00e9".encode()[:-1],
        "<p>a written \ufffd stays</p>".encode(),
        b"<p>not UTF-8: caf\xe9</p>",
        b"\xef\xbb\xbf<p>byte-order mark</p>",
        b"<p>control\x01\x1f bytes\x7f</p>",
        "<meta charset='iso-8859-1'><p>d\u00e9clar\u00e9</p>".encode(),
    ],
)
def test_page_bytes_parse_as_their_decoded_text(page: bytes) -> None:
    """A page read as UTF-8 without loss is parsed from its own bytes: the same tree as
    parsing its decoded text, which the other pages still are."""
    import lxml.etree

    from newsarchive.extraction.document import parse

    doc = load_document(page, None)
    assert lxml.etree.tostring(doc.root) == lxml.etree.tostring(parse(doc.html))
