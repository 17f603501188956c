"""The README's promise, checked in a browser: our WACZ and WARC files replay in ReplayWeb.page.

One plan crawls a local site twice (``refetch = "conditional"``); ``newsarchive warc
wacz`` packages both runs, and the second run's ``crawl --wacz`` packages it alone
(with the file of run 1 its revisits need); ReplayWeb.page (the pinned npm release, see
``newsarchive.replaywebpage``) is served with the package on 127.0.0.1 and Debian's
Chromium opens it. The site is stopped before the browser starts, so every text the
replay shows came out of the archive, and every request the browser makes must stay on
127.0.0.1. The replayed page is ReplayWeb.page's innermost iframe (``.../mp_/URL``,
inside the viewer's shadow roots), which playwright lists among the page's frames.
"""

from __future__ import annotations

import sqlite3
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from support.browser import debian_program, launch_offline
from support.crawls import NEWSARCHIVE, REFETCH, crawl_plan, local_plan, run_newsarchive
from support.redis_server import free_port
from warcio.archiveiterator import ArchiveIterator

from newsarchive.replay import ReplayError
from newsarchive.replaywebpage import (
    REPLAY_BASE,
    archive_url,
    byte_range,
    embed_page,
    ensure_ui,
    is_ready,
    serving,
)
from newsarchive.server import DemoSite
from newsarchive.server.generated import GeneratedArticle, generated_article
from newsarchive.warc.cdxj import rebuild
from newsarchive.warc.records import is_not_modified_revisit
from newsarchive.warc.wacz import listed_pages

pytestmark = pytest.mark.slow

ARTICLES = [generated_article(n) for n in range(1, 6)]
PLAIN, GZIPPED, BROTLI, MOVED, REFETCHED = ARTICLES
OLD_PATH = "/old/story"  # answers 301 to MOVED
REPLAY_WAIT_MS = 60_000  # generous: a loaded machine; the wait ends as soon as the text shows
# A worker held this long in its install step: longer than the viewer's own retries of its
# app frame (three reloads 100 ms apart), as on a loaded machine.
SLOW_INSTALL_MS = 5_000


def write_site(root: Path) -> None:
    """A hub and five articles, each traveling differently (see ``_routes.toml``)."""
    links = [PLAIN.path, GZIPPED.path, BROTLI.path, OLD_PATH, REFETCHED.path]
    (root / "robots.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    items = "".join(f'<li><a href="{link}">Story {i}</a></li>' for i, link in enumerate(links))
    (root / "index.html").write_text(
        f"<!DOCTYPE html><html><head><title>The Replay Courier</title></head>"
        f"<body><h1>The Replay Courier</h1><ul>{items}</ul></body></html>",
        encoding="utf-8",
    )
    for article in ARTICLES:
        page = root / article.path.lstrip("/")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article.render("{{BASE}}"), encoding="utf-8")
    (root / "_routes.toml").write_text(
        f'[redirects]\n"{OLD_PATH}" = {{ to = "{MOVED.path}", status = 301 }}\n'
        f'[paths."{PLAIN.path}"]\nencoding = "identity"\n'
        f'[paths."{BROTLI.path}"]\nencoding = "br"\n',
        encoding="utf-8",
    )


@dataclass(frozen=True)
class Capture:
    """One archived record: what it is and its 14-digit time (what the viewer asks by)."""

    url: str
    kind: str  # response, revisit, not-modified (a 304's revisit)
    coding: str | None
    ts: str


@dataclass(frozen=True)
class Crawl:
    run1: Path
    run2: Path
    base: str
    wacz: Path
    captures: list[Capture]
    run2_wacz: Path  # ``crawl --plan --wacz`` of run 2: handed over alone
    run2_said: str  # what that crawl printed

    def ts_of(self, url: str, kind: str) -> str:
        """The time of the first capture of ``url`` of this kind (run 1's response)."""
        found = [c.ts for c in self.captures if c.url == url and c.kind == kind]
        assert found, f"no {kind} capture of {url}: {self.captures}"
        return found[0]

    def coding_of(self, url: str) -> str | None:
        return next(c.coding for c in self.captures if c.url == url and c.kind == "response")


def captures_of(folders: list[Path]) -> list[Capture]:
    found = []
    for folder in folders:
        for path in sorted(folder.glob("warc/*.warc.gz")):
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type not in ("response", "revisit"):
                        continue
                    headers = record.rec_headers
                    kind = record.rec_type
                    if is_not_modified_revisit(kind, headers.get_header("WARC-Profile")):
                        kind = "not-modified"
                    http = record.http_headers
                    found.append(
                        Capture(
                            headers.get_header("WARC-Target-URI"),
                            kind,
                            http.get_header("Content-Encoding") if http else None,
                            "".join(c for c in headers.get_header("WARC-Date") if c.isdigit())[:14],
                        )
                    )
    return found


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """Two runs of a plan: the second gets 304s, and one full identical re-fetch."""
    folder = tmp_path_factory.mktemp("rwp-crawl")
    write_site(folder / "site")
    with DemoSite(folder / "site") as site:
        plan = folder / "plan.toml"
        plan.write_text(
            local_plan(site.base_url, name="rwp", site="courier", output="out", extra=REFETCH),
            encoding="utf-8",
        )
        crawl_plan(plan, "run1")
        with sqlite3.connect(folder / "state" / "rwp.sqlite") as db:  # as from a server
            refetched = site.url(REFETCHED.path)  # without validators: re-fetched in full
            db.execute(
                "UPDATE fetches SET etag = NULL, last_modified = NULL WHERE url = ?", [refetched]
            )
        run2_said = crawl_plan(plan, "run2", "--wacz").stdout
        base = site.base_url
    run1, run2 = folder / "out/courier/run1", folder / "out/courier/run2"
    wacz = folder / "courier.wacz"
    packed = run_newsarchive("warc", "wacz", run1, run2, "-o", wacz, timeout=180)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    captures = captures_of([run1, run2])
    return Crawl(run1, run2, base, wacz, captures, run2 / "run2.wacz", run2_said)


@pytest.fixture(scope="module")
def viewer(crawl: Crawl, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """(browser context, base URL of ReplayWeb.page serving the WACZ and run 1's WARC)."""
    playwright = pytest.importorskip("playwright.sync_api")
    debian_program("npm", "npm")  # as root (CI) installed when missing, like Chromium
    try:
        ui = ensure_ui()
    except ReplayError as error:
        pytest.fail(f"ReplayWeb.page could not be set up: {error}")
    archives = {crawl.wacz.name: crawl.wacz, crawl.run2_wacz.name: crawl.run2_wacz}
    archives.update({p.name: p for p in crawl.run1.glob("warc/*.warc.gz")})
    profile = tmp_path_factory.mktemp("chromium-profile")
    with serving(archives, ui) as base, playwright.sync_playwright() as driver:
        context = launch_offline(driver, profile)
        elsewhere: list[str] = []
        context.on("request", lambda r: off_host(r.url, base) and elsewhere.append(r.url))
        try:
            yield context, base
        finally:
            context.close()
        assert elsewhere == [], "the browser left 127.0.0.1"


def off_host(url: str, base: str) -> bool:
    """A request that would leave the machine (the archived site's URLs never get out:
    the viewer answers them from the archive)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname != urlsplit(base).hostname


def replayed_text(
    viewer: tuple[Any, str], source: str, url: str, expected: str, ts: str = "", base: str = ""
) -> str:
    """The text of ``url`` as ReplayWeb.page replays it from ``source``.

    Waits until ``expected`` shows in the replay frame (or the bound passes) and returns
    what the frame shows, so a failure prints what was replayed instead.
    """
    context, served = viewer
    base = base or served
    page = context.new_page()
    query = {"source": source, "url": url, **({"ts": ts} if ts else {})}
    try:
        page.goto(f"{base}/?{urlencode(query)}")
        text = ""
        for _ in range(REPLAY_WAIT_MS // 250):
            frames = [f for f in page.frames if f"{REPLAY_BASE}w/" in f.url and "mp_/" in f.url]
            for frame in frames:
                try:
                    text = frame.evaluate("document.body ? document.body.innerText : ''")
                except Exception:  # the frame navigated away meanwhile (a redirect)
                    continue
                if expected in text:
                    return text
            page.wait_for_timeout(250)
        return text
    finally:
        page.close()


def assert_replays(
    viewer: tuple[Any, str], source: str, url: str, article: GeneratedArticle, ts: str = ""
) -> None:
    text = replayed_text(viewer, source, url, article.headline, ts)
    assert article.headline in text, text[:500]
    assert article.paragraphs[0] in text, text[:500]


def test_the_crawl_holds_each_kind_of_capture(crawl: Crawl) -> None:
    """The cases below are real: each coding, the redirect and both kinds of revisit."""
    url = crawl.base.__add__
    assert crawl.coding_of(url(PLAIN.path)) is None
    assert crawl.coding_of(url(GZIPPED.path)) == "gzip"
    assert crawl.coding_of(url(BROTLI.path)) == "br"
    assert crawl.ts_of(url(OLD_PATH), "response")
    assert crawl.ts_of(url(REFETCHED.path), "revisit")
    assert crawl.ts_of(url(PLAIN.path), "not-modified")
    assert crawl.ts_of(url(PLAIN.path), "not-modified") > crawl.ts_of(url(PLAIN.path), "response")


@pytest.mark.parametrize("article", [PLAIN, GZIPPED, BROTLI], ids=["identity", "gzip", "br"])
def test_wacz_replays_the_article(
    viewer: tuple[Any, str], crawl: Crawl, article: GeneratedArticle
) -> None:
    url = crawl.base + article.path
    ts = crawl.ts_of(url, "response")
    assert_replays(viewer, archive_url(crawl.wacz.name), url, article, ts)


def test_wacz_replays_a_page_reached_through_a_redirect(
    viewer: tuple[Any, str], crawl: Crawl
) -> None:
    url = crawl.base + OLD_PATH
    ts = crawl.ts_of(url, "response")
    assert_replays(viewer, archive_url(crawl.wacz.name), url, MOVED, ts)


def test_wacz_replays_an_identical_refetch_of_a_later_run(
    viewer: tuple[Any, str], crawl: Crawl
) -> None:
    """The revisit of run 2 points at run 1's record: both WARC files are in the package."""
    url = crawl.base + REFETCHED.path
    ts = crawl.ts_of(url, "revisit")
    assert_replays(viewer, archive_url(crawl.wacz.name), url, REFETCHED, ts)


def test_wacz_replays_the_article_a_304_confirmed(viewer: tuple[Any, str], crawl: Crawl) -> None:
    """At the time of run 2's 304, directly and behind the redirect run 2 followed to it."""
    url = crawl.base + GZIPPED.path
    assert_replays(
        viewer, archive_url(crawl.wacz.name), url, GZIPPED, crawl.ts_of(url, "not-modified")
    )
    moved = crawl.ts_of(crawl.base + MOVED.path, "not-modified")
    assert_replays(viewer, archive_url(crawl.wacz.name), crawl.base + OLD_PATH, MOVED, moved)


def test_a_later_runs_wacz_alone_replays_its_revisits(
    viewer: tuple[Any, str], crawl: Crawl
) -> None:
    """Run 2's own WACZ (``crawl --plan --wacz``), served without run 1: its identical
    refetch and its 304s replay the pages of run 1 it refers to."""
    source = archive_url(crawl.run2_wacz.name)
    refetched = crawl.base + REFETCHED.path
    assert_replays(viewer, source, refetched, REFETCHED, crawl.ts_of(refetched, "revisit"))
    confirmed = crawl.base + GZIPPED.path
    assert_replays(viewer, source, confirmed, GZIPPED, crawl.ts_of(confirmed, "not-modified"))


def test_a_later_runs_wacz_holds_the_earlier_files_its_revisits_need(crawl: Crawl) -> None:
    """Run 1's WARC file whole, as it is, and its index lines beside run 2's; said."""
    (run1_warc,) = crawl.run1.glob("warc/*.warc.gz")
    run2_warcs = sorted(crawl.run2.glob("warc/*.warc.gz"))
    assert "1 earlier WARC file(s) added for revisits" in crawl.run2_said, crawl.run2_said
    with zipfile.ZipFile(crawl.run2_wacz) as package:
        archived = sorted(n for n in package.namelist() if n.startswith("archive/"))
        assert archived == sorted(f"archive/{p.name}" for p in [run1_warc, *run2_warcs])
        assert package.read(f"archive/{run1_warc.name}") == run1_warc.read_bytes()
    ours = crawl.run2_wacz.with_suffix(".cdxj")
    rebuild(sorted([run1_warc, *run2_warcs]), ours)
    assert wacz_index_lines(crawl.run2_wacz) == ours.read_text(encoding="utf-8").splitlines()


def test_warc_wacz_of_a_later_run_adds_its_originals_and_validates(
    crawl: Crawl, tmp_path: Path
) -> None:
    out = tmp_path / "run2.wacz"
    packed = run_newsarchive("warc", "wacz", crawl.run2, "-o", out, timeout=180)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    assert "1 earlier WARC file(s) added for revisits, validated" in packed.stdout
    (run1_warc,) = crawl.run1.glob("warc/*.warc.gz")
    with zipfile.ZipFile(out) as package:
        assert f"archive/{run1_warc.name}" in package.namelist()


def test_a_revisit_whose_original_is_nowhere_writes_no_wacz(crawl: Crawl, tmp_path: Path) -> None:
    """Run 2's file copied alone, away from its plan: one line per revisit, exit 1."""
    loose = tmp_path / "loose"
    loose.mkdir()
    for path in crawl.run2.glob("warc/*.warc.gz"):
        (loose / path.name).write_bytes(path.read_bytes())
    revisits = [c for c in captures_of([crawl.run2]) if c.kind in ("revisit", "not-modified")]
    out = tmp_path / "alone.wacz"
    packed = run_newsarchive("warc", "wacz", loose, "-o", out, timeout=180)
    assert packed.returncode == 1, packed.stdout + packed.stderr
    lines = packed.stderr.splitlines()
    assert (
        f"{len(revisits)} revisit(s) refer to an original found in no WARC file"
        in lines[-len(revisits) - 1]
    )
    for capture in revisits:
        assert any(line.startswith(f"revisit of {capture.url} at ") for line in lines), capture
    assert not out.exists()


def test_the_viewer_shows_a_run_whose_originals_are_nowhere_with_a_warning_each(
    crawl: Crawl, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``replay --rwp`` of such files still opens the pages it has; each revisit that
    cannot replay is named."""
    from newsarchive.replaywebpage import archives_for

    loose = tmp_path / "loose"
    loose.mkdir()
    for path in crawl.run2.glob("warc/*.warc.gz"):
        (loose / path.name).write_bytes(path.read_bytes())
    revisits = [c for c in captures_of([crawl.run2]) if c.kind in ("revisit", "not-modified")]
    with caplog.at_level("WARNING", logger="newsarchive.warc.wacz"):
        (package,) = archives_for([loose], tmp_path).values()
    assert package.is_file()
    warned = [r.getMessage() for r in caplog.records if r.name == "newsarchive.warc.wacz"]
    assert len(warned) == len(revisits), warned
    assert all(line.startswith("revisit of ") for line in warned), warned


def test_wacz_index_is_our_index(crawl: Crawl, tmp_path: Path) -> None:
    """One indexer: the package's index lines are ``newsarchive.warc.cdxj``'s, so a 304's
    revisit (no page of its own) is left out there as in ``index.cdxj`` and pywb's."""
    ours = tmp_path / "ours.cdxj"
    rebuild(sorted([*crawl.run1.glob("warc/*.warc.gz"), *crawl.run2.glob("warc/*.warc.gz")]), ours)
    assert wacz_index_lines(crawl.wacz) == ours.read_text(encoding="utf-8").splitlines()


def wacz_index_lines(path: Path) -> list[str]:
    import gzip

    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        if "indexes/index.cdx" in names:
            return package.read("indexes/index.cdx").decode("utf-8").splitlines()
        return gzip.decompress(package.read("indexes/index.cdx.gz")).decode("utf-8").splitlines()


def test_wacz_page_list_shows_the_articles(viewer: tuple[Any, str], crawl: Crawl) -> None:
    listed = {page["url"]: page["title"] for page in listed_pages(crawl.wacz)}
    for article in ARTICLES:
        assert listed[crawl.base + article.path] == article.headline
    context, base = viewer
    page = context.new_page()
    try:
        page.goto(f"{base}/?{urlencode({'source': archive_url(crawl.wacz.name)})}")
        shown = ""
        for _ in range(REPLAY_WAIT_MS // 250):
            shown = "\n".join(frame.evaluate(DEEP_TEXT) for frame in page.frames)
            if all(a.headline in shown for a in ARTICLES):
                break
            page.wait_for_timeout(250)
    finally:
        page.close()
    for article in ARTICLES:
        assert article.headline in shown, f"{article.headline!r} is not in the page list"


# Every text node of a document, shadow roots included (the viewer draws its page list
# in nested shadow roots, where playwright's text selectors did not find the titles).
DEEP_TEXT = """() => {
  const texts = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) walk(el.shadowRoot);
      for (const node of el.childNodes) if (node.nodeType === 3) texts.push(node.textContent);
    }
  };
  walk(document);
  return texts.join("\\n");
}"""


def test_plain_warc_replays(viewer: tuple[Any, str], crawl: Crawl) -> None:
    """ReplayWeb.page also opens a WARC file itself (it indexes it in the browser)."""
    (warc,) = crawl.run1.glob("warc/*.warc.gz")
    for article in (PLAIN, BROTLI):
        assert_replays(viewer, archive_url(warc.name), crawl.base + article.path, article)


def test_the_viewer_opens_when_its_service_worker_is_slow_to_install(
    viewer: tuple[Any, str], crawl: Crawl, tmp_path: Path
) -> None:
    """The first visit with a worker that takes seconds to install (a loaded machine):
    the viewer's app frame must not reach the server before the worker answers it, or it
    stays "not found" for good. A new port is a new origin: no worker registered yet."""
    slow = tmp_path / "slow-ui"
    slow.mkdir()
    ui = ensure_ui()
    (slow / "ui.js").write_bytes((ui / "ui.js").read_bytes())
    hold = "self.addEventListener('install', (e) => e.waitUntil(new Promise((r) => "
    hold += f"setTimeout(r, {SLOW_INSTALL_MS}))));\n"
    (slow / "sw.js").write_bytes(hold.encode() + (ui / "sw.js").read_bytes())
    url = crawl.base + PLAIN.path
    with serving({crawl.wacz.name: crawl.wacz}, slow) as base:
        text = replayed_text(viewer, archive_url(crawl.wacz.name), url, PLAIN.headline, base=base)
    assert PLAIN.headline in text, text[:500]


def test_replay_command_serves_a_crawl_in_replaywebpage(
    viewer: tuple[Any, str], crawl: Crawl
) -> None:
    """``newsarchive replay --rwp RUN1 RUN2``: both runs as one WACZ, until SIGTERM."""
    port = free_port()
    command = ["replay", "--rwp", str(crawl.run1), str(crawl.run2), "--port", str(port)]
    server = subprocess.Popen(
        [*NEWSARCHIVE, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = server.stdout.readline() if server.stdout else ""
        base = f"http://127.0.0.1:{port}"
        assert first.startswith(f"{base}/  (crawl.wacz"), first + (
            server.stderr.read() if server.poll() is not None and server.stderr else ""
        )
        url = crawl.base + REFETCHED.path  # a revisit of run 2: both runs are in the package
        ts = crawl.ts_of(url, "revisit")
        text = replayed_text(viewer, archive_url("crawl.wacz"), url, REFETCHED.headline, ts, base)
        assert REFETCHED.paragraphs[0] in text, text[:500]
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0


# --------------------------------------------------------------------------- without a browser


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (0, 100)),
        ("bytes=0-", (0, 100)),
        ("bytes=10-19", (10, 20)),
        ("bytes=90-500", (90, 100)),
        ("bytes=-30", (70, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=100-", None),
        ("bytes=20-10", None),
        ("bytes=-", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_byte_ranges_the_viewer_asks_for(header: str | None, expected: Any) -> None:
    assert byte_range(header, 100) == expected


def test_the_page_escapes_what_it_is_given() -> None:
    page = embed_page('/archive/a".wacz', 'http://x/"><script>alert(1)</script>', "2026")
    assert "<script>alert" not in page
    assert 'source="/archive/a&quot;.wacz"' in page


def test_a_failed_npm_pack_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No npm registry (offline): a one-line reason, no half-set-up folder taken for ready."""
    fake = tmp_path / "bin" / "npm"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'npm error network request failed' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    reason = r"npm pack replaywebpage@\S+ failed \(exit 1\): npm error network request failed"
    with pytest.raises(ReplayError, match=reason):
        ensure_ui(tmp_path / "rwp")
    assert not is_ready(tmp_path / "rwp")


def test_only_the_two_scripts_leave_the_tarball(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package with a path-traversal member: only ``ui.js`` and ``sw.js`` are written."""
    import io
    import tarfile

    tarball = tmp_path / "pack" / "replaywebpage.tgz"
    tarball.parent.mkdir()
    with tarfile.open(tarball, "w:gz") as package:
        for name in ("package/ui.js", "package/sw.js", "../escaped.js", "package/other.js"):
            data = f"// {name}".encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            package.addfile(info, io.BytesIO(data))
    fake = tmp_path / "bin" / "npm"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\ncp {tarball} "$4"\n')  # npm pack NAME --pack-destination DIR
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    folder = tmp_path / "cache" / "rwp"
    assert ensure_ui(folder) == folder
    assert sorted(p.name for p in folder.iterdir()) == [".newsarchive-ready", "sw.js", "ui.js"]
    assert (folder / "ui.js").read_text() == "// package/ui.js"
    assert not (tmp_path / "cache" / "escaped.js").exists()
