"""Our own WARC serialisation, checked by warcio, and the digest index's in-memory filter."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.warc import records, serialize
from newsarchive.warc.digests import ArchivedPayload, DigestIndex


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def an_exchange(body: bytes) -> records.Exchange:
    return records.Exchange(
        url="http://127.0.0.1:9/caf%C3%A9?q=1",
        method="GET",
        request_headers=[(b"Accept", b"*/*")],
        request_body=b"",
        status=200,
        body=body,
        started_at=datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        # a non-ASCII header value must reach the file byte for byte
        response_headers=[(b"Content-Type", b"text/html"), (b"X-Title", "Café".encode("latin-1"))],
    )


@pytest.mark.parametrize("level", [0, 1, 3, 6])
def test_records_read_back_with_warcio_and_digests_hold(level: int) -> None:
    body = b"<p>" + b"news " * 3000 + b"</p>"
    exchange = an_exchange(body)
    response = records.response_record(exchange)
    request = records.request_record(exchange, response.record_id)
    members = [serialize.serialize(r, level, "<urn:uuid:info>") for r in (response, request)]
    for member in members:  # each record is one complete gzip member
        assert gzip.decompress(member).endswith(b"\r\n\r\n")
    read = list(ArchiveIterator(io.BytesIO(b"".join(members))))
    assert [r.rec_type for r in read] == ["response", "request"]
    # ArchiveIterator drops the records' streams as it moves on: check the headers we kept
    first = next(iter(ArchiveIterator(io.BytesIO(members[0]))))
    head = records.response_head(exchange)
    assert first.rec_headers.get_header("Content-Length") == str(len(head) + len(body))
    assert first.rec_headers.get_header("WARC-Block-Digest") == sha1_b32(head + body)
    assert first.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(body)
    assert first.rec_headers.get_header("WARC-Warcinfo-ID") == "<urn:uuid:info>"
    assert first.rec_headers.get_header("WARC-Date") == "2024-01-02T03:04:05.000006Z"
    assert first.rec_headers.get_header("Content-Type") == "application/http; msgtype=response"
    assert first.content_stream().read() == body
    raw = gzip.decompress(members[0])
    assert b"X-Title: Caf\xe9\r\n" in raw
    second = next(iter(ArchiveIterator(io.BytesIO(members[1]))))
    assert second.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(b"")
    assert second.rec_headers.get_header("WARC-Block-Digest") == sha1_b32(
        records.request_head(exchange)
    )


def test_revisit_block_stops_after_the_http_head() -> None:
    exchange = an_exchange(b"<p>seen before</p>")
    digest = records.payload_digest(exchange.body)
    revisit = records.revisit_record(exchange, digest, records.Original("http://x/", "2024Z"))
    raw = gzip.decompress(serialize.serialize(revisit, 1))
    head = records.response_head(exchange)
    assert raw.endswith(head + b"\r\n\r\n") and b"seen before" not in raw
    [read] = list(ArchiveIterator(io.BytesIO(serialize.serialize(revisit, 1))))
    assert read.rec_headers.get_header("WARC-Block-Digest") == sha1_b32(head)
    assert read.rec_headers.get_header("WARC-Payload-Digest") == digest


def test_warc_date_matches_warcio_form() -> None:
    assert records.warc_date(datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)) == "2024-05-06T07:08:09Z"
    assert (
        records.warc_date(datetime(2024, 5, 6, 7, 8, 9, 120, tzinfo=UTC))
        == "2024-05-06T07:08:09.000120Z"
    )


def entry(digest: str, uri: str) -> ArchivedPayload:
    return ArchivedPayload(digest, uri, "2024-01-01T00:00:00Z", "<urn:uuid:1>", "f.warc.gz", 10, 99)


def test_digest_index_remembers_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "digests.sqlite"
    (tmp_path / "f.warc.gz").write_bytes(b"")  # the original's file (a missing one is forgotten)
    index = DigestIndex(path)
    assert index.lookup("sha1:AAAA", "http://a/") is None
    index.add(entry("sha1:AAAA", "http://a/"))
    first = entry("sha1:AAAA", "http://a/")
    assert index.lookup("sha1:AAAA", "http://a/x") == first  # before any commit
    index.add(entry("sha1:AAAA", "http://a/later"))  # the first full capture wins
    index.close()

    reopened = DigestIndex(path)  # a later crawl into the same folder
    assert reopened.lookup("sha1:AAAA", "http://a/y") == first
    assert reopened.lookup("sha1:BBBB", "http://a/") is None
    assert len(reopened) == 1
    reopened.close()


ADD_IN_ANOTHER_PROCESS = """
import sys
from newsarchive.warc.digests import ArchivedPayload, DigestIndex
index = DigestIndex(sys.argv[1])
for digest in sys.argv[2:]:
    index.add(ArchivedPayload(digest, "http://b/", "2024-01-01T00:00:00Z", "<urn:uuid:2>",
                              "f.warc.gz", 10, 99))
index.close()
"""


def test_digest_index_sees_what_another_process_added_after_it_opened(tmp_path: Path) -> None:
    """Two crawls of one plan write one index: neither may store the other's payloads again."""
    import subprocess
    import sys

    path = tmp_path / "digests.sqlite"
    (tmp_path / "f.warc.gz").write_bytes(b"")
    index = DigestIndex(path, refresh_interval=0)  # look for others' entries at every miss
    index.add(entry("sha1:AAAA", "http://a/"))
    index.commit()
    assert index.lookup("sha1:BBBB", "http://b/") is None
    for digests in (["sha1:BBBB"], ["sha1:CCCC", "sha1:DDDD"]):
        subprocess.run(
            [sys.executable, "-c", ADD_IN_ANOTHER_PROCESS, str(path), *digests],
            check=True,
            timeout=60,
        )
        for digest in digests:
            found = index.lookup(digest, "http://b/")
            assert found is not None and found.uri == "http://b/", digest
    assert index.lookup("sha1:EEEE", "http://b/") is None
    assert index.lookup("sha1:AAAA", "http://a/") == entry("sha1:AAAA", "http://a/")
    index.close()


def test_digest_reader_changes_nothing(tmp_path: Path) -> None:
    """Reading an index (reextract) neither forgets entries whose file is elsewhere nor writes."""
    from newsarchive.warc.digests import DigestReader

    path = tmp_path / "digests.sqlite"
    index = DigestIndex(path)
    index.add(entry("sha1:AAAA", "http://a/"))  # its file f.warc.gz does not exist here
    index.close()
    before = path.read_bytes()
    reader = DigestReader(path)
    assert reader.lookup("sha1:AAAA") == entry("sha1:AAAA", "http://a/")
    assert reader.lookup("sha1:BBBB") is None
    reader.close()
    assert path.read_bytes() == before


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 140_000])
def test_stored_member_decodes_to_the_exact_bytes(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    member = serialize.stored_gzip_member([data[: size // 3], data[size // 3 :]])
    decoder = zlib.decompressobj(serialize.GZIP_WBITS)
    assert decoder.decompress(member) == data
    assert decoder.eof and decoder.unused_data == b""  # one complete member, nothing after
    assert len(member) < size + 64 + 5 * (size // 65_535)  # stored: no deflate, tiny framing


def test_record_ids_are_random_version_4_uuids() -> None:
    import uuid

    ids = {serialize.new_record_id() for _ in range(1000)}
    assert len(ids) == 1000
    for record_id in list(ids)[:50]:
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        parsed = uuid.UUID(record_id[10:-1])
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == record_id[10:-1]


def test_sha1_labels_equal_base64_b32encode() -> None:
    for n in range(300):
        digest = hashlib.sha1(n.to_bytes(4, "big")).digest()
        expected = "sha1:" + base64.b32encode(digest).decode()
        assert serialize.sha1_label(digest) == expected
    assert serialize.sha1_label(b"\x00" * 20) == "sha1:" + "A" * 32
    assert serialize.sha1_label(b"\xff" * 20) == "sha1:" + "7" * 32


REQUEST_URLS = [
    "http://127.0.0.1:8080/a?b=1",
    "http://Example.com",
    "http://example.com?q=1",
    "https://example.com:443/x#frag",
    "HTTPS://example.com:8443/x/y?z=%20#f",
    "http://user:pw@example.com:80/p",
    "http://[::1]:8080/v6",
    "http://example.com/a b",  # whitespace: handled by urlsplit
]


@pytest.mark.parametrize("url", REQUEST_URLS)
def test_target_and_host_equal_the_urlsplit_forms(url: str) -> None:
    assert records.target_and_host(url) == (records.request_target(url), records.host_header(url))
