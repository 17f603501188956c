"""A plan crawl killed between an article's export and its crawl-state commit.

The export pipeline (800) writes the record; ``CrawlStateCommitPipeline`` (850) then
records it in the plan's SQLite state, whose batch of writes reaches the file up to
a second later. A ``kill -9`` in between left an article on file that the state did
not know: every later run of the plan fetched it again and exported the same text a
second time. A run now starts by recording in the state what the plan's article
batches hold and the state misses (the code ``crawl-finish`` uses for killed
workers), reading only batches the state has not fully seen.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from support.crawls import (
    QUIET,
    crawl_command,
    crawl_plan,
    exported_articles,
    local_plan,
    run_command,
    run_newsarchive,
    setting_args,
)
from support.kills import KILL_AFTER_SETTING

pytestmark = pytest.mark.slow

ARTICLES = 30
KILL_AFTER = 8  # the crawl dies right after exporting its 8th article


def kill_pipelines() -> str:
    from newsarchive.distributed.settings import project_components

    pipelines = project_components("ITEM_PIPELINES")
    pipelines["support.kills.KillAfterItemsPipeline"] = 825  # after the export, before 850
    return json.dumps(pipelines)


def kill_plan_crawl(plan: Path, crawl_id: str, cwd: Path) -> None:
    """Run the plan's crawl under ``crawl_id`` until it dies after its KILL_AFTER-th export."""
    killed = run_newsarchive(
        "crawl",
        *("--plan", plan, "--crawl-id", crawl_id),
        *setting_args(
            {**QUIET, "ITEM_PIPELINES": kill_pipelines(), KILL_AFTER_SETTING: KILL_AFTER}
        ),
        cwd=cwd,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]


def test_an_article_exported_by_a_killed_crawl_is_exported_once_after_resume_and_next_run(
    tmp_path: Path,
) -> None:
    import newsarchive
    from newsarchive.server import DemoSite
    from newsarchive.server.generated import generated_article

    plan = tmp_path / "plan.toml"
    first = tmp_path / "out" / "herald" / "run1"
    with DemoSite(generate=ARTICLES) as site:
        plan.write_text(local_plan(site.base_url, concurrency=2), encoding="utf-8")
        kill_plan_crawl(plan, "run1", tmp_path)
        on_file = exported_articles(first, while_running=True)
        assert len(on_file) == KILL_AFTER
        with sqlite3.connect(tmp_path / "state" / "local.sqlite") as db:
            recorded = {row[0] for row in db.execute("SELECT article_id FROM versions")}
        # The kill landed in the window: exported articles the state does not know (the
        # last one at least; more when the state's batch of writes was not saved yet).
        unrecorded = [r for r in on_file if r["article_id"] not in recorded]
        assert on_file[-1] in unrecorded

        resumed = crawl_plan(plan, "run1")  # resume the killed crawl
        noted = f"crawl state: {len(unrecorded)} exported article(s) were not recorded"
        assert noted in resumed.stderr, resumed.stderr[-3000:]
        crawl_plan(plan, "run2")  # the plan's next run
        expected = {f"{site.base_url}{generated_article(n).path}" for n in range(1, ARTICLES + 1)}

    records = list(newsarchive.load(tmp_path / "out"))
    twice = {url: n for url, n in Counter(r["url"] for r in records).items() if n > 1}
    assert twice == {}, "articles exported twice"
    assert {r["url"] for r in records} == expected, "articles lost"
    assert len({r["article_id"] for r in records}) == len(records) == ARTICLES

    # Both later runs closed cleanly and marked their batches: a start reads none again.
    from newsarchive.state import CrawlState
    from newsarchive.statesync import reconcile_state

    with CrawlState(tmp_path / "state" / "local.sqlite") as state:
        again = reconcile_state(state, tmp_path / "out")
        assert (again.batches_read, again.noted, again.forgotten) == (0, 0, [])
        assert state.article_count() == ARTICLES


def test_a_crawl_of_urls_with_a_state_records_what_its_killed_run_exported(
    tmp_path: Path,
) -> None:
    """The same window without a plan (``-s NEWSARCHIVE_STATE_PATH=``): the resume into the
    killed run's folder records its exports, and a later crawl into another folder with
    the same state exports none of them again."""
    import newsarchive
    from newsarchive.server import DemoSite

    state = {**QUIET, "NEWSARCHIVE_STATE_PATH": tmp_path / "s.sqlite", "DOWNLOAD_DELAY": 0}
    first, later = tmp_path / "first", tmp_path / "later"
    with DemoSite(generate=ARTICLES) as site:
        killing = {**state, "ITEM_PIPELINES": kill_pipelines(), KILL_AFTER_SETTING: KILL_AFTER}
        command = crawl_command(site.base_url + "/", first, crawl_id="k1", settings=killing)
        assert run_command(command, cwd=tmp_path).returncode == -signal.SIGKILL
        for out, crawl_id in ((first, "k1"), (later, "k2")):
            done = run_command(
                crawl_command(site.base_url + "/", out, crawl_id=crawl_id, settings=state),
                cwd=tmp_path,
            )
            assert done.returncode == 0, done.stderr[-3000:]

    records = list(newsarchive.load(first)) + list(newsarchive.load(later))
    twice = {url: n for url, n in Counter(r["url"] for r in records).items() if n > 1}
    assert twice == {}, "articles exported twice"
    assert len(records) == ARTICLES


def test_a_killed_run_that_is_never_resumed_is_finished_by_the_next_run(tmp_path: Path) -> None:
    """A scheduled plan starts a new crawl id each time: nobody resumes the killed one.

    Its articles are in the state (never fetched again), so they must reach the exports:
    the next run finishes the killed folder (its ``.open`` batch, its manifest), and
    ``load``/``export`` read the plan's output with the manifest check, every article once.
    """
    import newsarchive
    from newsarchive.server import DemoSite
    from newsarchive.server.generated import generated_article

    plan = tmp_path / "plan.toml"
    first = tmp_path / "out" / "herald" / "run1"
    with DemoSite(generate=ARTICLES) as site:
        plan.write_text(local_plan(site.base_url, concurrency=2), encoding="utf-8")
        kill_plan_crawl(plan, "run1", tmp_path)
        assert list(first.glob("articles/*.open")), "the kill left no open batch"
        crawl_plan(plan, "run2")  # the plan's next run, with an id of its own
        expected = {f"{site.base_url}{generated_article(n).path}" for n in range(1, ARTICLES + 1)}

    assert not list(first.rglob("*.open")), "the killed crawl's files were left unfinished"
    recorded = json.loads((first / "manifest.json").read_text(encoding="utf-8"))["plan"]
    assert recorded["text"] == plan.read_text(encoding="utf-8")  # as a finished run's
    assert recorded["site"] == "herald" and recorded["content"]["sites"]
    records = list(newsarchive.load(tmp_path / "out"))  # verified against the manifests
    assert len(records) == ARTICLES, Counter(r["provenance"]["crawl_id"] for r in records)
    assert {r["url"] for r in records} == expected
    exported = run_newsarchive(
        "export", tmp_path / "out", "--format", "jsonl", "--out", tmp_path / "all.jsonl"
    )
    assert exported.returncode == 0, exported.stderr[-3000:]


def test_warc_recover_finishes_a_killed_crawl_folder_for_export(tmp_path: Path) -> None:
    """``newsarchive warc recover OUT`` for someone holding only a killed crawl's folder:
    the WARC files, the article batch and the manifest, so ``export`` reads every article
    the crawl wrote before it died (``--no-verify`` used to skip the ``.open`` batch)."""
    from newsarchive.server import DemoSite

    out = tmp_path / "out"
    killing = {**QUIET, "DOWNLOAD_DELAY": 0, "ITEM_PIPELINES": kill_pipelines()}
    with DemoSite(generate=ARTICLES) as site:
        command = crawl_command(
            site.base_url + "/", out, settings={**killing, KILL_AFTER_SETTING: KILL_AFTER}
        )
        assert run_command(command, cwd=tmp_path).returncode == -signal.SIGKILL
    assert list(out.glob("articles/*.open")) and list(out.glob("warc/*.open"))

    # given the folder holding the crawl folder, as a plan's OUTPUT holds them
    recovered = run_newsarchive("warc", "recover", tmp_path)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert not list(out.rglob("*.open")), recovered.stdout
    exported = run_newsarchive("export", out, "--format", "jsonl", "--out", tmp_path / "a.jsonl")
    assert exported.returncode == 0, exported.stderr[-3000:]
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == KILL_AFTER


def test_the_manifest_of_a_resumed_crawl_starts_when_the_killed_part_started(
    tmp_path: Path,
) -> None:
    """A crawl resumed after ``kill -9`` is one crawl: its ``started_at`` is not the
    resume's (the killed part wrote no part of its own, but its WARC file is named
    by the moment it was opened)."""
    import newsarchive
    from newsarchive.server import DemoSite

    out = tmp_path / "out"
    killing = {**QUIET, "DOWNLOAD_DELAY": 0, "ITEM_PIPELINES": kill_pipelines()}
    with DemoSite(generate=ARTICLES) as site:
        command = crawl_command(
            site.base_url + "/", out, crawl_id="k1",
            settings={**killing, KILL_AFTER_SETTING: KILL_AFTER},
        )  # fmt: skip
        assert run_command(command, cwd=tmp_path).returncode == -signal.SIGKILL
        resumed = run_command(
            crawl_command(site.base_url + "/", out, crawl_id="k1", settings=QUIET), cwd=tmp_path
        )
        assert resumed.returncode == 0, resumed.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    first_fetch = min(r["provenance"]["fetched_at"] for r in newsarchive.load(out))
    assert manifest["started_at"] <= first_fetch[:19] + "Z", (manifest["started_at"], first_fetch)


def test_a_killed_run_killed_again_on_resume_is_finished_whole_by_the_next_run(
    tmp_path: Path,
) -> None:
    """Killed, resumed under its crawl id, killed again: the resume's start gave the
    folder a manifest (its first part finished), so the second kill left a folder with
    a manifest and an ``.open`` batch. The next run finished the batch but kept the old
    manifest, which did not list it: ``load`` and ``export`` of the whole plan output
    failed ("not listed in manifest.json") while the state held those articles as
    archived, never to be fetched again."""
    import newsarchive
    from newsarchive.server import DemoSite
    from newsarchive.server.generated import generated_article

    plan = tmp_path / "plan.toml"
    with DemoSite(generate=ARTICLES) as site:
        plan.write_text(local_plan(site.base_url, concurrency=2), encoding="utf-8")
        kill_plan_crawl(plan, "run1", tmp_path)
        kill_plan_crawl(plan, "run1", tmp_path)  # the resume dies too
        crawl_plan(plan, "run2")
        expected = {f"{site.base_url}{generated_article(n).path}" for n in range(1, ARTICLES + 1)}

    first = tmp_path / "out" / "herald" / "run1"
    assert len(list(first.glob("articles/*.jsonl.gz"))) == 2, "each part wrote a batch"
    records = list(newsarchive.load(tmp_path / "out"))  # verified against the manifests
    assert Counter(r["url"] for r in records) == Counter(expected)
    exported = run_newsarchive(
        "export", tmp_path / "out", "--format", "jsonl", "--out", tmp_path / "all.jsonl"
    )
    assert exported.returncode == 0, exported.stderr[-3000:]
