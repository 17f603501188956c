"""Every exported date is RFC 3339 or null, with the string as found kept in ``*_raw``.

The rule (docs/schema.md): an offset stated on the page wins (extraction lends
it to the page's other date); else the plan site's time zone; else the day
alone (a full-date, still RFC 3339); anything unreadable is null.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from newsarchive.pipelines.validate import validate_record

import newsarchive
from newsarchive.cli import main
from newsarchive.export.synthetic import synthetic_record
from newsarchive.normalize import is_rfc3339, localize_dates

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "business/2024/05/27/port-authority-approves-container-terminal-expansion/index.html"


def page(head: str, body: str = "") -> str:
    paragraphs = "".join(
        f"<p>Paragraph {i} of a plain news story, long enough.</p>" for i in range(8)
    )
    article = f"<article><h1>Title</h1>{body}{paragraphs}</article>"
    return f"<html><head>{head}</head><body>{article}</body></html>"


NAIVE = '<meta property="article:published_time" content="2024-10-23T03:48:00">'


def test_a_date_without_offset_keeps_its_day_and_its_raw_string() -> None:
    record = newsarchive.extract(page(NAIVE), "https://news.example/a")
    assert record["date_published"] == "2024-10-23"
    assert record["date_published_raw"] == "2024-10-23T03:48:00"
    assert any("no UTC offset" in m for m in record["extraction"]["validation_messages"])
    assert not [m for m in validate_record(record) if m.startswith("date_")]
    # an offset elsewhere on the page decides first
    modified = '<meta property="article:modified_time" content="2024-10-23T09:00:00+02:00">'
    record = newsarchive.extract(page(NAIVE + modified), "https://news.example/a")
    assert record["date_published"] == "2024-10-23T03:48:00+02:00"
    assert record["date_modified"] == "2024-10-23T09:00:00+02:00"


def test_the_site_time_zone_gives_the_offset_of_that_day() -> None:
    winter = newsarchive.extract(
        page("", "<p>Published: Jan 3, 2024 at 9:15</p>"), "https://news.example/w"
    )
    summer = newsarchive.extract(page(NAIVE), "https://news.example/s")
    assert localize_dates(winter, "Europe/Berlin")["date_published"] == "2024-01-03T09:15:00+01:00"
    localized = localize_dates(summer, "Europe/Berlin")
    assert localized["date_published"] == "2024-10-23T03:48:00+02:00"
    assert not any("no UTC offset" in m for m in localized["extraction"]["validation_messages"])
    plain = newsarchive.extract(page("", "<p>Datum 28.04.2023</p>"), "https://news.example/d")
    assert localize_dates(plain, "Europe/Berlin")["date_published"] == plain["date_published"]


def test_export_of_an_older_file_gives_rfc3339_or_null(tmp_path: Path) -> None:
    old = [synthetic_record(i, "c") for i in range(3)]
    old[0]["date_published"] = "2024-10-23T03:48:00"
    old[1]["date_published"], old[1]["date_published_raw"] = "yesterday", None
    source = tmp_path / "old.jsonl.gz"
    source.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in old).encode()))
    assert (
        main(["export", str(source), "--format", "jsonl", "--out", str(tmp_path / "n.jsonl")]) == 0
    )
    rows = list(newsarchive.load(tmp_path / "n.jsonl"))
    assert [r["date_published"] for r in rows[:2]] == ["2024-10-23", None]
    assert rows[1]["date_published_raw"] == "yesterday"
    assert all(r["date_published"] is None or is_rfc3339(r["date_published"]) for r in rows)


def test_plan_timezone_is_checked(tmp_path: Path) -> None:
    from newsarchive.plan import PlanError, parse_plan, site_settings

    text = '[[sites]]\nname = "x"\nseeds = ["https://a.example/"]\ntimezone = "{}"\n'
    plan = parse_plan(text.format("Europe/Berlin"), tmp_path / "p.toml")
    assert site_settings(plan, plan.site("x"))["NEWSARCHIVE_SITE_TIMEZONE"] == "Europe/Berlin"
    with pytest.raises(PlanError, match=r"p\.toml:4: sites\[x\]\.timezone: unknown time zone"):
        parse_plan(text.format("Mars/Olympus"), tmp_path / "p.toml")


@pytest.mark.slow
def test_plan_crawl_reads_offset_free_dates_in_the_site_time_zone(tmp_path: Path) -> None:
    from newsarchive.server import DemoSite

    site_dir = tmp_path / "site"
    shutil.copytree(ROOT / "fixtures" / "site", site_dir)
    article = site_dir / ARTICLE
    html = article.read_text(encoding="utf-8")
    article.write_text(html.replace("+01:00", "").replace(" BST", ""), encoding="utf-8")
    with DemoSite(site_dir) as site:
        (tmp_path / "plan.toml").write_text(
            '[plan]\nname = "tz"\noutput = "out"\n[defaults.politeness]\ndelay = 0.0\n'
            f'[[sites]]\nname = "herald"\nseeds = ["{site.base_url}/"]\nallow_private = true\n'
            'timezone = "Europe/London"\n'
        )
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "--plan", "plan.toml"],
            capture_output=True, text=True, timeout=180, cwd=tmp_path,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    records = {r["url"].split("/", 3)[3]: r for r in newsarchive.load(tmp_path / "out")}
    moved = records[ARTICLE.removesuffix("index.html")]
    assert moved["date_published"] == "2024-05-27T06:30:00+01:00"  # BST on that day
    assert moved["date_modified"] == "2024-05-27T11:05:00+01:00"
    assert moved["date_published_raw"] == "2024-05-27T06:30:00"
    for record in records.values():
        for name in ("date_published", "date_modified"):
            assert record[name] is None or is_rfc3339(record[name]), record["url"]
