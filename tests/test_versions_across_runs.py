"""A plan's next run links a changed article text to the capture exported by an earlier run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from newsarchive.pipelines.dedupe import DedupePipeline
from newsarchive.pipelines.state import CrawlStateCommitPipeline
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newsarchive import schema
from newsarchive.state import CrawlState


def _crawler(tmp_path: Path, crawl: str) -> Any:
    return get_crawler(
        settings_dict={
            "NEWSARCHIVE_OUTPUT_DIR": str(tmp_path / crawl),  # each run has its own folder
            "NEWSARCHIVE_STATE_PATH": str(tmp_path / "state.sqlite"),
        }
    )


def _article(content_hash: str, capture_id: str) -> dict[str, Any]:
    record = schema.empty()
    record.update(
        url="http://s/a", article_id="art", content_hash=content_hash, capture_id=capture_id
    )
    return record


def _run(tmp_path: Path, crawl: str, record: dict[str, Any]) -> dict[str, Any]:
    crawler = _crawler(tmp_path, crawl)
    pipeline = DedupePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        admitted = pipeline.process_item(record)
        # Exported: the state then records the version (CrawlStateCommitPipeline runs
        # after the export pipeline in a crawl).
        return CrawlStateCommitPipeline().process_item(admitted)
    finally:
        pipeline.state.close()


def test_changed_text_in_a_later_run_is_the_next_version(tmp_path: Path) -> None:
    first = _run(tmp_path, "run1", _article("h1", "cap-1"))
    assert first["article_version"] == 1 and first["previous_capture_id"] is None
    changed = _run(tmp_path, "run2", _article("h2", "cap-2"))
    assert changed["article_version"] == 2 and changed["previous_capture_id"] == "cap-1"
    with pytest.raises(DropItem):  # the same text as run 2's is not exported again
        _run(tmp_path, "run3", _article("h2", "cap-3"))
    third = _run(tmp_path, "run4", _article("h3", "cap-4"))
    assert third["article_version"] == 3 and third["previous_capture_id"] == "cap-2"


def test_state_keeps_the_highest_version(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        state.record_version("a", "h2", "cap-2", 2)
        state.record_version("a", "h1", "cap-1", 1)  # late writer of an older version
        state.commit()
        assert state.exported_version("a") == ("h2", "cap-2", 2)
