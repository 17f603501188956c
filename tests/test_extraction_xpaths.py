"""The whole-page searches written as attribute steps (``//@class[...]/..``, fast in
libxml2) select exactly what the plain element tests they replace select, in order."""

from __future__ import annotations

import lxml.etree
import pytest

from newsarchive.extraction import (
    authors,
    captions,
    dates,
    headline,
    metadata,
    pageindex,
    pagetype,
    survey,
    xpathsafe,
)
from newsarchive.extraction.document import load_document, parse
from newsarchive.extraction.xpathsafe import attribute_owners, in_document_order

# Every keyword in class, id, rel, aria-label, itemprop; in and out of <figure>, nested,
# repeated on parent and child, in the wrong attribute, in <head>, with odd spacing.
PAGE = (
    """<html><head><title>T</title><meta itemprop="datePublished" content="2024-05-01">
<link rel="tag" href="/x"></head><body class="meta-page">
<nav aria-label="breadcrumb"><a href="/">Home</a><a href="/w">World</a></nav>
<div aria-label="Breadcrumb" class="crumbs"><span class="breadcrumb-item">x</span></div>
<div id="breadcrumb">id only</div><p aria-label="breadcrumbs">not exact</p>
<a rel="category tag" href="/c">Cat</a><a rel=" category\tnews " href="/d">Cat2</a>
<a rel="categoryx" href="/e">no</a><span rel="category">not a link</span>
<a rel="tag" href="/t1">T1</a><a rel="nofollow tags" href="/t2">T2</a>
<ul class="tags"><li class="tag-item"><a href="/t3">T3</a></li></ul>
<div class="topics keyword-box Themen schlagwort"><a>k</a></div>
<span class="rubric">Politik</span><div class="article-section section-name ressort">S</div>
<time datetime="2024-05-01">1 May</time><time>no attribute</time>
<article><time datetime="2024-05-02T10:00">2 May</time>
<div class="date">3. Mai 2024</div><div class="Date-line dateline">4 May 2024</div>
<div class="lineinfo time">x</div><div class="post-meta">"""
    + "long text " * 20
    + """</div>
<span itemprop="datePublished">2024-05-03</span><meta itemprop="datePublished" content="x">
<span itemprop="dateModified" content="2024-05-04"></span>
<figure><img src="a.jpg" data-caption="in figure"><div class="caption">c1</div></figure>
<img src="b.jpg" data-caption=""><img src="c.jpg" data-credit="AP">
<img src="d.jpg" data-copyright="X" data-caption="both"><img src="e.jpg" alt="plain">
<div class="image-caption"><p class="subtitle">c2</p></div><h2 class="caption">h</h2>
<figcaption class="caption">lone</figcaption><p class="bildunterschrift">c3</p>
<p class="byline">By <a rel="author" href="/authors/x">X</a></p>
<span itemprop="author"><span itemprop="name">Y</span></span><a href="/autor/z">Z</a>
<a href="/auteur/w">W</a><span class="firma">F</span>
<div class="g-recaptcha"></div><form id="challenge-form"></form>
<div id="cf-challenge-running" class="cf-browser-verification"></div>
</article><main><time datetime="2024-05-05">5 May</time></main></body></html>"""
)

# The plain element tests, as the code wrote them before.
REFERENCE = {
    "breadcrumbs": '//*[contains(@class, "rumb") or @aria-label="breadcrumb"'
    ' or @aria-label="Breadcrumb"]',
    "section labels": '//a[contains(concat(" ", normalize-space(@rel), " "), " category ")]'
    ' | //*[contains(@class, "rubric") or contains(@class, "ressort")'
    ' or contains(@class, "article-section") or contains(@class, "section-name")]',
    "rel tag": '//a[contains(@rel, "tag")]',
    "tag boxes": '//*[contains(@class, "tag") or contains(@class, "topic")'
    ' or contains(@class, "keyword") or contains(@class, "schlagw") or contains(@class, "themen")]',
    "date classes": '//*[contains(@class, "date") or contains(@class, "Date")'
    ' or contains(@class, "time") or contains(@class, "datum") or contains(@class, "dateline")'
    ' or contains(@class, "meta") or contains(@class, "lineinfo")]'
    "[string-length(normalize-space(.)) < 120]",
    "time in article": "//time[@datetime][ancestor::article or ancestor::main]",
    "time": "//time[@datetime]",
    "caption classes": "//*["
    + " or ".join(f"contains(@class, '{k}')" for k in pageindex.CAPTION_KEYS)
    + "][not(ancestor::figure)][not(self::figure or self::figcaption or self::h1 or self::h2)]",
    "bot walls": '//*[contains(@class, "g-recaptcha") or contains(@class, "h-captcha")'
    ' or contains(@id, "challenge-form") or contains(@id, "cf-challenge")'
    ' or contains(@class, "cf-browser-verification")]',
    "data-caption images": "//img[@data-caption or @data-credit or @data-copyright]"
    "[not(ancestor::figure)]",
    "byline candidates": "//*["
    + " or ".join(f'contains(@class, "{w}")' for w in (*authors._AUTHOR_CLASS_WORDS, "yline"))
    + ' or @itemprop="author" or @itemprop="name"]'
    ' | //a[@rel="author" or '
    + " or ".join(f'contains(@href, "{h}")' for h in authors._AUTHOR_HREFS)
    + "]",
}
NOW = {
    "breadcrumbs": metadata.breadcrumb_elements,
    "section labels": lambda doc: metadata._elements(
        metadata._category_links(doc), doc, *metadata._SECTION_LABEL_WORDS
    ),
    "rel tag": metadata._rel_tag_links,
    "tag boxes": lambda doc: pageindex.with_class(doc, *metadata._TAG_BOX_WORDS),
    "date classes": lambda doc: dates._SHORT_ELEMENTS(
        doc.root, elements=pageindex.with_class(doc, *dates._DATE_CLASS_WORDS)
    ),
    "time in article": lambda doc: dates._in_article(survey.survey(doc).times),
    "time": lambda doc: survey.survey(doc).times,
    "caption classes": captions._caption_classed,
    "bot walls": lambda doc: in_document_order(
        doc.root,
        attribute_owners(pagetype._BLOCK_CLASSES(doc.root)),
        attribute_owners(pagetype._BLOCK_IDS(doc.root)),
    ),
    "data-caption images": captions._data_caption_images,
    "byline candidates": lambda doc: authors._byline_candidates(doc),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_attribute_step_searches_select_what_the_element_tests_did(name: str) -> None:
    doc = load_document(PAGE, "https://example.org/a")
    expected = lxml.etree.XPath(REFERENCE[name])(doc.root)
    assert expected, "the page exercises this search"
    assert NOW[name](doc) == expected


def test_class_index_finds_what_a_class_xpath_finds_in_order() -> None:
    """One read of the class attributes answers every class-substring search: the same
    elements in document order, case-sensitive, nested, in <head>, ids not counted."""
    doc = load_document(PAGE, "https://example.org/a")
    for words in [("rumb",), ("tag", "topic"), ("date", "Date", "meta"), ("caption",), ("x-none",)]:
        test = " or ".join(f'contains(., "{word}")' for word in words)
        assert pageindex.with_class(doc, *words) == doc.root.xpath(f"//@class[{test}]/..")
    assert doc.context.classes is not None, "the index is kept for the page's next searches"
    assert pageindex.with_class(doc, "Date") == doc.root.xpath('//*[contains(@class, "Date")]')


@pytest.mark.parametrize("prop", ["datePublished", "dateModified"])
def test_microdata_search_selects_what_the_element_test_did(prop: str) -> None:
    doc = load_document(PAGE, "https://example.org/a")
    expected = doc.root.xpath(f'//*[@itemprop="{prop}"][not(self::meta)]')
    assert expected and dates._microdata_elements(doc, prop) == expected[:3]


# The survey's lists, each taken from one walk of the named elements and one search of
# every ``itemprop``, are what the whole-page XPaths the stages asked select, in order:
# markup after ``</html>`` (a second top-level element, which ``//`` reads) included.
SURVEY_REFERENCE = {
    "headings": "//h1 | //h2",
    "figures": "//figure | //figcaption | //caption | //img | //picture | //amp-img",
    "images": "//img",
    "smalls": "//small",
    "times": "//time[@datetime]",
    "dated_items": '//*[@itemprop="datePublished" or @itemprop="dateModified"]',
    "author_marked": '//*[@itemprop="author" or @itemprop="name"]'
    ' | //a[contains(translate(@rel, "AUTHOR", "author"), "author")]',
}
_AFTER_HTML = (
    '<div><time datetime="2024-06-01">after</time><time>none</time>'
    '<span itemprop="name">N</span><a rel="Author" href="/a">A</a></div>'
)


@pytest.mark.parametrize("html", [PAGE, PAGE + _AFTER_HTML, "<p>nothing</p>"])
def test_survey_lists_are_what_the_whole_page_xpaths_select(html: str) -> None:
    doc = load_document(html, "https://example.org/a")
    found = survey.survey(doc)
    root_only = ("headings", "figures", "images", "smalls")  # the stages add the rest
    for name, xpath in SURVEY_REFERENCE.items():
        expected = doc.root.xpath(xpath)
        if name in root_only:
            expected = [el for el in expected if doc.root in el.iterancestors() or el is doc.root]
        assert getattr(found, name) == expected, name
    assert found.stated_caption is bool(doc.root.xpath('//*[@itemprop="caption"]'))
    assert found.breadcrumb_labelled == doc.root.xpath(
        '//*[@aria-label="breadcrumb" or @aria-label="Breadcrumb"]'
    )
    links = doc.root.xpath("//a")
    assert found.tag_linked is any("tag" in (a.get("rel") or "").split() for a in links)
    if html.endswith(_AFTER_HTML):
        assert found.times[-1].text == "after" and found.author_marked[-1].text == "A"


_TITLE_XPATH = lxml.etree.XPath("/html/head/title | /html/title")
_ANY_TITLE_XPATH = lxml.etree.XPath("(//title)[1]")


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Head</title><title>Second</title></head><body><p>x</p></body></html>",
        "<html><head><meta charset='utf-8'></head><p>Skip</p><title>Body</title><h1>x</h1></html>",
        "<html><head><noscript><title>Hidden</title></noscript></head><body>x</body></html>",
        "<html><body><svg><title>Icon</title></svg><p>x</p></body></html>",
        "<html><body><p>No title</p></body></html>",
        "<!-- c --><html><head><title>After a comment</title></head><body>x</body></html>",
    ],
)
def test_page_title_reads_what_the_title_xpaths_select(html: str) -> None:
    # page_title reads the head child by child; the XPaths say what it must find
    root = parse(html)
    expected = _TITLE_XPATH(root) or _ANY_TITLE_XPATH(root)
    found = headline.page_title(type("Doc", (), {"root": root})())
    assert found is (expected[0] if expected else None)


def test_page_title_is_the_head_title_else_the_first() -> None:
    doc = type("Doc", (), {"root": parse(PAGE)})()
    assert headline.page_title(doc).text == "T"
    body_title = parse("<html><body><svg><title>Icon</title></svg><p>x</p></body></html>")
    assert headline.page_title(type("Doc", (), {"root": body_title})()).text == "Icon"


# The unions these searches were before (libxml2 merges each set into the other: quadratic).
_OLD_BLOCK_MARKUP = (
    '(//@class[contains(., "g-recaptcha") or contains(., "h-captcha")'
    ' or contains(., "cf-browser-verification")]/..'
    ' | //@id[contains(., "challenge-form") or contains(., "cf-challenge")]/..)'
    "[not(ancestor::form[.//textarea])]"
)


@pytest.mark.parametrize(
    "body",
    [
        '<div class="g-recaptcha"></div>',
        '<form><textarea></textarea><div class="g-recaptcha"></div></form>',
        '<form><textarea></textarea><form id="challenge-form"></form></form>',
        '<form id="challenge-form"><p>x</p></form><form><textarea></textarea>'
        '<div class="h-captcha"></div></form>',
        '<div><form><div class="cf-browser-verification"></div></form></div>',
        "<p>no widget</p>",
    ],
)
def test_block_markup_is_found_where_the_union_found_it(body: str) -> None:
    root = parse(f"<html><body>{body}</body></html>")
    assert pagetype._block_markup(root) is bool(root.xpath(_OLD_BLOCK_MARKUP))


def _nodes(texts: list) -> list[tuple]:
    return [(str(t), t.getparent(), t.is_tail) for t in texts]


@pytest.mark.parametrize(
    "html",
    [
        PAGE,
        "<html><body><h1>A <b>b</b> c<p>in h1 <i>p</i></p></h1>t<p>P <h1>h1 in p</h1> q</p>"
        "<div><p>x<span>y</span>z</p></div></body></html>",
    ],
)
def test_heading_and_paragraph_texts_are_what_the_unions_selected(html: str) -> None:
    root = parse(html)
    old_sample = root.xpath("//h1//text() | //body//p//text()")
    assert len(old_sample) > 3
    for most in (3, len(old_sample) + 1):
        assert _nodes(pagetype._SAMPLE_TEXTS(root, most=most)) == _nodes(old_sample[:most])
    assert _nodes(pagetype._HEADING_TEXTS(root)) == _nodes(root.xpath("//h1//text()"))


def test_long_lists_are_merged_in_document_order_as_the_union_merges_them() -> None:
    """Past SMALL_UNION elements the lists are merged by a walk of the page."""
    root = parse(
        "<html><body>"
        + '<p class="a">x</p><a rel="b" class="a">y</a><i rel="b">z</i>' * 1500
        + "</body></html>"
    )
    first, second = root.xpath('//*[@class="a"]'), root.xpath('//*[@rel="b"]')
    assert len(first) + len(second) > xpathsafe.SMALL_UNION
    assert in_document_order(root, first, second) == root.xpath('//*[@class="a" or @rel="b"]')
    assert in_document_order(root, first[:5], second[:5]) == root.xpath(
        "$a | $b", a=first[:5], b=second[:5]
    )
    assert in_document_order(root, [], second) == second


# Authors' whole-page searches, answered from the survey and the class index: each selects
# what the XPath it replaced selected, in order, on a page with markup after </html> (a
# second top-level <html>) and class values split by tabs and new lines.
AUTHOR_PAGE = """<html><body><img alt="Profilbild von a"><img class="avatar">
<div class="user-name usernames">no</div><img alt="PROFILBILD von b"><img alt="avatar">
<span class="x\tusername-coloured\n">first</span><a class="username" href="/u">second</a>
<img class="user-avatar" alt="jd"><img class="Avatar" alt="jd"><img alt="profile photo of c">
</body></html><div><img alt="Avatar of d"><img alt="benutzerbild e"></div>"""
AUTHOR_REFERENCE = {
    "avatars": '(//img[starts-with(translate(@alt, "PBA", "pba"), "profilbild ")'
    ' or starts-with(translate(@alt, "PBA", "pba"), "benutzerbild ")'
    ' or starts-with(translate(@alt, "A", "a"), "avatar ")'
    ' or starts-with(translate(@alt, "P", "p"), "profile p")'
    ' or contains(@class, "avatar") and string-length(@alt) > 1])',
    "usernames": '/descendant::*[contains(@class, "username")]'
    '[contains(concat(" ", normalize-space(@class), " "), " username ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " username-coloured ")]',
}


def test_avatars_are_the_first_four_the_xpath_selects() -> None:
    doc = load_document(AUTHOR_PAGE, "https://example.org/a")
    expected = lxml.etree.XPath(AUTHOR_REFERENCE["avatars"])(doc.root)
    assert len(expected) > 4 and expected[-1].get("alt") == "benutzerbild e"
    assert authors._avatars(doc) == expected[:4]
    after_html = "<html><body><p>x</p></body></html><div><img alt='Avatar of d'></div>"
    tail = load_document(after_html, "https://example.org/a")
    expected = lxml.etree.XPath(AUTHOR_REFERENCE["avatars"])(tail.root)
    assert len(expected) == 1 and authors._avatars(tail) == expected


def test_first_username_is_the_first_the_xpath_selects() -> None:
    doc = load_document(AUTHOR_PAGE, "https://example.org/a")
    expected = lxml.etree.XPath(AUTHOR_REFERENCE["usernames"])(doc.root)
    assert [el.text for el in expected] == ["first", "second"]
    assert authors._first_username(doc) is expected[0]
    assert (
        authors._first_username(load_document("<p class=usernames>x</p>", "https://e.org/")) is None
    )


@pytest.mark.parametrize(
    "html",
    [
        PAGE,
        PAGE + '<div><a href="/author/after">After</a><a>no href</a><a href="">empty</a></div>',
        "<p>nothing</p>",
    ],
)
def test_author_links_are_what_the_href_xpath_selects(html: str) -> None:
    """The author-page links, read by a walk of the <a> elements: those the whole-page
    XPath selects, in order, markup after </html> (a second top-level element) included."""
    doc = load_document(html, "https://example.org/a")
    words = " or ".join(f'contains(@href, "{h}")' for h in authors._AUTHOR_HREFS)
    expected = doc.root.xpath(f"//a[{words}]")
    assert authors._author_links(doc) == expected
    assert "after" not in html or expected[-1].get("href") == "/author/after"
