"""``reextract`` of one run of a plan resolves revisits into the plan's earlier runs.

The second run of a plan stores payloads it already has (robots.txt, the home page,
re-fetched articles) as revisits pointing into the first run's WARC files, through
the plan's digest index (``state/PLAN.digests.sqlite``). Re-extracting the second
run's folder alone must find those originals: through the index the crawl used
(its manifest names the plan), through the earlier runs' CDXJ indexes when the
state is gone, and otherwise fail the page with a message, never drop it silently.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.crawls import crawl_twice_refetching, run_newsarchive

from newsarchive.server import DemoSite


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A plan crawled twice; the second run re-fetches the articles in full (revisits)."""
    folder = tmp_path_factory.mktemp("twice")
    with DemoSite() as site:
        crawl_twice_refetching(folder, site.base_url)
    yield folder


def reextracted(warc_dir: Path, out: Path) -> tuple[int, set[str], str]:
    """Exit status, article URLs and standard error of ``reextract WARC_DIR``."""
    done = run_newsarchive("reextract", warc_dir, "--jobs", "1", "--out", out)
    urls = {json.loads(line)["url"] for line in out.read_text().splitlines()}
    return done.returncode, urls, done.stderr


def revisited_articles(run: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for path in run.glob("warc/*.warc.gz"):
        with path.open("rb") as stream:
            count += sum(1 for r in ArchiveIterator(stream) if r.rec_type == "revisit")
    return count


def test_a_later_run_alone_resolves_revisits_into_the_earlier_run(
    plan_folder: Path, tmp_path: Path
) -> None:
    runs = plan_folder / "output" / "demo"
    assert revisited_articles(runs / "run2") > 5  # the case under test is really there
    status, first, _ = reextracted(runs / "run1" / "warc", tmp_path / "run1.jsonl")
    assert status == 0 and len(first) > 5
    status, second, errors = reextracted(runs / "run2" / "warc", tmp_path / "run2.jsonl")
    assert status == 0, errors[-3000:]
    assert second == first  # every article of the second run, although all are revisits
    assert "not found" not in errors


def test_reextract_reads_a_crawl_folder_through_its_warc_folder(
    plan_folder: Path, tmp_path: Path
) -> None:
    """``reextract OUT`` as ``warc check OUT``: the same expansion (crawlfolder.warc_files_of)."""
    run = plan_folder / "output" / "demo" / "run1"
    _, from_warc_folder, _ = reextracted(run / "warc", tmp_path / "a.jsonl")
    status, from_crawl_folder, errors = reextracted(run, tmp_path / "b.jsonl")
    assert status == 0 and from_crawl_folder == from_warc_folder, errors[-2000:]
    assert "from 1 WARC files" in errors


def test_without_the_state_the_earlier_runs_cdxj_leads_to_the_originals(
    plan_folder: Path, tmp_path: Path
) -> None:
    """The output tree copied elsewhere without ``state/``: no digest index at all."""
    copy = tmp_path / "copy" / "output"
    shutil.copytree(plan_folder / "output", copy)
    _, first, _ = reextracted(plan_folder / "output/demo/run1/warc", tmp_path / "run1.jsonl")
    (plan_folder / "state").rename(plan_folder / "state-away")
    try:
        status, second, errors = reextracted(copy / "demo/run2/warc", tmp_path / "run2.jsonl")
    finally:
        (plan_folder / "state-away").rename(plan_folder / "state")
    assert status == 0, errors[-3000:]
    assert second == first


def test_an_original_that_cannot_be_found_fails_its_page_with_a_message(
    plan_folder: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy" / "output"
    shutil.copytree(plan_folder / "output" / "demo" / "run2", copy / "demo" / "run2")
    (plan_folder / "state").rename(plan_folder / "state-away")
    try:
        status, second, errors = reextracted(copy / "demo/run2/warc", tmp_path / "run2.jsonl")
    finally:
        (plan_folder / "state-away").rename(plan_folder / "state")
    assert status == 1 and second == set()
    failed = [line for line in errors.splitlines() if "revisit: original <urn:uuid:" in line]
    assert len(failed) > 5 and f"0 damaged file(s), {len(failed)} failed page(s)" in errors
    assert "not found" in failed[0] and "twice.digests.sqlite" in failed[0]


def test_a_plan_folder_moved_as_a_whole_is_read_through_its_digest_index(
    plan_folder: Path, tmp_path: Path
) -> None:
    """The index as moved with the plan (the path in the manifest no longer exists)."""
    _, first, _ = reextracted(plan_folder / "output/demo/run1/warc", tmp_path / "run1.jsonl")
    moved = plan_folder.with_name(plan_folder.name + "-moved")
    plan_folder.rename(moved)
    cdxj = moved / "output/demo/run1/index.cdxj"
    kept = cdxj.read_bytes()
    cdxj.write_bytes(b"")  # only the digest index can lead to the originals now
    try:
        status, second, errors = reextracted(
            moved / "output/demo/run2/warc", tmp_path / "run2.jsonl"
        )
    finally:
        cdxj.write_bytes(kept)
        moved.rename(plan_folder)
    assert status == 0, errors[-3000:]
    assert second == first
