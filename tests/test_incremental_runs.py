"""Later runs of a plan against a live local site: what they fetch again, and how.

Article URLs that do not look like articles (``/story/quay``: one word, no date)
are followed from the home page as hub links; the crawl state must still decide
whether such a URL is fetched again, as it does for a sitemap entry.
"""

from __future__ import annotations

import time
from pathlib import Path

from support.crawls import (
    CRAWL_TIMEOUT,
    NEWSARCHIVE,
    QUIET,
    REFETCH,
    crawl_plan,
    exported_articles,
    local_plan,
    run_command,
    run_newsarchive,
    setting_args,
    start_logged,
)
from trapsite import HostileSite, Reply, article_html, html

from newsarchive.schedule import LOCK_TAKEN_EXIT

STORIES = ("quay", "ferry", "harbour")


def home(_: object) -> Reply:
    links = "".join(f'<li><a href="/story/{name}">The {name} story</a></li>' for name in STORIES)
    return html(f"<html><body><h1>Home</h1><ul>{links}</ul></body></html>".encode())


def story(name: str) -> object:
    body = article_html(f"A story about the {name} of the town")
    return lambda _: html(body, ("ETag", f'"{name}-v1"'))


def serve() -> HostileSite:
    routes: dict[str, object] = {"/": home}
    routes.update({f"/story/{name}": story(name) for name in STORIES})
    return HostileSite(routes)  # type: ignore[arg-type]


def story_hits(site: HostileSite) -> list[tuple[str, str | None]]:
    return [(h.path, h.headers.get("if-none-match")) for h in site.hits if "/story/" in h.path]


def run_twice(tmp_path: Path, extra: str) -> tuple[HostileSite, int, list[dict]]:
    """Two runs of one plan; the site, the story fetches of run 1 and run 2's articles."""
    with serve() as site:
        plan = tmp_path / "plan.toml"
        plan.write_text(local_plan(site.base, output="output", extra=extra), encoding="utf-8")
        crawl_plan(plan, "run1")
        first = len(story_hits(site))
        crawl_plan(plan, "run2")
    return site, first, exported_articles(tmp_path / "output/herald/run2")


def test_a_second_run_fetches_no_archived_article_whatever_its_url_looks_like(
    tmp_path: Path,
) -> None:
    site, first, again = run_twice(tmp_path, "")
    assert first == len(STORIES)  # every story archived by the first run
    assert story_hits(site)[first:] == []  # refetch = "never": none fetched again
    assert again == []


def test_a_conditional_refetch_sends_the_stored_etag_for_links_of_any_shape(
    tmp_path: Path,
) -> None:
    site, first, again = run_twice(tmp_path, REFETCH)
    second = story_hits(site)[first:]
    assert sorted(second) == sorted((f"/story/{n}", f'"{n}-v1"') for n in STORIES)
    assert again == []


def test_a_second_crawl_of_a_site_still_being_crawled_is_refused(tmp_path: Path) -> None:
    """A crawl typed by hand while the scheduled one runs would export its articles again."""
    import threading

    release = threading.Event()

    def slow_story(name: str) -> object:
        body = article_html(f"A story about the {name} of the town")

        def serve_slowly(_: object) -> Reply:
            release.wait(timeout=CRAWL_TIMEOUT)  # the first crawl stays busy until released
            return html(body)

        return serve_slowly

    routes: dict[str, object] = {"/": home}
    routes.update({f"/story/{name}": slow_story(name) for name in STORIES})
    with HostileSite(routes) as site:  # type: ignore[arg-type]
        plan = tmp_path / "plan.toml"
        plan.write_text(local_plan(site.base, output="output"), encoding="utf-8")
        command = [*NEWSARCHIVE, "crawl", "--plan", str(plan), "--crawl-id", "first"]
        first = start_logged([*command, *setting_args(QUIET)], tmp_path / "first.log")
        try:
            deadline = time.monotonic() + CRAWL_TIMEOUT
            while not story_hits(site) and time.monotonic() < deadline:
                time.sleep(0.1)  # the first crawl is fetching its stories
            second = run_newsarchive("crawl", "--plan", plan, "--crawl-id", "second")
            assert second.returncode == LOCK_TAKEN_EXIT, second.stderr
            assert "herald of plan local is being crawled by another process" in second.stderr
            assert not (tmp_path / "output/herald/second").exists()
        finally:
            release.set()
            first.wait(timeout=CRAWL_TIMEOUT)
        assert first.returncode == 0
        crawl_plan(plan, "third")  # the lock went with the first crawl
    urls = [a["url"] for a in exported_articles(tmp_path / "output", "*/*/articles/*.jsonl.gz")]
    assert sorted(urls) == sorted(f"{site.base}/story/{name}" for name in STORIES)


def exec_start(unit: str) -> list[str]:
    """The command of a systemd ``.service`` unit's ``ExecStart=`` line."""
    import shlex

    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_systemd_units_of_two_sites_due_at_once_crawl_both(tmp_path: Path) -> None:
    """Sites sharing a schedule (a ``[defaults]`` one) have timers firing at the same
    moment; under one plan-wide ``flock -n`` every unit but the first exited 75 at once, so
    those sites were never crawled. Each site's crawl holds its own lock instead."""
    import threading

    from newsarchive.plan import load_plan
    from newsarchive.schedule import systemd_units

    release = threading.Event()

    def held(_: object) -> Reply:
        release.wait(timeout=CRAWL_TIMEOUT)  # the slow site's crawl runs until released
        return html(article_html("A story about the quay of the town"))

    slow_routes = {"/": home, **{f"/story/{name}": held for name in STORIES}}
    fast_routes = {"/": home, **{f"/story/{name}": story(name) for name in STORIES}}
    with HostileSite(slow_routes) as slow, HostileSite(fast_routes) as fast:  # type: ignore[arg-type]
        plan_path = tmp_path / "plan.toml"
        plan_path.write_text(
            '[plan]\nname = "two"\n[defaults]\nschedule = "0 */6 * * *"\nallow_private = true\n'
            "[defaults.politeness]\ndelay = 0\nautothrottle = false\n"
            f'[[sites]]\nname = "slow"\nseeds = ["{slow.base}/"]\n'
            f'[[sites]]\nname = "fast"\nseeds = ["{fast.base}/"]\n',
            encoding="utf-8",
        )
        (tmp_path / "state").mkdir()  # as `schedule --systemd` makes it for the lock files
        units = systemd_units(load_plan(plan_path))
        first = start_logged(exec_start(units["newsarchive-two-slow.service"]), tmp_path / "s.log")
        try:
            deadline = time.monotonic() + CRAWL_TIMEOUT
            while not story_hits(slow) and time.monotonic() < deadline:
                assert first.poll() is None, (tmp_path / "s.log").read_text()[-2000:]
                time.sleep(0.1)  # the slow site's unit is crawling
            second = run_command(exec_start(units["newsarchive-two-fast.service"]), cwd=tmp_path)
            assert second.returncode == 0, second.stdout[-2000:]
        finally:
            release.set()
            first.wait(timeout=CRAWL_TIMEOUT)
        assert first.returncode == 0
    fast_articles = exported_articles(tmp_path / "output/two/fast", "*/articles/*.jsonl.gz")
    assert len(fast_articles) == len(STORIES)


def test_a_forked_extraction_worker_does_not_keep_its_crawls_site_lock(tmp_path: Path) -> None:
    """A worker still parsing a page after its crawl was killed would hold the site's lock,
    and the next scheduled run of the site would be skipped."""
    import fcntl
    import os

    from newsarchive.plan import parse_plan
    from newsarchive.sitelock import holding_site_locks, site_lock_path

    text = '[plan]\nname = "p"\n[[sites]]\nname = "s"\nseeds = ["https://a.example/"]\n'
    plan = parse_plan(text, tmp_path / "p.toml")
    started_r, started_w = os.pipe()  # the worker runs (past the fork hooks)
    finish_r, finish_w = os.pipe()  # the test is done with it
    with holding_site_locks(plan, list(plan.sites)):
        child = os.fork()
        if child == 0:
            os.write(started_w, b"x")
            os.read(finish_r, 1)
            os._exit(0)
        assert os.read(started_r, 1) == b"x"
    fd = os.open(site_lock_path(plan, plan.sites[0]), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while the worker holds it
    finally:
        os.close(fd)
        os.write(finish_w, b"x")
        os.waitpid(child, 0)
