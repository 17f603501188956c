"""Extraction against pages whose truth we know: one test per fixture per field.

The fixtures live in fixtures/extraction/<name>/ (meta.json + expected.json,
see newsarchive/fixtures.py). A failing test id such as
``sputnik-idf::quotes`` names the page and the field; ``newsarchive fixture
diff sputnik-idf`` shows the whole difference.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import lxml.html
import pytest

from newsarchive import fixtures
from newsarchive.fixtures import Fixture, check_field, norm_text

FIXTURES = {f.name: f for f in fixtures.all_fixtures()}
CASES = [
    pytest.param(name, field, id=f"{name}::{field}")
    for name, fixture in FIXTURES.items()
    for field in fixture.checked_fields()
]


@cache
def extracted(name: str) -> dict[str, Any]:
    """One extraction per fixture, shared by its field tests."""
    return FIXTURES[name].extract()


def test_there_are_fixtures_for_every_template() -> None:
    articles = [f for f in FIXTURES.values() if f.expected.get("is_article")]
    assert len(articles) >= 12
    assert {"liveblog", "gallery", "hub"} <= {f.expected["page_type"] for f in FIXTURES.values()}


@pytest.mark.parametrize(("name", "field"), CASES)
def test_field(name: str, field: str) -> None:
    problems = check_field(FIXTURES[name], field, extracted(name))
    assert not problems, f"{name}::{field}\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- the truth itself
# The expectations are checked against the page, so a typo in expected.json
# cannot make a field test impossible to pass, and a forbidden string that the
# page does not contain cannot make a chrome test pass vacuously.


def page_text(fixture: Fixture) -> str:
    charset = "windows-1251" if "1251" in fixture.headers.get("Content-Type", "") else "utf-8"
    tree = lxml.html.fromstring(fixture.html_bytes().decode(charset))
    alts = " ".join(tree.xpath("//img/@alt | //img/@title"))
    return norm_text(tree.text_content() + " " + alts) or ""


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_expected_text_is_on_the_page(name: str) -> None:
    fixture = FIXTURES[name]
    expected = fixture.expected
    text = page_text(fixture)
    wanted = [expected.get("headline"), expected.get("lede"), *expected.get("body", [])]
    wanted += expected.get("body_forbidden", [])
    wanted += [c["text"] for c in expected.get("captions", [])]
    wanted += [c["credit"] for c in expected.get("captions", [])]
    wanted += [link["title"] for link in expected.get("related_links", [])]
    wanted += [a for a in expected.get("authors", [])]
    for quote in expected.get("quotes", []):
        wanted += quote["text"].split("\n")
    missing = [w for w in wanted if w and norm_text(w) not in text]
    assert not missing, f"not on the page: {missing}"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_expected_links_and_images_are_on_the_page(name: str) -> None:
    fixture = FIXTURES[name]
    html = fixture.html_bytes().decode("utf-8", errors="replace")
    base = fixture.base or ""
    urls = [link["url"] for link in fixture.expected.get("related_links", [])]
    urls += [c["image_url"] for c in fixture.expected.get("captions", [])]
    for url in urls:
        assert url.startswith(base)
        assert f'"{url[len(base):]}"' in html or f'"{url}"' in html, url
