"""Versioning: the same text is exported once, a changed text becomes a linked new version."""

from __future__ import annotations

from newsarchive import schema
from newsarchive.export.versions import ExportedVersion, Outcome, VersionIndex, classify
from newsarchive.normalize import normalize_record


def _capture(capture: str, body: str, url: str = "https://example.com/a") -> dict:
    record = normalize_record(schema.conform({"url": url, "headline": "H", "article_body": body}))
    record["capture_id"] = capture
    return record


def test_version_fields_are_in_the_schema() -> None:
    empty = schema.empty()
    assert empty["article_version"] is None and empty["previous_capture_id"] is None


def test_same_text_again_is_not_exported_changed_text_is_linked() -> None:
    index = VersionIndex()
    outcome, first = index.admit(_capture("c1", "Original text"))
    assert outcome is Outcome.NEW
    assert first["article_version"] == 1 and first["previous_capture_id"] is None

    # same article under a tracking URL, same text: nothing to export
    outcome, again = index.admit(
        _capture("c2", "Original  text", "https://example.com/a?utm_source=x")
    )
    assert outcome is Outcome.UNCHANGED and again is None

    outcome, second = index.admit(_capture("c3", "Corrected text"))
    assert outcome is Outcome.CHANGED
    assert second["article_version"] == 2 and second["previous_capture_id"] == "c1"

    outcome, third = index.admit(_capture("c4", "Original text"))  # reverted: still a change
    assert outcome is Outcome.CHANGED
    assert third["article_version"] == 3 and third["previous_capture_id"] == "c3"


def test_records_without_article_id_pass_unversioned() -> None:
    index = VersionIndex()
    record = schema.conform({"url": "not a url"})
    outcome, out = index.admit(normalize_record(record))
    assert outcome is Outcome.UNVERSIONED and out["article_version"] is None


def test_index_seeded_from_earlier_export_continues_versions() -> None:
    earlier = VersionIndex()
    exported = [earlier.admit(_capture(c, body))[1] for c, body in [("c1", "v1"), ("c2", "v2")]]
    index = VersionIndex.from_records(reversed(exported))  # order of files must not matter
    assert index.admit(_capture("c3", "v2"))[0] is Outcome.UNCHANGED
    _, out = index.admit(_capture("c4", "v3"))
    assert out["article_version"] == 3 and out["previous_capture_id"] == "c2"


def test_classify_is_pure() -> None:
    record = _capture("c9", "text")
    last = ExportedVersion(record["content_hash"], "c1", 4)
    assert classify(last, record) is Outcome.UNCHANGED
    assert classify(None, record) is Outcome.NEW
    assert record["article_version"] is None
