"""Extraction against pages whose truth we know: one test per fixture per field.

The fixtures live in fixtures/extraction/<name>/ (meta.json + expected.json,
see newsarchive/fixtures.py). A failing test id such as
``sputnik-idf::quotes`` names the page and the field; ``newsarchive fixture
diff sputnik-idf`` shows the whole difference.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newsarchive import cli, fixtures
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
        assert f'"{url[len(base) :]}"' in html or f'"{url}"' in html, url


# --------------------------------------------------------------------------- the comparisons


def test_quote_comparison_ignores_marks_and_edge_punctuation_not_words() -> None:
    check = fixtures.checks()["quotes"][1]
    expected = [{"text": "Think carefully,", "speaker": None}]
    assert check(expected, [{"text": "“Think carefully", "speaker": None}]) == []
    assert check(expected, [{"text": "Think carefully, he says", "speaker": None}])
    assert check(expected, [{"text": "Think carefully", "speaker": "Benjamin Netanyahu"}])
    two_paragraphs = [{"text": "One.\nTwo.", "speaker": "X"}]
    assert check(two_paragraphs, [{"text": "One. Two.", "speaker": "X"}]) == []


def test_caption_comparison_splits_credit_labels_but_not_credits() -> None:
    check = fixtures.checks()["captions"][1]
    expected = [{"text": "Boats.", "credit": "Photo: Reuters", "image_url": "https://a/i.png"}]
    same = [{"text": "Boats", "credit": "Reuters", "image_url": "https://a/i.png"}]
    assert check(expected, same) == []
    wrong_credit = [{"text": "Boats", "credit": "AP", "image_url": "https://a/i.png"}]
    assert check(expected, wrong_credit)
    credit_in_text = [
        {"text": "Boats. Photo: Reuters", "credit": None, "image_url": "https://a/i.png"}
    ]
    assert check(expected, credit_in_text)
    assert check(expected, [])


def test_date_comparison() -> None:
    check = fixtures.checks()["date_published"][1]
    assert check("2024-05-27T06:30:00+01:00", "2024-05-27T05:30:00Z") == []
    assert check("2024-05-27T06:30:00+01:00", "2024-05-27T06:30:00")  # no offset: wrong
    assert check("2024-05-27T06:30:00+01:00", "2024-05-27T06:30:00+00:00")
    assert check("2024-05-30", "2024-05-30T00:00:00+01:00") == []
    assert check("2024-05-30", "2024-05-31T00:00:00+00:00")
    assert check("2024-05-30", "30 May 2024")
    assert check("2024-05-30", None)


def test_language_comparison() -> None:
    check = fixtures.checks()["in_language"][1]
    assert check("fr", "fr-FR") == [] and check("en-GB", "en-gb") == []
    assert check("en-GB", "en-US") and check("de", "da") and check("ru", None)


def test_body_checks_presence_order_and_chrome() -> None:
    body = ["First para.", "Second para."]
    assert fixtures.checks()["body"][1](body, ["First para.", "Extra", "Second para."]) == []
    assert fixtures.checks()["body"][1](body, ["Second para.", "First para."])
    assert fixtures.checks()["body"][1](body, ["First para."])
    forbidden = fixtures.checks()["body_forbidden"][1]
    assert forbidden(["log in or register"], ["Text", "Please log in or  register"])
    assert forbidden(["log in or register"], ["Text only"]) == []


def test_topics_compare_as_case_insensitive_sets() -> None:
    check = fixtures.checks()["topics"][1]
    assert check(["Israel", "World"], ["world", "israel"]) == []
    assert check(["Israel"], ["Israel", "Invented"])
    assert check(["Israel"], [])


def test_related_links_compare_as_sets() -> None:
    check = fixtures.checks()["related_links"][1]
    a, b = {"url": "https://a/1", "title": "One"}, {"url": "https://a/2", "title": "Two"}
    assert check([a, b], [b, a, a]) == []
    assert check([a, b], [a])
    assert check([a], [a, b])


# --------------------------------------------------------------------------- the command


@pytest.fixture
def fixture_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "fixtures" / "extraction"
    root.mkdir(parents=True)
    monkeypatch.setattr(fixtures, "EXTRACTION_DIR", root)
    return root


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Tide tables go digital | Test Gazette</title></head><body>
<article><h1>Tide tables go digital</h1>
<p class="byline">By Ann Lee</p><time datetime="2024-03-01T09:00:00Z">1 March 2024</time>
<p>The harbour office has stopped printing its tide tables after ninety years of paper.</p>
<p>“Nobody has asked for the paper version since 2019,” said harbour master Ian Moss.</p>
<p>The tables are now published online every morning at six o'clock.</p>
</article></body></html>"""


def test_fixture_add_diff_update_round_trip(
    fixture_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "tide.html"
    page.write_text(PAGE, encoding="utf-8")
    url = "https://gazette.test/2024/03/01/tide-tables-go-digital"
    args = ["fixture", "add", str(page), "--url", url, "--name", "tide"]
    assert cli.main([*args, "--header", "Content-Type: text/html; charset=utf-8"]) == 0
    folder = fixture_root / "tide"
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["url"] == url and meta["headers"] == {"Content-Type": "text/html; charset=utf-8"}
    assert (folder / "page.html").read_text(encoding="utf-8") == PAGE
    expected = json.loads((folder / "expected.json").read_text())
    assert set(fixtures.checks()) <= set(expected)
    assert cli.main(args) == 2, "an existing fixture is not overwritten without --force"

    assert cli.main(["fixture", "diff", "tide"]) == 0  # just written from the same output
    capsys.readouterr()
    expected["headline"] = "A headline the page does not have"
    expected["body_forbidden"] = ["six o'clock"]
    (folder / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    assert cli.main(["fixture", "diff", "--all"]) == 1
    out = capsys.readouterr().out
    assert "--- expected/tide/headline" in out and "+++ actual/tide/headline" in out
    assert '-"A headline the page does not have"' in out
    assert "### tide::body_forbidden" in out

    assert cli.main(["fixture", "update", "tide", "--field", "headline"]) == 0
    updated = json.loads((folder / "expected.json").read_text())
    assert updated["headline"] != "A headline the page does not have"
    assert updated["body_forbidden"] == ["six o'clock"], "update never touches the chrome list"


def test_fixture_command_errors_are_clear(
    fixture_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fixture", "diff", "missing"]) == 2
    assert "no fixture named 'missing'" in capsys.readouterr().err
    assert cli.main(["fixture", "diff"]) == 2
    missing_page = str(tmp_path / "nope.html")
    assert cli.main(["fixture", "add", missing_page, "--url", "u", "--name", "n"]) == 2
    (fixture_root / "broken").mkdir()
    (fixture_root / "broken" / "meta.json").write_text("{not json")
    assert cli.main(["fixture", "diff", "broken"]) == 2
    assert "invalid JSON" in capsys.readouterr().err
