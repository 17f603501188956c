"""Bad input on the command line: one line that names what is wrong and how to fix it.

Every row is an invocation a user could type by mistake (missing files, folders
where files belong, bad numbers, bad URLs, bad TOML, a state file that is not
SQLite, an output path that is a file...). Each must exit 2 (1 where documented:
``plan check`` on a plan with problems), print exactly one line on stderr, and
never a traceback. The invocations all fail before any crawl starts, so they run
in-process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from newsarchive.cli import main

GOOD_SITE = '[[sites]]\nname = "x"\nseeds = ["http://127.0.0.1:9/"]\nallow_private = true\n'


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of bad inputs; the tests run inside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file").write_text("just text\n")
    (tmp_path / "bad_toml.toml").write_text("[plan\nname = 1\n")
    (tmp_path / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "latin1.toml").write_bytes(b'[plan]\nname = "caf\xe9"\n')
    (tmp_path / "inf_delay.toml").write_text(GOOD_SITE + "politeness.delay = inf\n")
    (tmp_path / "nan_delay.toml").write_text(GOOD_SITE + "politeness.delay = nan\n")
    (tmp_path / "crlf_agent.toml").write_text(
        GOOD_SITE + 'user_agent = "Bot (+https://a.example/)\\r\\nX-Forged: 1"\n'
    )
    (tmp_path / "no_contact.toml").write_text(GOOD_SITE + 'contact = "nobody"\n')
    (tmp_path / "broken_seed.toml").write_text('[[sites]]\nname = "x"\nseeds = ["http://[::1"]\n')
    long_seed = "http://127.0.0.1:9/" + "a" * 2100
    (tmp_path / "long_seed.toml").write_text(f'[[sites]]\nname = "x"\nseeds = ["{long_seed}"]\n')
    (tmp_path / "not_sqlite.sqlite").write_text("this is not a database\n" * 100)
    (tmp_path / "bad_state.toml").write_text(
        f'[plan]\nstate = "not_sqlite.sqlite"\n{GOOD_SITE}schedule = "@daily"\n'
    )
    (tmp_path / "output_is_file.toml").write_text(f'[plan]\noutput = "a_file"\n{GOOD_SITE}')
    (tmp_path / "good.toml").write_text(f'[plan]\noutput = "out"\n{GOOD_SITE}')
    return tmp_path


LONG_URL = "http://127.0.0.1:9/" + "a" * 2100

# (argv, exit code, words the one line must contain)
BAD_INVOCATIONS = [
    ([], 2, ["COMMAND", "--help"]),
    (["nosuchcommand"], 2, ["invalid choice", "--help"]),
    # crawl with a plan
    (["crawl", "--plan", "missing.toml"], 2, ["missing.toml", "No such file"]),
    (["crawl", "--plan", "a_folder"], 2, ["a_folder", "Is a directory", ".toml file"]),
    (["crawl", "--plan", "bad_toml.toml"], 2, ["bad_toml.toml:1", "TOML syntax error"]),
    (["crawl", "--plan", "deep.toml"], 2, ["deep.toml", "nested too deeply"]),
    (["crawl", "--plan", "latin1.toml"], 2, ["latin1.toml", "not UTF-8"]),
    (["crawl", "--plan", "inf_delay.toml"], 2, ["inf_delay.toml:5", "politeness.delay", "finite"]),
    (["crawl", "--plan", "nan_delay.toml"], 2, ["nan_delay.toml:5", "finite"]),
    (["crawl", "--plan", "crlf_agent.toml"], 2, ["crlf_agent.toml:5", "user_agent", "control"]),
    (["crawl", "--plan", "no_contact.toml"], 2, ["no_contact.toml:5", "contact", "e-mail"]),
    (["crawl", "--plan", "broken_seed.toml"], 2, ["broken_seed.toml:3", "seeds", "Invalid IPv6"]),
    (["crawl", "--plan", "long_seed.toml"], 2, ["long_seed.toml:3", "seeds", "2083"]),
    (
        ["crawl", "--plan", "bad_state.toml"],
        2,
        ["not_sqlite.sqlite", "not a SQLite", "[plan] state"],
    ),
    (["crawl", "--plan", "output_is_file.toml"], 2, ["a_file is a file", "--out"]),
    (["crawl", "--plan", "good.toml", "--site", "nope"], 2, ["no site 'nope'", "sites: x"]),
    (["crawl", "--plan", "good.toml", "http://127.0.0.1:9/"], 2, ["URLs or --plan"]),
    (["crawl", "--plan", "good.toml", "--crawl-id", "../../../x"], 2, ["--crawl-id", "'..'"]),
    # crawl with URLs
    (["crawl"], 2, ["at least one URL", "--plan"]),
    (["crawl", "http://[::1"], 2, ["Invalid IPv6", "http://[::1"]),
    (["crawl", "ftp://a.example/"], 2, ["http(s) URL", "ftp://a.example/"]),
    (["crawl", "http://127.0.0.1:99999/"], 2, ["not a valid URL", "99999"]),
    (["crawl", LONG_URL], 2, ["longer than 2083"]),
    (["crawl", "--crawl-id", "../../../x", "http://127.0.0.1:9/"], 2, ["--crawl-id", "'..'"]),
    (["crawl", "--crawl-id", "a/b", "http://127.0.0.1:9/"], 2, ["--crawl-id", "letters"]),
    (["crawl", "--crawl-id", "", "http://127.0.0.1:9/"], 2, ["--crawl-id", "letters"]),
    (["crawl", "--out", "a_file", "http://127.0.0.1:9/"], 2, ["a_file is a file", "--out"]),
    (["crawl", "--out", "a_file/sub", "http://127.0.0.1:9/"], 2, ["a_file is a file"]),
    (["crawl", "--max-pages", "ten", "http://127.0.0.1:9/"], 2, ["--max-pages", "'ten'"]),
    (["crawl", "--max-pages", "0", "http://127.0.0.1:9/"], 2, ["--max-pages", "at least 1"]),
    (["crawl", "-s", "DOWNLOAD_DELAY=inf", "http://127.0.0.1:9/"], 2, ["DOWNLOAD_DELAY", "finite"]),
    (["crawl", "-s", "DOWNLOAD_DELAY=nan", "http://127.0.0.1:9/"], 2, ["DOWNLOAD_DELAY", "finite"]),
    (["crawl", "-s", "DOWNLOAD_TIMEOUT=inf", "http://127.0.0.1:9/"], 2, ["DOWNLOAD_TIMEOUT"]),
    # a bad number or yes/no in any setting (Scrapy's or ours) before the crawl starts
    (["crawl", "-s", "DOWNLOAD_DELAY=abc", "http://127.0.0.1:9/"], 2, ["DOWNLOAD_DELAY", "'abc'"]),
    (
        ["crawl", "-s", "CONCURRENT_REQUESTS=many", "http://127.0.0.1:9/"],
        2,
        ["CONCURRENT_REQUESTS"],
    ),
    (
        ["crawl", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=two", "http://127.0.0.1:9/"],
        2,
        ["NEWSARCHIVE_EXTRACT_WORKERS", "'two'"],
    ),
    (["crawl", "-s", "ROBOTSTXT_OBEY=maybe", "http://127.0.0.1:9/"], 2, ["ROBOTSTXT_OBEY"]),
    (
        ["crawl", "-s", "NEWSARCHIVE_EXTRACT_TIMEOUT=two", "http://127.0.0.1:9/"],
        2,
        ["NEWSARCHIVE_EXTRACT_TIMEOUT", "'two'"],
    ),
    (["crawl", "-s", "USER_AGENT=x\r\nX-Forged: 1", "http://127.0.0.1:9/"], 2, ["USER_AGENT"]),
    (
        ["crawl", "-s", "USER_AGENT=a (+https://a.example/)\r\nX-Forged: 1", "http://127.0.0.1:9/"],
        2,
        ["USER_AGENT", "control character"],
    ),
    (["crawl", "-s", "USER_AGENT=Bot/1 (+http://)", "http://127.0.0.1:9/"], 2, ["no contact"]),
    (
        [
            "crawl",
            "-s",
            'DEFAULT_REQUEST_HEADERS={"X-A": "a\\nX-Forged: 1"}',
            "http://127.0.0.1:9/",
        ],
        2,
        ["DEFAULT_REQUEST_HEADERS", "control"],
    ),
    (["crawl", "-s", "DEFAULT_REQUEST_HEADERS=[1", "http://127.0.0.1:9/"], 2, ["JSON"]),
    (["crawl", "-s", "NOEQUALS", "http://127.0.0.1:9/"], 2, ["NAME=VALUE"]),
    (["crawl", "-s", "NEWSARCHIVE_CRAWL_ID=../x", "http://127.0.0.1:9/"], 2, ["--crawl-id"]),
    # plan check / show: a plan with problems is the documented exit 1
    (["plan", "check", "missing.toml"], 1, ["missing.toml", "No such file"]),
    (["plan", "check", "a_folder"], 1, ["a_folder", "Is a directory"]),
    (["plan", "check", "bad_toml.toml"], 1, ["bad_toml.toml:1", "TOML"]),
    (["plan", "check", "deep.toml"], 1, ["nested too deeply"]),
    (["plan", "check", "inf_delay.toml"], 1, ["politeness.delay", "finite"]),
    (["plan", "check", "long_seed.toml"], 1, ["seeds", "2083"]),
    (["plan", "show", "good.toml", "--site", "nope"], 2, ["no site 'nope'"]),
    (["plan", "lint", "good.toml"], 2, ["invalid choice", "check"]),
    # schedule
    (["schedule", "--plan", "missing.toml"], 2, ["missing.toml", "No such file"]),
    (["schedule", "--plan", "inf_delay.toml"], 2, ["inf_delay.toml:5", "finite"]),
    (["schedule", "--plan", "bad_state.toml", "--run"], 2, ["not_sqlite.sqlite", "not a SQLite"]),
    (["schedule", "--plan", "good.toml", "--poll", "inf"], 2, ["--poll", "finite"]),
    (["schedule", "--plan", "good.toml", "--poll", "nan"], 2, ["--poll", "finite"]),
    (["schedule", "--plan", "good.toml", "--next", "x"], 2, ["--next", "'x'"]),
    # other commands
    (["crawl-finish", "../x", "--redis", "redis://127.0.0.1:9"], 2, ["ID", "'..'"]),
    (
        ["crawl-finish", "x", "--redis", "redis://127.0.0.1:9", "--stale-after", "inf"],
        2,
        ["finite"],
    ),
    (["reextract", "a_folder", "--jobs", "x"], 2, ["--jobs", "'x'"]),
    (["reextract", "a_folder", "--min-probability", "nan"], 2, ["--min-probability", "finite"]),
    (["serve", "--port", "99999"], 2, ["--port", "0-65535"]),
    (["serve", "--port", "http"], 2, ["--port", "'http'"]),
    (["redis", "--port", "-1"], 2, ["--port", "0-65535"]),
    (["demo", "--crawl-id", "../x"], 2, ["--crawl-id", "'..'"]),
    (["export", "missing_folder", "--out", "x.parquet"], 2, ["missing_folder"]),
    (["warc", "check", "missing.warc.gz"], 2, ["missing.warc.gz"]),
    # a folder holding no WARC file is a mistyped path, not an empty archive
    (["reextract", "a_folder"], 2, ["no WARC files", "a_folder"]),
    (["warc", "check", "a_folder"], 2, ["no WARC files", "a_folder"]),
    (["warc", "index", "a_folder"], 2, ["no WARC files", "a_folder"]),
    (
        ["fixture", "add", "missing.html", "--url", "http://127.0.0.1:9/", "--name", "n"],
        2,
        ["missing"],
    ),
]


@pytest.mark.parametrize(
    ("argv", "code", "words"),
    BAD_INVOCATIONS,
    ids=[" ".join(a)[:60] for a, _, _ in BAD_INVOCATIONS],
)
def test_bad_input_is_one_line_without_traceback(
    files: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, words: list[str]
) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse
        status = exc.code
    err = capsys.readouterr().err
    assert status == code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]
    assert not (files / "out").exists() or not any((files / "out").iterdir())


def test_a_bug_keeps_its_traceback_and_asks_for_a_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only input errors become one line: a defect must stay visible and reportable."""
    import newsarchive.commands.schema as schema_command

    def broken(args: object) -> int:
        return {}["missing"]  # a KeyError from a programming mistake

    monkeypatch.setattr(schema_command, "run", broken)
    assert main(["schema", "--markdown"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError" in err
    assert "this is a bug, please report it" in err.strip().splitlines()[-1]


def test_no_crawl_folder_is_created_outside_the_output_tree(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    escape = files / "out" / "a" / "b"
    escape.mkdir(parents=True)
    with pytest.raises(SystemExit):
        main(["crawl", "--out", str(escape), "--crawl-id", "../../../x", "http://127.0.0.1:9/"])
    assert not (files / "x").exists() and not (files / "out" / "x").exists()
    assert sys.exc_info() == (None, None, None)
