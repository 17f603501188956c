"""A full disk during a crawl or an export: stopped, said, exit 1, and nothing half-written.

Runs on a real full file system: a 1 MB tmpfs mounted for the test (needs
root, as in the project's CI container; skipped with the reason otherwise).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.export.jsonl import complete_members_length
from newsarchive.export.synthetic import synthetic_record
from newsarchive.server import DemoSite

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs at ``tmp_path/disk``, unmounted after the test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("full-disk tests mount a tmpfs and need root")
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def whole_lines(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), f"{path} ends in half a line"
    return [json.loads(line) for line in data.splitlines()]


def test_crawl_onto_a_full_disk_stops_and_says_so(small_disk: Path, tmp_path: Path) -> None:
    out = small_disk / "out"
    with DemoSite(generate=400) as site:
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", site.base_url + "/",
             "--out", str(out), "--allow-private", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path,
        )  # fmt: skip
        requested = len(site.request_log)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "CRAWL FAILED: cannot write" in run.stdout and "No space left" in run.stdout
    assert "Failures: none" not in run.stdout
    assert requested < 400, "the crawl went on fetching after the disk was full"
    assert not [p for p in out.rglob("*.tmp")], "temporary files left"
    whole_lines(out / "pages.jsonl")
    whole_lines(out / "validation_failures.jsonl")
    for batch in (out / "articles").iterdir():
        data = batch.read_bytes()
        length, members = complete_members_length(data)
        assert length == len(data), f"{batch.name} ends in half a record"
        if not batch.name.endswith(".open"):  # a finished name means a complete batch
            assert members == len(gzip.decompress(data).splitlines())
    assert not list((out / "articles").glob("*.jsonl.gz")), "a batch renamed as complete"


def test_export_onto_a_full_disk_fails_and_leaves_nothing(small_disk: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl.gz"
    records = [synthetic_record(i, "c") for i in range(1500)]
    for record in records:  # random text: about 2 MB however well a format compresses
        record["article_body"] = os.urandom(1500).hex()
    source.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    for fmt in ("csv", "parquet", "jsonl"):
        out = small_disk / f"export.{fmt}"
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", "export", str(source), "--format", fmt,
             "--out", str(out), "--batch-size", "200"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip
        assert run.returncode == 1, (fmt, run.stdout, run.stderr[-2000:])
        assert "No space left on device" in run.stderr and "nothing written" in run.stderr
        assert not list(small_disk.iterdir()), f"{fmt}: files left on the full disk"


def test_plan_crawl_onto_a_full_disk_keeps_the_state_and_the_files_agreed(
    small_disk: Path, tmp_path: Path
) -> None:
    from newsarchive.state import CrawlState

    with DemoSite(generate=400) as site:
        (tmp_path / "plan.toml").write_text(
            f'[plan]\nname = "full"\nstate = "state/full.sqlite"\noutput = "{small_disk}"\n'
            "[defaults.politeness]\ndelay = 0.0\nconcurrency = 8\nautothrottle = false\n"
            f'[[sites]]\nname = "gen"\nseeds = ["{site.base_url}/"]\nallow_private = true\n'
        )
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "--plan", "plan.toml"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path,
        )  # fmt: skip
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "CRAWL FAILED" in run.stdout
    in_files = set()
    for batch in small_disk.rglob("articles/*.jsonl.gz*"):
        data = batch.read_bytes()
        length, _ = complete_members_length(data)
        in_files |= {
            json.loads(line)["article_id"] for line in gzip.decompress(data[:length]).splitlines()
        }
    with CrawlState(tmp_path / "state" / "full.sqlite") as state:
        archived = {article_id for article_id, _, _ in state.articles()}
    assert archived, "nothing archived before the disk was full"
    assert archived <= in_files, f"{len(archived - in_files)} archived articles in no file"


def test_plan_crawl_with_its_state_on_the_full_disk_stops_with_one_clear_error(
    small_disk: Path,
) -> None:
    """The default plan layout: ``state/`` and ``output/`` beside the plan, on one disk.

    SQLite says "database or disk is full" where the files say ENOSPC; both are the same
    write error: the crawl stops, says so, exits 1, and prints no item or traceback.
    """
    with DemoSite(generate=400) as site:
        (small_disk / "plan.toml").write_text(
            '[plan]\nname = "full"\n'
            "[defaults.politeness]\ndelay = 0.0\nconcurrency = 8\nautothrottle = false\n"
            f'[[sites]]\nname = "gen"\nseeds = ["{site.base_url}/"]\nallow_private = true\n'
        )
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "--plan", "plan.toml",
             "-s", "NEWSARCHIVE_PROGRESS=False"],
            capture_output=True, text=True, timeout=240, cwd=small_disk,
        )  # fmt: skip
    said = run.stdout + run.stderr
    assert run.returncode == 1, said[-3000:]
    assert "CRAWL FAILED" in run.stdout, said[-3000:]
    assert "Traceback" not in said, said[-3000:]
    assert "Error processing" not in said, "an item was dumped into the log"
    assert "internal error" not in said


def test_a_crawl_resumed_after_a_full_disk_has_a_whole_index(
    small_disk: Path, tmp_path: Path
) -> None:
    """The index lines the full disk kept from the file must come back with the resume.

    Replay tools and the plan's state (which reads ``index.cdxj`` to know what is
    archived) trust the index: after the resume it lists every record of every WARC
    file, once, and every line parses (a torn line once swallowed the next run's first).
    """
    import shutil

    from newsarchive.warc.cdxj import entries_from_warc

    out, moved = small_disk / "out", tmp_path / "out"
    with DemoSite(generate=400) as site:
        command = [sys.executable, "-m", "newsarchive", "crawl", site.base_url + "/",
                   "--allow-private", "--crawl-id", "full1", "-s", "DOWNLOAD_DELAY=0",
                   "-s", "AUTOTHROTTLE_ENABLED=False",
                   "-s", "NEWSARCHIVE_PROGRESS=False"]  # fmt: skip
        full = subprocess.run(
            [*command, "--out", str(out)], capture_output=True, text=True, timeout=240
        )
        assert full.returncode == 1, full.stdout[-2000:] + full.stderr[-2000:]
        shutil.copytree(out, moved)  # the disk made larger: the folder moved to one with room
        resumed = subprocess.run(
            [*command, "--out", str(moved)], capture_output=True, text=True, timeout=240
        )
        assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    lines = (moved / "index.cdxj").read_text(encoding="utf-8").splitlines(keepends=True)
    for line in lines:
        json.loads(line.split(" ", 2)[2])  # every line whole
    expected = sorted(
        entry.line() for warc in sorted(moved.glob("warc/*.warc.gz"))
        for entry in entries_from_warc(warc)
    )  # fmt: skip
    assert sorted(lines) == expected


def _archived_articles(folder: Path, count: int) -> Path:
    """A WARC file of ``count`` generated article pages (no crawl: written directly)."""
    from support.warcsite import Page, archive_pages

    from newsarchive.server.generated import generated_article

    base = "http://news.example"
    pages = [
        Page(base + generated_article(n).path, generated_article(n).render(base).encode())
        for n in range(1, count + 1)
    ]
    archive_pages(folder, pages)
    return next(folder.glob("*.warc.gz"))


def test_reextract_onto_a_full_disk_says_so_and_leaves_no_partial_file(
    small_disk: Path, tmp_path: Path
) -> None:
    warc = _archived_articles(tmp_path / "warc", 400)
    target = small_disk / "again.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "reextract", str(warc), "--out", str(target),
         "--jobs", "1"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "No space left" in run.stderr, run.stderr[-3000:]
    assert list(small_disk.iterdir()) == [], "a partial output (or its temporary file) left"


def test_a_wacz_onto_a_full_disk_says_so_and_leaves_no_partial_file(
    small_disk: Path, tmp_path: Path
) -> None:
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    warc = _archived_articles(tmp_path / "warc", 700)  # over 1 MB of WARC
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "warc", "wacz", str(warc),
         "-o", str(small_disk / "crawl.wacz")],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "No space left" in run.stderr, run.stderr[-3000:]
    assert list(small_disk.iterdir()) == [], "a partial package (or its temporary file) left"


def test_any_command_on_a_full_disk_fails_with_one_line_not_a_bug_report(
    small_disk: Path, tmp_path: Path
) -> None:
    """A full disk is the machine's state, not a bug of newsarchive: one line, exit 1,
    for every command (here ``warc fixture``, which writes a folder of files)."""
    warc = _archived_articles(tmp_path / "warc", 1)
    (small_disk / "filler").write_bytes(b"\0" * (1024 * 1024 - 8192))
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "warc", "fixture", str(warc),
         "-o", str(small_disk / "fixture")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert "No space left on device" in run.stderr.strip().splitlines()[-1]
