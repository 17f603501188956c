"""Dated site rules: matching by host and date, fingerprints, bad rule files."""

from __future__ import annotations

import pytest

from newsarchive.extraction import rules
from newsarchive.extraction.document import load_document

RULE = """
id = "demo"
hosts = ["demo.test", "*.demo.test"]
[[versions]]
version = "2"
valid_from = "2021-01-01"
[versions.select]
fingerprint = "//div[@class='new-body']"
body = "//div[@class='new-body']"
[[versions]]
version = "1"
valid_until = "2021-01-01"
[versions.select]
fingerprint = "//div[@class='old-body']"
body = "//div[@class='old-body']"
"""


def test_versions_are_sorted_and_chosen_by_date():
    versions = rules.parse_rule_file(RULE, "demo.toml")
    assert [v.version for v in versions] == ["1", "2"]
    old, new = versions
    assert old.valid_on(rules._day("2019-06-01")) and not new.valid_on(rules._day("2019-06-01"))
    assert rules._pick_version(versions, rules._day("2019-06-01"), None) is old
    assert rules._pick_version(versions, rules._day("2023-06-01"), None) is new
    assert rules._pick_version(versions, None, None) is new


def test_fingerprint_overrules_a_misleading_date():
    versions = rules.parse_rule_file(RULE, "demo.toml")
    root = load_document("<html><body><div class='old-body'>x</div></body></html>").root
    assert rules._pick_version(versions, rules._day("2023-06-01"), root).version == "1"


@pytest.mark.parametrize(
    "bad",
    [
        "id = 'x'\nhosts = ['a']\n",  # no versions
        "hosts = ['a']\n[[versions]]\n",  # no id
        "id = 'x'\nhosts = ['a']\n[[versions]]\nvalid_from = 'soon'\n",
        "id = 'x'\nhosts = ['a']\n[[versions]]\n[versions.select]\nbody = '//div['\n",
        "id = 'x'\nhosts = ['a']\n[[versions]]\n[versions.select]\ncolour = '//div'\n",
        "id = = 'x'",
    ],
)
def test_bad_rule_files_raise_rule_error(bad):
    with pytest.raises(rules.RuleError):
        rules.parse_rule_file(bad, "bad.toml")


def test_sputnik_rule_matches_hosts_and_dates():
    new = rules.match("https://sputnikglobe.com/20240526/x-1118659541.html", "2024-05-26")
    assert new is not None and new.id == "sputnik" and new.version == "2"
    old = rules.match("https://sputniknews.com/20190101/x.html", "2019-01-01T10:00:00Z")
    assert old is not None and old.version == "1"
    assert rules.match("https://fr.sputniknews.africa/x.html", None) is not None
    assert rules.match("https://example.com/x.html", "2024-01-01") is None
    assert rules.match(None, None) is None


def test_detect_by_markup_but_not_on_other_bem_templates():
    sputnik = (
        "<html><body><div class='article__body'><div class='article__block' data-type='text'>"
        "<div class='article__text'>t</div></div></div></body></html>"
    )
    other = "<html><body><div class='article__body'><p>t</p></div></body></html>"
    assert rules.detect(load_document(sputnik).root).id == "sputnik"
    assert rules.detect(load_document(other).root) is None


def test_every_packaged_rule_file_loads():
    loaded = rules.all_rules()
    assert {r.id for r in loaded} >= {"sputnik"}
    assert all(r.get("body") for r in loaded)
