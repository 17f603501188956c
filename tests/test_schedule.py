"""Cron parsing, crontab/systemd output and the foreground scheduler with an injected clock."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsarchive.cron import CronError, CronExpression
from newsarchive.plan import Plan, Site, parse_plan
from newsarchive.schedule import (
    Scheduler,
    crontab_lines,
    lock_path,
    locked_command,
    on_calendar,
    systemd_units,
    upcoming,
)
from newsarchive.state import CrawlState

T0 = datetime(2024, 5, 1, 10, 7, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("*/15 * * * *", ["2024-05-01 10:15", "2024-05-01 10:30", "2024-05-01 10:45"]),
        ("0 */6 * * *", ["2024-05-01 12:00", "2024-05-01 18:00", "2024-05-02 00:00"]),
        ("30 2 * * mon-fri", ["2024-05-02 02:30", "2024-05-03 02:30", "2024-05-06 02:30"]),
        ("0 0 29 2 *", ["2028-02-29 00:00", "2032-02-29 00:00", "2036-02-29 00:00"]),
        # Both day fields restricted: either matches (the 13th or any Friday).
        ("0 0 13 * fri", ["2024-05-03 00:00", "2024-05-10 00:00", "2024-05-13 00:00"]),
        ("5 4 * JAN,jul 7", ["2024-07-07 04:05", "2024-07-14 04:05", "2024-07-21 04:05"]),
        ("0 9-17/4 * * *", ["2024-05-01 13:00", "2024-05-01 17:00", "2024-05-02 09:00"]),
        ("10,20 8 1 * *", ["2024-06-01 08:10", "2024-06-01 08:20", "2024-07-01 08:10"]),
        ("@daily", ["2024-05-02 00:00", "2024-05-03 00:00", "2024-05-04 00:00"]),
        ("58/1 23 31 12 *", ["2024-12-31 23:58", "2024-12-31 23:59", "2025-12-31 23:58"]),
    ],
)
def test_next_times(expression: str, expected: list[str]) -> None:
    times = CronExpression.parse(expression).next_times(T0, 3)
    assert [t.strftime("%Y-%m-%d %H:%M") for t in times] == expected


@pytest.mark.parametrize(
    "expression", ["*/15 * * * *", "0 0 13 * fri", "0 0 29 2 *", "30 2 * * mon-fri", "0 0 1 1 *"]
)
def test_previous_is_consistent_with_next(expression: str) -> None:
    cron = CronExpression.parse(expression)
    previous = cron.previous_at_or_before(T0)
    assert previous <= T0 and cron.matches(previous)
    assert cron.next_after(previous) > T0


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "expected 5 fields"),
        ("60 * * * *", "minute: 60 is outside 0-59"),
        ("* 24 * * *", "hour: 24 is outside 0-23"),
        ("* * 0 * *", "day of month: 0 is outside 1-31"),
        ("* * * foo *", "month: 'foo' is not a number"),
        ("*/0 * * * *", "minute: step '0' must be a positive number"),
        ("5-1 * * * *", "range '5-1' runs backwards"),
        ("1,,2 * * * *", "minute: '' is not a number"),
    ],
)
def test_bad_expressions(expression: str, message: str) -> None:
    with pytest.raises(CronError, match=message.replace("(", r"\(")):
        CronExpression.parse(expression)


def test_impossible_date_never_matches() -> None:
    with pytest.raises(CronError, match="never matches"):
        CronExpression.parse("0 0 30 2 *").next_after(T0)


PLAN = """\
[plan]
name = "papers"
[[sites]]
name = "daily"
seeds = ["https://daily.example/"]
schedule = "0 */6 * * *"
[[sites]]
name = "weekly"
seeds = ["https://weekly.example/"]
schedule = "30 2 * * mon"
[[sites]]
name = "manual"
seeds = ["https://manual.example/"]
"""


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    path = tmp_path / "papers.toml"
    path.write_text(PLAN)
    return parse_plan(PLAN, path)


def test_upcoming(plan: Plan) -> None:
    runs = upcoming(plan, T0, 2)
    assert runs["daily"] == [T0.replace(hour=12, minute=0), T0.replace(hour=18, minute=0)]
    assert runs["weekly"][0] == datetime(2024, 5, 6, 2, 30, tzinfo=UTC)
    assert runs["manual"] == []


def test_crontab_is_one_per_minute_check_under_the_plan_flock(plan: Plan, tmp_path: Path) -> None:
    """No CRON_TZ (Debian's cron ignores it): one line asks every minute what is due in UTC."""
    lines = crontab_lines(plan)
    assert not any(line.startswith("CRON_TZ") for line in lines)
    jobs = [line for line in lines if not line.startswith("#")]
    assert len(jobs) == 1
    lock = str(tmp_path / "state" / "papers.lock")
    assert jobs[0].startswith(f"* * * * * {shutil.which('flock') or '/usr/bin/flock'} -n -E 75 ")
    assert f" {lock} " in jobs[0]
    assert f"schedule --plan {tmp_path / 'papers.toml'} --tick >> " in jobs[0]
    assert jobs[0].endswith(f"{tmp_path / 'state' / 'logs' / 'schedule.log'} 2>&1")
    assert "#   site daily: 0 */6 * * *" in lines
    assert "#   site manual: no schedule" in lines


def test_systemd_units(plan: Plan) -> None:
    units = systemd_units(plan)
    assert sorted(units) == [
        "newsarchive-papers-daily.service",
        "newsarchive-papers-daily.timer",
        "newsarchive-papers-weekly.service",
        "newsarchive-papers-weekly.timer",
    ]
    assert "OnCalendar=*-*-* 00,06,12,18:00:00 UTC" in units["newsarchive-papers-daily.timer"]
    assert "OnCalendar=Mon *-*-* 02:30:00 UTC" in units["newsarchive-papers-weekly.timer"]
    assert "Persistent=true" in units["newsarchive-papers-weekly.timer"]
    service = units["newsarchive-papers-daily.service"]
    assert "ExecStart=" in service and "SuccessExitStatus=75" in service
    assert service.split("ExecStart=")[1].split("\n")[0].endswith("--launch daily")


def test_on_calendar_or_semantics() -> None:
    assert on_calendar(CronExpression.parse("0 0 13 * fri")) == [
        "*-*-13 00:00:00 UTC",
        "Fri *-*-* 00:00:00 UTC",
    ]


# --------------------------------------------------------------------------- the scheduler loop


class FakeClock:
    """Time moves only when the scheduler sleeps."""

    def __init__(self, start: datetime) -> None:
        self.moment = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.moment += timedelta(seconds=seconds)


class FakeCrawl:
    def __init__(self, clock: FakeClock, duration: timedelta) -> None:
        self.ends = clock.now() + duration
        self.clock = clock

    def poll(self) -> int | None:
        return 0 if self.clock.now() >= self.ends else None


class FakeLauncher:
    def __init__(self, clock: FakeClock, duration: timedelta = timedelta(minutes=20)) -> None:
        self.clock = clock
        self.duration = duration
        self.started: list[tuple[str, datetime]] = []

    def __call__(self, site: Site) -> FakeCrawl:
        self.started.append((site.name, self.clock.now()))
        return FakeCrawl(self.clock, self.duration)


def _scheduler(plan: Plan, clock: FakeClock, launcher: FakeLauncher) -> Scheduler:
    return Scheduler(plan, launcher, clock, poll_seconds=60)


def test_scheduler_starts_sites_at_their_times(plan: Plan) -> None:
    clock = FakeClock(datetime(2024, 5, 5, 23, 0, tzinfo=UTC))  # a Sunday
    launcher = FakeLauncher(clock)
    _scheduler(plan, clock, launcher).run(until=datetime(2024, 5, 6, 13, 0, tzinfo=UTC))
    assert [(name, t.strftime("%d %H:%M")) for name, t in launcher.started] == [
        ("daily", "06 00:00"),
        ("weekly", "06 02:30"),
        ("daily", "06 06:00"),
        ("daily", "06 12:00"),
    ]
    assert sum(clock.slept) >= 14 * 3600 - 60  # it really slept (fake time), never busy-looped
    assert len(clock.slept) < 200


def test_no_overlap_a_slot_during_a_long_crawl_runs_once_after_it(plan: Plan) -> None:
    clock = FakeClock(datetime(2024, 5, 1, 0, 30, tzinfo=UTC))
    launcher = FakeLauncher(clock, duration=timedelta(hours=13))
    _scheduler(plan, clock, launcher).run(until=datetime(2024, 5, 2, 3, 0, tzinfo=UTC))
    daily = [t for name, t in launcher.started if name == "daily"]
    # 06:00 starts a 13 h crawl; 12:00 and 18:00 fall inside it: one run when it ends at 19:00,
    # which runs until 08:00 next day, past the until.
    assert [t.strftime("%d %H:%M") for t in daily] == ["01 06:00", "01 19:00"]


def test_missed_runs_during_downtime_run_once_on_restart(plan: Plan) -> None:
    clock = FakeClock(datetime(2024, 5, 1, 5, 0, tzinfo=UTC))
    launcher = FakeLauncher(clock, duration=timedelta(minutes=5))
    _scheduler(plan, clock, launcher).run(until=datetime(2024, 5, 1, 7, 0, tzinfo=UTC))
    assert [t.strftime("%d %H:%M") for _, t in launcher.started] == ["01 06:00"]
    # Down for three days: 12 daily slots and the Monday slot were missed.
    clock.moment = datetime(2024, 5, 4, 7, 3, tzinfo=UTC)
    restarted = FakeLauncher(clock, duration=timedelta(minutes=5))
    scheduler = _scheduler(plan, clock, restarted)
    assert scheduler.tick() == ["daily"]  # once, not twelve times
    assert scheduler.tick() == []
    with CrawlState(plan.state_path) as state:
        assert state.last_slot("daily") == datetime(2024, 5, 4, 6, 0, tzinfo=UTC)


def test_first_start_runs_nothing_from_the_past(plan: Plan) -> None:
    clock = FakeClock(datetime(2024, 5, 1, 6, 30, tzinfo=UTC))
    launcher = FakeLauncher(clock)
    scheduler = _scheduler(plan, clock, launcher)
    assert scheduler.tick() == []
    clock.moment = datetime(2024, 5, 1, 12, 0, 5, tzinfo=UTC)
    assert scheduler.tick() == ["daily"]


def test_a_launch_failure_is_logged_not_fatal(plan: Plan, caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(datetime(2024, 5, 1, 5, 0, tzinfo=UTC))

    def broken(site: Site) -> FakeCrawl:
        raise OSError("no such program")

    scheduler = Scheduler(plan, broken, clock)
    scheduler.tick()
    clock.moment = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    assert scheduler.tick() == []
    assert "cannot start crawl: no such program" in caplog.text


def test_plan_without_schedules_is_refused(tmp_path: Path) -> None:
    source = '[[sites]]\nname = "a"\nseeds = ["https://a.example/"]\n'
    plan = parse_plan(source, tmp_path / "p.toml")
    with pytest.raises(ValueError, match="no site with a schedule"):
        Scheduler(plan, FakeLauncher(FakeClock(T0))).run(until=T0)


def test_schedule_command(plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    from newsarchive.cli import main

    assert main(["schedule", "--plan", str(plan.path), "--next", "2"]) == 0
    out = capsys.readouterr().out
    assert "daily (0 */6 * * *, UTC):" in out and "manual: no schedule" in out
    assert main(["schedule", "--plan", str(plan.path), "--crontab"]) == 0
    assert "flock -n" in capsys.readouterr().out
    assert main(["schedule", "--plan", str(plan.path), "--systemd"]) == 0
    assert "# ---- newsarchive-papers-daily.timer" in capsys.readouterr().out


def test_locked_command_skips_when_the_plan_lock_is_held(plan: Plan) -> None:
    command = locked_command(plan, plan.site("daily"))
    flock_part = command[: command.index(sys.executable)]  # flock, its options and the lock
    lock_path(plan).parent.mkdir(parents=True)
    assert subprocess.run([*flock_part, "true"]).returncode == 0
    holder = subprocess.Popen([flock_part[0], flock_part[-1], "sleep", "10"])
    try:
        for _ in range(100):
            second = subprocess.run([*flock_part, "true"])
            if second.returncode == 75:
                break
            time.sleep(0.02)
        assert second.returncode == 75  # the overlapping run is skipped, not queued
    finally:
        holder.kill()
        holder.wait()


def test_subprocess_launcher_starts_the_crawl_command(plan: Plan, monkeypatch) -> None:
    from newsarchive import schedule

    started: list[list[str]] = []
    real_command = schedule.crawl_command

    def fake_command(plan_: Plan, site: Site) -> list[str]:
        """Record the real command, run a stand-in that exits 3 (no crawl in this test)."""
        started.append(real_command(plan_, site))
        return [sys.executable, "-c", "raise SystemExit(3)"]

    monkeypatch.setattr(schedule, "crawl_command", fake_command)
    crawl = schedule.SubprocessLauncher(plan)(plan.site("daily"))
    assert crawl.wait(timeout=30) == 3  # type: ignore[attr-defined]
    assert started[0][1:] == [
        "-m",
        "newsarchive",
        "crawl",
        "--plan",
        str(plan.path.resolve()),
        "--site",
        "daily",
    ]


def test_a_locked_state_database_is_retried_not_fatal(
    plan: Plan, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    clock = FakeClock(datetime(2024, 5, 1, 5, 0, tzinfo=UTC))
    launcher = FakeLauncher(clock)
    scheduler = _scheduler(plan, clock, launcher)
    scheduler.tick()  # baseline
    clock.moment = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    real_factory = scheduler.state_factory

    def locked() -> CrawlState:
        raise sqlite3.OperationalError("database is locked")

    scheduler.state_factory = locked
    assert scheduler.tick() == []
    assert "not usable now (database is locked)" in caplog.text
    scheduler.state_factory = real_factory
    assert scheduler.tick() == ["daily"]
