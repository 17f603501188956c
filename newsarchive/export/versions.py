"""Which captures of an article are exported: new text yes, the same text again no.

An article (``article_id``) is fetched many times: from a feed and a sitemap,
in this crawl and the next. Its first text is exported as version 1. A later
capture with the same ``content_hash`` adds nothing and is not exported (it
stays in the WARC and ``pages.jsonl``). A capture whose text changed is
exported as the next version, with ``previous_capture_id`` pointing at the
capture it replaces, so researchers can follow corrections and updates.

The decision is a pure function (:func:`classify`); :class:`VersionIndex`
holds what was already exported, and can be seeded from earlier exports so
versions continue across crawls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    NEW = "new"  # first text of this article: export as version 1
    CHANGED = "changed"  # text differs from the last exported version: export as next version
    UNCHANGED = "unchanged"  # same text as the last exported version: do not export
    UNVERSIONED = "unversioned"  # no article_id: export as it is


@dataclass(frozen=True)
class ExportedVersion:
    """The last exported version of one article."""

    content_hash: str | None
    capture_id: str | None
    version: int


def classify(last: ExportedVersion | None, record: dict[str, Any]) -> Outcome:
    """How ``record`` relates to the last exported version of its article."""
    if not record.get("article_id"):
        return Outcome.UNVERSIONED
    if last is None:
        return Outcome.NEW
    if last.content_hash == record.get("content_hash"):
        return Outcome.UNCHANGED
    return Outcome.CHANGED


def versioned(last: ExportedVersion | None, record: dict[str, Any]) -> dict[str, Any]:
    """Copy of ``record`` with ``article_version`` and ``previous_capture_id`` filled."""
    out = dict(record)
    out["article_version"] = 1 if last is None else last.version + 1
    out["previous_capture_id"] = None if last is None else last.capture_id
    return out


class VersionIndex:
    """The last exported version of every article seen; decides what to export."""

    def __init__(self) -> None:
        self.last: dict[str, ExportedVersion] = {}

    def admit(self, record: dict[str, Any]) -> tuple[Outcome, dict[str, Any] | None]:
        """(outcome, record to export or ``None``); remembers exported versions."""
        article_id = record.get("article_id")
        last = self.last.get(article_id) if article_id else None
        outcome = classify(last, record)
        if outcome is Outcome.UNCHANGED:
            return outcome, None
        if outcome is Outcome.UNVERSIONED:
            return outcome, record
        out = versioned(last, record)
        self.remember(out)
        return outcome, out

    def remember(self, record: dict[str, Any]) -> None:
        """Record ``record`` as the latest exported version of its article."""
        article_id = record.get("article_id")
        if not article_id:
            return
        version = record.get("article_version") or 1
        known = self.last.get(article_id)
        if known is None or version >= known.version:
            self.last[article_id] = ExportedVersion(
                record.get("content_hash"), record.get("capture_id"), version
            )

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> VersionIndex:
        """An index seeded from earlier exports (e.g. ``newsarchive.load(previous_crawl)``)."""
        index = cls()
        for record in records:
            index.remember(record)
        return index
