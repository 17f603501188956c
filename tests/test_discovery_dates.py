"""Sitemap and feed dates come out as RFC 3339."""

from __future__ import annotations

import pytest

from newsarchive.discovery.dates import normalize_date, parse_rfc3339


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024", "2024-01-01"),
        ("2024-05", "2024-05-01"),
        ("2024-05-01", "2024-05-01"),
        ("2024-05-01T10:00+02:00", "2024-05-01T10:00:00+02:00"),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00.123+0000", "2024-05-01T10:00:00Z"),
        ("2024-05-01 10:00:00", "2024-05-01T10:00:00Z"),
        ("Wed, 01 May 2024 10:00:00 GMT", "2024-05-01T10:00:00Z"),
        ("Wed, 01 May 2024 10:00:00 +0200", "2024-05-01T10:00:00+02:00"),
        ("yesterday", None),
        ("9999-12-31T23:59:59-12:00", None),  # year 10000 in UTC: no instant
        ("Fri, 31 Dec 9999 23:59:59 -1200", None),
        ("0001-01-01T00:00:00+14:00", None),
        ("2024-13-01", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_date(raw: str | None, expected: str | None) -> None:
    assert normalize_date(raw) == expected


def test_parse_rfc3339_roundtrip() -> None:
    assert parse_rfc3339("2024-05-01T10:00:00Z").isoformat() == "2024-05-01T10:00:00+00:00"
    assert parse_rfc3339("2024-05-01").tzinfo is not None
    assert parse_rfc3339("nonsense") is None


def test_is_since() -> None:
    from datetime import UTC, datetime

    from newsarchive.discovery.dates import is_since

    since = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert is_since("2024-05-01T12:00:00Z", since)
    assert not is_since("2024-05-01T11:59:00Z", since)
    assert is_since("Wed, 01 May 2024 14:30:00 +0200", since)  # 12:30 UTC
    assert is_since("2024-05-01", since)  # a bare date is the whole day
    assert not is_since("2024-04-30", since)
    assert is_since(None, since) and is_since("garbage", since)  # unknown dates pass
    assert is_since("1999-01-01", None)
