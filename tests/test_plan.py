"""Crawl plans: valid plans load; every mistake is reported with file, line and field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsarchive.plan import (
    PlanError,
    key_lines,
    load_plan,
    parse_plan,
    site_output_dir,
    site_settings,
)

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
[plan]
name = "papers"
state = "state/papers.sqlite"

[defaults]
contact = "mailto:desk@archive.example"
[defaults.politeness]
delay = 1.5

[[sites]]
name = "daily"
seeds = ["https://daily.example/", "https://daily.example/world/"]
schedule = "15 */4 * * *"
refetch = "conditional"
[sites.sources]
news_sitemaps = ["https://daily.example/news-sitemap.xml"]
feeds = ["https://daily.example/rss"]
[sites.scope]
allowed_hosts = ["daily.example", "www.daily.example"]
include = ["/20\\\\d\\\\d/"]
exclude = ["/video/"]
[sites.limits]
max_pages = 500
articles_since = "7d"

[[sites]]
name = "weekly"
seeds = ["https://weekly.example/"]
user_agent = "ArchiveBot/2 (+https://archive.example/bot)"
politeness = { concurrency = 1, autothrottle = false }
limits.max_depth = 1
"""


def test_valid_plan_loads_with_defaults_merged(tmp_path: Path) -> None:
    path = tmp_path / "papers.toml"
    path.write_text(GOOD)
    plan = load_plan(path)
    assert plan.name == "papers"
    assert plan.state_path == tmp_path / "state" / "papers.sqlite"
    daily, weekly = plan.sites
    assert daily.politeness.delay == 1.5 and weekly.politeness.delay == 1.5
    assert weekly.politeness.concurrency == 1 and weekly.politeness.autothrottle is False
    assert weekly.limits.max_depth == 1
    assert daily.refetch == "conditional" and weekly.refetch == "never"
    assert daily.effective_user_agent.endswith("(+mailto:desk@archive.example; archival crawler)")
    assert weekly.effective_user_agent == "ArchiveBot/2 (+https://archive.example/bot)"
    assert plan.site("weekly") is weekly
    with pytest.raises(KeyError, match="no site 'monthly'"):
        plan.site("monthly")


def test_site_settings_and_site_config() -> None:
    plan = parse_plan(GOOD, "/plans/papers.toml")
    daily = plan.site("daily")
    settings = site_settings(plan, daily)
    assert settings["DOWNLOAD_DELAY"] == 1.5
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4
    assert settings["CLOSESPIDER_PAGECOUNT"] == 500
    assert settings["NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"] is False
    assert settings["NEWSARCHIVE_STATE_PATH"] == "/plans/state/papers.sqlite"
    assert settings["NEWSARCHIVE_REFETCH"] == "conditional"
    assert "desk@archive.example" in settings["USER_AGENT"]
    assert site_output_dir(plan, daily, "c1") == Path("/plans/output/papers/daily/c1")
    assert daily.seeds == ("https://daily.example/", "https://daily.example/world/")
    assert daily.sources["news_sitemaps"] == ("https://daily.example/news-sitemap.xml",)
    at = daily.at(datetime(2024, 5, 8, 12, 0, tzinfo=UTC))
    assert at.limits.articles_since == "2024-05-01T12:00:00Z"
    assert daily.limits.articles_since == "7d"  # as the plan says; a crawl resolves it
    assert daily.scope.allowed_hosts == ("daily.example", "www.daily.example")
    assert daily.allowed_domains == ["daily.example"]
    weekly = plan.site("weekly")
    assert weekly.allowed_domains == ["weekly.example"]
    assert weekly.limits.max_pages is None and weekly.limits.articles_since is None
    assert weekly.at(datetime(2024, 5, 8, tzinfo=UTC)) is weekly


def _issues(source: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(source, "plan.toml")
    return [str(issue) for issue in caught.value.issues]


def test_wrong_type_reported_with_line_and_field() -> None:
    source = GOOD.replace("max_pages = 500", 'max_pages = "ten"')
    line = source.splitlines().index('max_pages = "ten"') + 1
    assert _issues(source) == [
        f'plan.toml:{line}: sites[daily].limits.max_pages: expected an integer, got "ten"'
    ]


def test_errors_in_second_site_and_inline_tables_are_located() -> None:
    source = GOOD.replace("concurrency = 1", "concurrency = 0").replace(
        "limits.max_depth = 1", "limits.max_depth = -1"
    )
    lines = source.splitlines()
    inline = next(i for i, t in enumerate(lines, 1) if t.startswith("politeness ="))
    dotted = next(i for i, t in enumerate(lines, 1) if t.startswith("limits.max_depth"))
    issues = _issues(source)
    assert (
        f"plan.toml:{dotted}: sites[weekly].limits.max_depth: expected an integer >= 0, "
        "got -1" in issues
    )
    assert (
        f"plan.toml:{inline}: sites[weekly].politeness.concurrency: expected an integer "
        ">= 1, got 0" in issues
    )


def test_every_problem_is_reported_at_once() -> None:
    source = """\
[[sites]]
name = "bad site!"
seeds = ["ftp://x.example/"]
schedule = "61 * * * *"
refetch = "always"
user_agent = "NoContactBot/1"
typo_key = 1
[sites.limits]
articles_since = "last week"
[sites.scope]
include = ["(unclosed"]
"""
    issues = _issues(source)
    text = "\n".join(issues)
    assert "plan.toml:2: sites[bad site!].name: expected a name" in text
    assert "plan.toml:3: sites[bad site!].seeds: item 0: expected an http(s) URL" in text
    assert "plan.toml:4: sites[bad site!].schedule: minute: 61 is outside 0-59" in text
    assert "plan.toml:5: sites[bad site!].refetch: expected one of never, conditional" in text
    assert "plan.toml:6: sites[bad site!].user_agent: no contact the site's operators" in text
    assert "plan.toml:7: sites[bad site!].typo_key: unknown key" in text
    assert "plan.toml:9: sites[bad site!].limits.articles_since: expected a duration" in text
    assert (
        "plan.toml:11: sites[bad site!].scope.include: item 0: invalid regular expression" in text
    )


def test_syntax_error_and_structural_errors() -> None:
    assert _issues("[[sites]\nname = 1")[0].startswith("plan.toml:1: TOML syntax error")
    assert _issues("[plan]\nname = 'x'\n") == [
        "plan.toml: sites: a plan needs at least one [[sites]] table"
    ]
    dup = '[[sites]]\nname = "a"\nseeds = ["https://a.example/"]\n' * 2
    assert _issues(dup) == ["plan.toml:5: sites[a].name: duplicate site name"]
    no_source = '[[sites]]\nname = "a"\n'
    assert _issues(no_source) == ["plan.toml:1: sites[a]: a site needs seeds, sitemaps or feeds"]
    assert (
        "never matches"
        in _issues(
            '[[sites]]\nname = "a"\nseeds = ["https://a.example/"]\nschedule = "0 0 30 2 *"\n'
        )[0]
    )


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read plan"):
        load_plan(tmp_path / "missing.toml")


def test_key_lines_tracks_array_of_tables() -> None:
    lines = key_lines(GOOD)
    assert lines[("sites", 0, "name")] == 11
    assert lines[("sites", 1, "name")] == 27
    assert lines[("sites", 0, "limits", "max_pages")] == 23
    assert lines[("defaults", "politeness", "delay")] == 8


def test_shipped_demo_plan_is_valid() -> None:
    plan = load_plan(ROOT / "plans" / "demo.toml")
    demo = plan.site("demo")
    assert demo.allow_private and demo.schedule
    assert site_settings(plan, demo)["NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"] is True


def test_plan_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from newsarchive.cli import main

    assert main(["plan", "check", str(ROOT / "plans" / "demo.toml")]) == 0
    assert "OK: plan 'demo', 1 site(s): demo" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[sites]]\nname = "x"\nseeds = ["https://a.example/"]\n[sites.limits]\nmax_pages = "ten"\n'
    )
    assert main(["plan", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f'{bad}:5: sites[x].limits.max_pages: expected an integer, got "ten"' in err
    assert main(["plan", "show", str(ROOT / "plans" / "demo.toml"), "--site", "demo"]) == 0
    assert '"CLOSESPIDER_PAGECOUNT": 5000' in capsys.readouterr().out


# ---------------------------------------------------------------- hostile plans (issue 14)

ONE_SITE = '[[sites]]\nname = "x"\nseeds = ["https://a.example/"]\n'


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ("politeness.delay = inf", "sites[x].politeness.delay", "finite number"),
        ("politeness.delay = -inf", "sites[x].politeness.delay", "finite number"),
        ("politeness.delay = nan", "sites[x].politeness.delay", "finite number"),
        (
            'user_agent = "Bot/1 (+https://a.example/bot)\\r\\nX-Forged: 1"',
            "sites[x].user_agent",
            "control characters",
        ),
        ('user_agent = "Bot/1 (+https://a.example/)\\u0000"', "sites[x].user_agent", "control"),
        ('user_agent = "Bot/1 (+http://)"', "sites[x].user_agent", "no contact"),
        ('user_agent = "Bot/1 (+https:///path)"', "sites[x].user_agent", "no contact"),
        ('user_agent = "Bot/1 (write to me @ home)"', "sites[x].user_agent", "no contact"),
        ('contact = "nobody"', "sites[x].contact", "no contact"),
        ('contact = "(+http://)"', "sites[x].contact", "no contact"),
        ('contact = "mailto:desk@archive.example\\nX-Forged: 1"', "sites[x].contact", "control"),
    ],
)
def test_plans_refuse_what_stalls_forges_or_hides_the_operator(
    extra: str, field: str, message: str
) -> None:
    issues = _issues(ONE_SITE + extra + "\n")
    assert len(issues) == 1, issues
    assert issues[0].startswith(f"plan.toml:4: {field}: ") and message in issues[0], issues


@pytest.mark.parametrize(
    "contact",
    [
        "mailto:desk@archive.example",
        "desk@archive.example",
        "https://archive.example/bot",
        "+https://archive.example/bot",
    ],
)
def test_reachable_contacts_pass(contact: str) -> None:
    plan = parse_plan(f'{ONE_SITE}contact = "{contact}"\n', "plan.toml")
    assert contact in plan.site("x").effective_user_agent


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://a.example:99999/", "not a valid URL"),
        ("http://a.example/" + "a" * 2100, "longer than 2083 characters (2117)"),
        ("http://a.example/a b", "spaces or control characters"),
        ("http:///nohost", "with a host"),
    ],
)
def test_bad_seeds_are_named_not_dropped(seed: str, message: str) -> None:
    issues = _issues(f'[[sites]]\nname = "x"\nseeds = ["{seed}"]\n')
    assert len(issues) == 1 and issues[0].startswith("plan.toml:3: sites[x].seeds: item 0: ")
    assert message in issues[0]


def test_deeply_nested_toml_is_one_error_not_a_traceback() -> None:
    deep = "[plan]\nx = " + "[" * 5000 + "]" * 5000 + "\n"
    assert _issues(deep) == [
        "plan.toml: arrays or tables nested too deeply to read (is this a crawl plan?)"
    ]


def test_a_site_needs_somewhere_to_start_even_with_empty_seeds() -> None:
    assert _issues('[[sites]]\nname = "x"\nseeds = []\n') == [
        "plan.toml:1: sites[x]: a site needs seeds, sitemaps or feeds"
    ]


def test_a_sitemap_only_site_is_scoped_to_its_sources() -> None:
    plan = parse_plan(
        '[[sites]]\nname = "x"\n[sites.sources]\nsitemaps = ["https://maps.example/s.xml"]\n'
        'feeds = ["https://feeds.example/rss"]\n',
        "plan.toml",
    )
    site = plan.site("x")
    assert site.seeds == ()
    assert site.allowed_domains == ["feeds.example", "maps.example"]
    assert site.entry_urls == ["https://maps.example/s.xml", "https://feeds.example/rss"]
    assert site.on_allowed_host("https://maps.example/2024/article.html")


def _warc_bytes(folder: Path) -> bytes:
    import gzip

    return b"".join(gzip.open(p).read() for p in sorted(folder.rglob("*.warc.gz*")))


def test_no_setting_can_forge_a_header_in_the_warc(tmp_path: Path) -> None:
    """Plain ``scrapy crawl`` (no plan, no newsarchive CLI) with a CR/LF user agent."""
    import subprocess
    import sys

    from newsarchive.server import DemoSite

    out = tmp_path / "out"
    with DemoSite() as site:
        result = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "crawl", "news",
                "-a", f"start_urls={site.base_url}/",
                "-s", "USER_AGENT=Bot (+https://archive.example/)\r\nX-Forged: 1",
                "-s", f"NEWSARCHIVE_OUTPUT_DIR={out}",
                "-s", "NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES=True",
                "-s", "CLOSESPIDER_PAGECOUNT=2",
                "-s", "NEWSARCHIVE_PROGRESS=False",
            ],
            cwd=ROOT, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        fetched = [path for _, path, _ in site.request_log]
    assert "setting USER_AGENT: control character '\\r'" in result.stderr, result.stderr[-2000:]
    assert fetched == [] and b"X-Forged" not in _warc_bytes(tmp_path)


def test_a_request_with_a_control_character_in_a_header_is_refused() -> None:
    """Whatever builds a request (a validator echoed from a server, a spider), none is sent."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Request

    from newsarchive.crawler import HeaderGuard

    guard = HeaderGuard(type("Crawler", (), {"stats": None})())
    assert guard.process_request(Request("http://a.example/", headers={"X-A": "ok\tok"})) is None
    for bad in ('"etag"\r\nX-Forged: 1', "a\nb", "a\x00b", "a\x7fb"):
        with pytest.raises(IgnoreRequest, match="'If-None-Match' refused: control character"):
            guard.process_request(Request("http://a.example/", headers={"If-None-Match": bad}))


def test_a_plan_with_only_a_sitemap_crawls(tmp_path: Path) -> None:
    """No seeds: the sitemap's host is the scope, its articles are archived."""
    import json
    import subprocess
    import sys

    from newsarchive.server import DemoSite

    with DemoSite() as site:
        plan = tmp_path / "maps.toml"
        plan.write_text(
            '[plan]\noutput = "out"\n[[sites]]\nname = "maps"\nallow_private = true\n'
            f'[sites.sources]\nsitemaps = ["{site.base_url}/sitemap-news.xml"]\n'
            "[sites.limits]\nmax_pages = 6\n[sites.politeness]\ndelay = 0\nautothrottle = false\n"
        )
        assert "OK: plan 'maps'" in subprocess.run(
            [sys.executable, "-m", "newsarchive", "plan", "check", str(plan)],
            capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "--plan", str(plan), "--crawl-id", "m1"],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    manifest = json.loads((tmp_path / "out" / "maps" / "m1" / "manifest.json").read_text())
    assert manifest["counts"]["articles"] >= 1, manifest


def test_a_feed_on_another_host_does_not_widen_a_seeded_site() -> None:
    plan = parse_plan(
        '[[sites]]\nname = "x"\nseeds = ["https://daily.example/"]\n'
        '[sites.sources]\nfeeds = ["https://feeds.example/daily"]\n',
        "plan.toml",
    )
    assert plan.site("x").allowed_domains == ["daily.example"]


def test_a_plan_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ONE_SITE.encode())
    assert load_plan(path).site("x").seeds == ("https://a.example/",)


def test_every_crawl_names_a_contact_by_default() -> None:
    """Without a plan (``newsarchive crawl URL``, ``scrapy crawl``) the user agent has one too."""
    from scrapy.settings import Settings

    from newsarchive.plan import contact_error

    settings = Settings()
    settings.setmodule("newsarchive.settings")
    assert contact_error(settings["USER_AGENT"]) is None
