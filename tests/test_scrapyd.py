"""scrapyd deployment: the project egg loads, and a crawl scheduled over the HTTP API runs.

Everything runs on 127.0.0.1: a scrapyd subprocess on a free port in a
temporary folder, and a generated local news site.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.crawls import NEWSARCHIVE, exported_articles
from support.redis_server import (
    LocalRedis,
    free_port,
)

import newsarchive
from newsarchive.crawlfolder import CrawlFolder
from newsarchive.distributed.egg import IGNORED, SOURCES, build_egg, project_root
from newsarchive.server import DemoSite

requests = pytest.importorskip("requests", reason="requests comes with scrapyd-client")
pytest.importorskip("scrapyd", reason="pip install -e '.[test]' (scrapyd)")
pytestmark = pytest.mark.slow

ARTICLES = 30
JOB_TIMEOUT = 120.0
REPO = project_root(Path(__file__).parent)
SCRAPYD_LOG = "scrapyd.out"
SCRAPYD_FOLDERS: dict[str, Path] = {}  # base URL -> the folder scrapyd runs in


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_egg(REPO, tmp_path_factory.mktemp("egg"))


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
        "poll_interval = 0.2\nmax_proc = 2\n",
        encoding="utf-8",
    )
    # scrapyd's own log (a file: a pipe nobody reads fills up) says how each job's process ended.
    output = (folder / SCRAPYD_LOG).open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=folder,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    SCRAPYD_FOLDERS[base] = folder
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"scrapyd exited: {scrapyd_log(base)[-2000:]}")
            try:
                if requests.get(f"{base}/daemonstatus.json", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("scrapyd did not start in 30 s")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        output.close()


def scrapyd_log(base: str) -> str:
    """What the scrapyd server at ``base`` logged so far (job starts and process ends)."""
    return (SCRAPYD_FOLDERS[base] / SCRAPYD_LOG).read_text(encoding="utf-8", errors="replace")


def upload(scrapyd: str, egg: Path) -> None:
    with egg.open("rb") as handle:
        added = requests.post(
            f"{scrapyd}/addversion.json",
            data={"project": "newsarchive", "version": "1"},
            files={"egg": handle},
            timeout=60,
        ).json()
    assert added["status"] == "ok", added
    assert added["spiders"] == 1


def schedule(
    scrapyd: str, start_url: str, settings: dict[str, str], arguments: dict[str, str] | None = None
) -> str:
    """Schedule a ``news`` job; ``arguments`` are spider arguments (``-a``), strings."""
    scheduled = requests.post(
        f"{scrapyd}/schedule.json",
        timeout=30,
        data={
            **(arguments or {}),
            "project": "newsarchive",
            "spider": "news",
            "start_urls": start_url,
            "setting": [f"{k}={v}" for k, v in settings.items()],
        },
    ).json()
    assert scheduled["status"] == "ok", scheduled
    return scheduled["jobid"]


def wait_for_jobs(scrapyd: str, jobs: set[str]) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        listed = requests.get(
            f"{scrapyd}/listjobs.json", params={"project": "newsarchive"}, timeout=30
        ).json()
        if jobs <= {j["id"] for j in listed["finished"]}:
            return
        assert time.monotonic() < deadline, f"jobs {jobs} still not finished: {listed}"
        time.sleep(0.3)


def read_articles(folder: Path) -> list[dict]:
    return exported_articles(folder)


LOCAL_CRAWL = {
    "NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES": "True",
    "NEWSARCHIVE_PROGRESS": "False",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
}


def printed_worker_settings(redis_url: str, crawl_id: str) -> dict[str, str]:
    """What ``python -m newsarchive.distributed.settings URL ID`` prints, as docs/distributed.md
    has the user pass it to scrapyd (one ``setting=`` per line)."""
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive.distributed.settings", redis_url, crawl_id],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def test_egg_holds_the_mapped_packages_and_the_settings_entry_point(egg: Path) -> None:
    assert_mapped_egg(egg)


def test_scrapyd_deploy_builds_the_same_packages(tmp_path: Path) -> None:
    """``scrapyd-deploy`` builds through the repository's ``setup.py`` shim (pyproject.toml
    only), so it packs ``newsarchive.spiders`` as our builder does."""
    deploy = Path(sys.executable).parent / "scrapyd-deploy"
    if not deploy.exists():
        pytest.skip("scrapyd-deploy comes with scrapyd-client: pip install -e '.[distributed]'")
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("setup.py", *SOURCES):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=IGNORED)
        else:
            shutil.copy2(source, copy / name)
    egg = tmp_path / "deployed.egg"
    done = subprocess.run(
        [str(deploy), "--build-egg", str(egg)],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and egg.exists(), done.stderr[-2000:]
    assert_mapped_egg(egg)


def assert_mapped_egg(egg: Path) -> None:
    names = set(zipfile.ZipFile(egg).namelist())
    assert "newsarchive/spiders/news.py" in names
    assert "newsarchive/pipelines/export.py" in names
    assert "newsarchive/distributed/settings.py" in names
    assert not any(n.startswith(("spiders/", "pipelines/")) for n in names)
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]" in entry_points and "settings = newsarchive.settings" in entry_points


def test_egg_alone_lists_the_news_spider(egg: Path, tmp_path: Path) -> None:
    """Outside the repository, with the egg first on the path, Scrapy finds the spider in it."""
    code = (
        "import newsarchive.spiders.news as m, sys; print(m.__file__); "
        "from scrapy.cmdline import execute; sys.argv=['scrapy','list']; execute()"
    )
    env = {**os.environ, "PYTHONPATH": str(egg), "SCRAPY_SETTINGS_MODULE": "newsarchive.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    module_file, *spiders = done.stdout.split()
    assert module_file.startswith(str(egg))  # imported from the egg, not the working tree
    assert spiders == ["news"]


def test_crawl_scheduled_through_the_http_api(egg: Path, scrapyd: str, tmp_path: Path) -> None:
    upload(scrapyd, egg)
    spiders = requests.get(
        f"{scrapyd}/listspiders.json", params={"project": "newsarchive"}, timeout=60
    ).json()
    assert spiders["spiders"] == ["news"], spiders

    out = tmp_path / "out"
    with DemoSite(generate=ARTICLES) as site:
        job = schedule(
            scrapyd,
            f"{site.base_url}/",
            {
                **LOCAL_CRAWL,
                "NEWSARCHIVE_OUTPUT_DIR": str(out),
                "NEWSARCHIVE_CRAWL_ID": "scrapyd-test",
            },
        )
        wait_for_jobs(scrapyd, {job})
        requested = site.request_log

    articles = read_articles(out)
    article_paths = {p for _, p, status in requested if p.startswith("/news/") and status == 200}
    assert len(article_paths) == ARTICLES
    assert sorted(a["url"].split("://", 1)[1].split("/", 1)[1] for a in articles) == sorted(
        p.lstrip("/") for p in article_paths
    )
    assert all(a["provenance"]["crawl_id"] == "scrapyd-test" for a in articles)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["articles"] == ARTICLES
    assert list((out / "warc").glob("*.warc.gz"))
    # The job ends with its crawl report, as `newsarchive crawl` does, and a clean exit.
    report = json.loads((out / "report.json").read_text())
    assert report["totals"]["articles"] == ARTICLES and report["crawl_id"] == "scrapyd-test"
    assert f"{ARTICLES} articles" in (out / "report.txt").read_text()
    ended = [line for line in scrapyd_log(scrapyd).splitlines() if f"job={job!r}" in line]
    assert any("Process finished" in line for line in ended), ended
    # The job's folder is a crawl folder like any other: checked, loaded and exported.
    assert CrawlFolder(out).check() == []
    assert len(list(newsarchive.load(out))) == ARTICLES
    exported = tmp_path / "articles.jsonl"
    done = subprocess.run(
        [*NEWSARCHIVE, "export", str(out), "--format", "jsonl", "--out", str(exported)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(exported.read_text().splitlines()) == ARTICLES


def test_a_bad_spider_argument_ends_the_job_with_one_log_line_and_a_failed_process(
    egg: Path, scrapyd: str, tmp_path: Path
) -> None:
    """scrapyd passes spider arguments as strings: ``max_depth=banana`` gives one error
    line in the job's log (naming the argument and its form), no traceback, and a
    recorded finish reason; nothing is fetched, and scrapyd logs the job's process as
    died with exit status 2 (it lists the job as finished, as every ended job)."""
    upload(scrapyd, egg)
    out = tmp_path / "refused"
    with DemoSite(generate=ARTICLES) as site:
        job = schedule(
            scrapyd,
            f"{site.base_url}/",
            {**LOCAL_CRAWL, "NEWSARCHIVE_OUTPUT_DIR": str(out)},
            {"max_depth": "banana"},
        )
        wait_for_jobs(scrapyd, {job})
        fetched = [p for method, p, _ in site.request_log if method == "GET"]
    log = requests.get(f"{scrapyd}/logs/newsarchive/news/{job}.log", timeout=30).text
    errors = [line for line in log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, errors
    assert "max_depth='banana': expected an integer" in errors[0]
    assert "Traceback" not in log
    assert "'finish_reason': 'bad_spider_argument'" in log
    assert fetched == []
    ended = [line for line in scrapyd_log(scrapyd).splitlines() if f"job={job!r}" in line]
    assert any("Process died: exitstatus=2" in line for line in ended), ended


def test_a_cancelled_job_stops_in_seconds_with_its_output_finished(
    egg: Path, scrapyd: str, tmp_path: Path
) -> None:
    """scrapyd's ``cancel.json`` sends SIGINT: the requests waiting for their politeness
    delay are left, not fetched one delay apart (16 x 4 s here), and the folder is finished."""
    upload(scrapyd, egg)
    out = tmp_path / "cancelled"
    polite = {**LOCAL_CRAWL, "DOWNLOAD_DELAY": "4", "NEWSARCHIVE_OUTPUT_DIR": str(out)}
    with DemoSite(generate=ARTICLES) as site:
        job = schedule(scrapyd, f"{site.base_url}/", polite)
        deadline = time.monotonic() + JOB_TIMEOUT
        while not (out / "pages.jsonl").exists() or not (out / "pages.jsonl").read_text():
            assert time.monotonic() < deadline, "the job fetched nothing"
            time.sleep(0.2)
        cancelled = requests.post(
            f"{scrapyd}/cancel.json", data={"project": "newsarchive", "job": job}, timeout=30
        ).json()
        assert cancelled["status"] == "ok", cancelled
        started = time.monotonic()
        wait_for_jobs(scrapyd, {job})
        # generous: the delay queue alone would take 60 s; a prompt stop takes one fetch
        assert time.monotonic() - started < 30
        fetched = [p for method, p, _ in site.request_log if method == "GET"]
    assert len(fetched) < 10, fetched
    assert CrawlFolder(out).check() == []
    assert json.loads((out / "manifest.json").read_text())["counts"]["responses"] >= 1


def test_two_scrapyd_jobs_share_one_crawl_through_redis(
    egg: Path, scrapyd: str, redis_server: LocalRedis, tmp_path: Path
) -> None:
    upload(scrapyd, egg)
    out = tmp_path / "shared"
    crawl_id = "scrapyd-shared"
    worker_settings = {
        **printed_worker_settings(redis_server.url, crawl_id),
        **LOCAL_CRAWL,
        "DOWNLOAD_DELAY": "0.02",
        "NEWSARCHIVE_REDIS_IDLE_GRACE": "1.5",
    }
    with DemoSite(generate=ARTICLES * 3) as site:
        jobs = {
            schedule(
                scrapyd,
                f"{site.base_url}/",
                {**worker_settings, "NEWSARCHIVE_OUTPUT_DIR": str(out / "workers" / f"job-{n}")},
            )
            for n in (1, 2)
        }
        wait_for_jobs(scrapyd, jobs)
        fetched = [
            p for method, p, _ in site.request_log if method == "GET" and p.startswith("/news/")
        ]

    assert len(fetched) == len(set(fetched)) == ARTICLES * 3
    urls = [a["url"] for n in (1, 2) for a in read_articles(out / "workers" / f"job-{n}")]
    assert len(urls) == len(set(urls)) == ARTICLES * 3
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsarchive",
            "crawl-finish",
            crawl_id,
            "--redis",
            redis_server.url,
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["remaining"] == 0
    assert json.loads((out / "manifest.json").read_text())["counts"]["articles"] == ARTICLES * 3
