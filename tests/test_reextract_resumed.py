"""``reextract`` of a crawl killed with ``kill -9`` and resumed reproduces its export.

A page archived just before the kill, whose record never reached the export, is
fetched again by the resumed crawl, which exports that second capture. ``reextract``
took the first capture of the URL (the same text: the second was dropped as a
duplicate), so its records named another ``capture_id`` and WARC pointer than the
exported ones. It now takes the capture the crawl folder's export holds.
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from support.crawls import (
    QUIET,
    crawl_plan,
    exported_articles,
    local_plan,
    run_newsarchive,
    setting_args,
)
from support.kills import KILL_AFTER_SETTING

pytestmark = pytest.mark.slow

ARTICLES = 12
KILL_AFTER = 8  # the crawl dies when its 8th item reaches the pipeline before the export


def kill_before_export() -> str:
    from newsarchive.distributed.settings import project_components

    pipelines = project_components("ITEM_PIPELINES")
    pipelines["support.kills.KillAfterItemsPipeline"] = 700  # archived, not exported
    return json.dumps(pipelines)


def identity(record: dict[str, Any]) -> tuple[Any, ...]:
    p = record["provenance"]
    return (
        record["url"],
        record["article_id"],
        record["capture_id"],
        record["content_hash"],
        p["warc_filename"],
        p["warc_record_offset"],
        p["warc_record_length"],
        p["warc_record_id"],
    )


def test_reextract_of_a_killed_and_resumed_crawl_gives_the_exported_captures(
    tmp_path: Path,
) -> None:
    from newsarchive.server import DemoSite

    plan = tmp_path / "plan.toml"
    folder = tmp_path / "out" / "herald" / "run1"
    with DemoSite(generate=ARTICLES) as site:
        plan.write_text(local_plan(site.base_url, concurrency=1), encoding="utf-8")
        killing = {**QUIET, "ITEM_PIPELINES": kill_before_export(), KILL_AFTER_SETTING: KILL_AFTER}
        killed = run_newsarchive(
            "crawl", "--plan", plan, "--crawl-id", "run1", *setting_args(killing), cwd=tmp_path
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
        crawl_plan(plan, "run1")  # the resume

    out = tmp_path / "re.jsonl"
    done = run_newsarchive("reextract", folder, "--jobs", "1", "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    exported = exported_articles(folder)
    redone = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    # The kill did what the test means: some URL has two captures in the folder.
    targets = Counter(
        json.loads(line.split(" ", 2)[2])["url"]
        for line in (folder / "index.cdxj").read_text().splitlines()
    )
    assert any(targets[r["url"]] > 1 for r in exported), "no page was captured twice"
    assert len(exported) == ARTICLES
    assert sorted(map(identity, redone)) == sorted(map(identity, exported))
