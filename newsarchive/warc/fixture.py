"""An archived response as a test fixture folder, so a page that broke extraction
becomes a regression test in one command.

``FOLDER/`` gets ``body.html`` (payload with content coding undone, as the spider
saw it; a ``revisit``'s is its original's, found as ``reextract`` finds it),
``meta.json`` (URL, status, headers, the WARC pointer and digest) and
``expected.json`` (what the extractor returns today; review it before committing),
in the form of :mod:`newsarchive.fixtures`: written to ``fixtures/extraction/NAME``
it is one more fixture for ``newsarchive fixture diff`` and the fixture tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Records a fixture can be made of: an exported article's pointer may name a revisit.
PAGE_TYPES = ("response", "resource", "revisit")


class RecordNotFound(LookupError):
    """No response record matches the selection."""


@dataclass
class RecordSpec:
    """Which record: a file and an offset, or the first response for a URL."""

    path: Path
    offset: int | None = None
    url: str | None = None

    @classmethod
    def parse(cls, text: str, url: str | None = None) -> RecordSpec:
        """``FILE`` or ``FILE:OFFSET`` (the pointer of a record in an export)."""
        name, sep, offset = text.rpartition(":")
        if sep and offset.isdigit():
            return cls(Path(name), int(offset), url)
        return cls(Path(text), None, url)


def _matches(record: Any, spec: RecordSpec) -> bool:
    if record.rec_type not in PAGE_TYPES:
        return False
    return spec.url is None or record.rec_headers.get_header("WARC-Target-URI") == spec.url


def load_record(spec: RecordSpec) -> dict[str, Any]:
    """Payload, HTTP head and pointer of the selected record."""
    from warcio.exceptions import ArchiveLoadFailed

    if not spec.path.exists():
        raise FileNotFoundError(f"no such WARC file: {spec.path}")
    try:
        return _load_record(spec)
    except ArchiveLoadFailed:  # not a record's first byte, or not a WARC file at all
        where = f"{spec.path}:{spec.offset}" if spec.offset is not None else str(spec.path)
        raise RecordNotFound(
            f"no WARC record starts at {where}: give a WARC file, or FILE:OFFSET with the "
            "warc_record_offset of an exported article or the offset of an index.cdxj line"
        ) from None


def _load_record(spec: RecordSpec) -> dict[str, Any]:
    from warcio.archiveiterator import ArchiveIterator

    from newsarchive.warc.records import is_not_modified_revisit
    from newsarchive.warc.reread import payload_of, revisit_original, revisit_payload

    with open(spec.path, "rb") as stream:
        if spec.offset is not None:
            stream.seek(spec.offset)
        records = ArchiveIterator(stream)
        for record in records:
            if spec.offset is not None and record.rec_type not in PAGE_TYPES:
                raise RecordNotFound(
                    f"record at {spec.path}:{spec.offset} is a {record.rec_type}, not a response"
                )
            if not _matches(record, spec):
                continue
            # bounded: a bomb raises InflateError
            http = record.http_headers
            profile = record.rec_headers.get_header("WARC-Profile")
            if is_not_modified_revisit(record.rec_type, profile):
                body, http = revisit_original(spec.path, record)  # the page the 304 confirmed
            elif record.rec_type == "revisit":
                body = revisit_payload(spec.path, record)
            else:
                body = payload_of(record)
            offset, length = records.get_record_offset(), records.get_record_length()
            headers = record.rec_headers
            return {
                "url": headers.get_header("WARC-Target-URI"),
                "status": int(http.get_statuscode()) if http else None,
                "response_headers": [
                    [name, value] for name, value in (http.headers if http else [])
                ],
                "warc_date": headers.get_header("WARC-Date"),
                "warc_filename": spec.path.name.removesuffix(".open"),
                "warc_record_offset": offset,  # warcio counts from the file start
                "warc_record_length": length,
                "warc_record_id": headers.get_header("WARC-Record-ID"),
                "content_digest": headers.get_header("WARC-Payload-Digest"),
                "body": body,
            }
    raise RecordNotFound(
        f"no response record{' for ' + spec.url if spec.url else ''} in {spec.path}"
    )


def _decoded_headers(pairs: Iterable[list[str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        if name.lower() in ("content-encoding", "transfer-encoding"):
            continue
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


def write_fixture(spec: RecordSpec, folder: Path, *, with_expected: bool = True) -> Path:
    """Write the fixture folder for one record; returns the folder."""
    found = load_record(spec)
    body = found.pop("body")
    folder.mkdir(parents=True, exist_ok=True)
    page = folder.resolve() / "body.html"
    page.write_bytes(body)
    headers = _decoded_headers(found["response_headers"])  # what extract() is given
    meta = {  # the page's path is relative to the parent of the fixtures' folder
        "page": page.relative_to(page.parents[2]).as_posix(),
        "url": found["url"],
        "base": None,
        "headers": headers,
        **found,
    }
    (folder / "meta.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if with_expected:
        from newsarchive.extraction import extract
        from newsarchive.fixtures import first_expected

        expected = first_expected(extract(body, found["url"], headers=headers))
        (folder / "expected.json").write_text(
            json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return folder
