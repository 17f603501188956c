"""Schedules fire when `schedule --next` says: checked against croniter, systemd and cron's rules.

The crontab and the systemd timers are run by other programs, so the proof is to ask
them (or a reference implementation) and compare instants, not to read our strings.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsarchive.cron import CronExpression
from newsarchive.plan import Plan, Site, parse_plan
from newsarchive.schedule import (
    Scheduler,
    SubprocessLauncher,
    on_calendar,
    run_due,
    upcoming,
)

croniter = pytest.importorskip("croniter").croniter

NEWSARCHIVE = [sys.executable, "-m", "newsarchive"]
BASES = [
    datetime(2024, 2, 28, 23, 59, tzinfo=UTC),
    datetime(2025, 12, 31, 10, 7, tzinfo=UTC),
]
NAMES = {3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]}
DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
LIMITS = [(0, 59), (0, 23), (1, 28), (1, 12), (0, 6)]  # days to 28: every month has them


def _random_field(rng: random.Random, index: int) -> str:
    low, high = LIMITS[index]
    kind = rng.choice(["*", "value", "range", "step", "list", "range-step"])
    if kind == "*":
        return "*"
    if kind == "value":
        value = rng.randint(low, high)
        if index == 4 and rng.random() < 0.3:
            return DAY_NAMES[value]
        if index == 3 and rng.random() < 0.3:
            return NAMES[3][value - 1]
        return str(value)
    if kind == "step":
        return f"*/{rng.randint(2, max(2, (high - low) // 2))}"
    first = rng.randint(low, high - 1)
    last = rng.randint(first + 1, high)  # croniter misreads one-value ranges with a step
    if kind == "range":
        return f"{first}-{last}"
    if kind == "range-step":
        return f"{first}-{last}/{rng.randint(1, 4)}"
    values = sorted(rng.sample(range(low, high + 1), rng.randint(2, 4)))
    return ",".join(str(v) for v in values)


def _generated(count: int, seed: int = 20261207) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(_random_field(rng, i) for i in range(5)) for _ in range(count)]


def _cron_and_croniter_agree_on_day_rule(expression: str) -> bool:
    """croniter ORs the day fields even when one starts with '*' ('*/2'); cron(8) ANDs them.

    That one documented divergence is checked against cron(8)'s rule in its own test.
    """
    day, weekday = expression.split()[2], expression.split()[4]
    starred_step = (day.startswith("*/") and weekday != "*") or (
        weekday.startswith("*/") and day != "*"
    )
    return not starred_step


def test_next_times_equal_croniter_on_a_large_generated_set() -> None:
    checked = 0
    for expression in _generated(1500):
        if not _cron_and_croniter_agree_on_day_rule(expression):
            continue
        ours = CronExpression.parse(expression)
        for base in BASES:
            reference = croniter(expression, base)
            expected = [reference.get_next(datetime) for _ in range(4)]
            assert ours.next_times(base, 4) == expected, (expression, base)
        checked += 1
    assert checked > 1000


def _cron8_matches(expression: str, moment: datetime) -> bool:
    """cron(8)'s day rule, written from its manual: a field starting with '*' is unrestricted."""
    cron = CronExpression.parse(expression)
    fields = expression.split()
    in_day = moment.day in cron.days
    in_weekday = moment.isoweekday() % 7 in cron.weekdays
    either = not fields[2].startswith("*") and not fields[4].startswith("*")
    day_ok = (in_day or in_weekday) if either else (in_day and in_weekday)
    in_time = moment.hour in cron.hours and moment.minute in cron.minutes
    return day_ok and in_time and moment.month in cron.months


@pytest.mark.parametrize(
    "expression",
    ["0 0 */2 * mon", "15 3 */10 * 1-5", "0 12 13 * */2", "* 16-16/4 28-28/1 2 0,1,5,6"],
)
def test_starred_step_day_fields_follow_cron8(expression: str) -> None:
    cron = CronExpression.parse(expression)
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    matches = []
    while len(matches) < 6:
        if _cron8_matches(expression, moment):
            matches.append(moment)
        moment += timedelta(minutes=1) if moment.hour in cron.hours else timedelta(hours=1)
    assert cron.next_times(datetime(2023, 12, 31, 23, 59, tzinfo=UTC), 6) == matches


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
TIMER_EXPRESSIONS = [
    "0 0 */2 * *",  # every 2nd day: once rendered as a daily timer
    "30 6 */10 * *",
    "0 0 */2 * mon",
    "0 0 13 * fri",
    "15,45 */4 * * 1-5",
    "0 12 1 */3 *",
    "5 4 * jan,jul 7",
    "@weekly",
    "0 0 1-7 * mon",
    "0 9-17/4 * * *",
]


def _systemd_next(value: str, base: datetime, count: int) -> list[datetime]:
    result = subprocess.run(
        [
            str(SYSTEMD_ANALYZE),
            "calendar",
            f"--iterations={count}",
            f"--base-time={base.strftime('%Y-%m-%d %H:%M:%S')} UTC",
            value,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    times = []
    for line in result.stdout.splitlines():
        label, _, rest = line.strip().partition(": ")
        if label == "Next elapse" or label.startswith("Iter."):
            stamp = " ".join(rest.split()[1:3])  # "Mon 2024-06-03 00:00:00 UTC"
            times.append(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC))
    return times


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("expression", TIMER_EXPRESSIONS)
def test_systemd_timers_fire_when_next_says(expression: str) -> None:
    cron = CronExpression.parse(expression)
    base = datetime(2024, 5, 1, 10, 7, tzinfo=UTC)
    count = 12
    fired: set[datetime] = set()
    for value in on_calendar(cron):
        fired |= set(_systemd_next(value, base, count))
    assert sorted(fired)[:count] == cron.next_times(base, count), on_calendar(cron)


PLAN = """\
[plan]
name = "papers"
[[sites]]
name = "daily"
seeds = ["https://daily.example/"]
schedule = "0 */6 * * *"
[[sites]]
name = "odd-days"
seeds = ["https://odd.example/"]
schedule = "30 2 */2 * *"
"""


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    path = tmp_path / "papers.toml"
    path.write_text(PLAN)
    return parse_plan(PLAN, path)


class MinuteClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


class Done:
    def poll(self) -> int:
        return 0


def test_per_minute_ticks_start_each_site_at_its_next_times(plan: Plan) -> None:
    """What cron does with the crontab line: a new `--tick` process every minute."""
    start = datetime(2024, 5, 1, 10, 7, tzinfo=UTC)
    clock = MinuteClock(start)
    started: list[tuple[str, datetime]] = []

    def launcher(site: Site) -> Done:  # what SubprocessLauncher does, minus the process
        started.append((site.name, clock.now()))
        return Done()

    end = start + timedelta(days=5)
    while clock.moment < end:
        assert run_due(Scheduler(plan, launcher, clock)) == 0  # a fresh process each minute
        clock.moment += timedelta(minutes=1)
    expected = upcoming(plan, start, 40)
    for name in ("daily", "odd-days"):
        times = [t for site, t in started if site == name]
        assert times == [t for t in expected[name] if t < end], name


def test_each_scheduled_crawl_writes_its_own_log_beside_the_state(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive import schedule

    monkeypatch.setattr(
        schedule,
        "crawl_command",
        lambda plan_, site: [sys.executable, "-c", f"print('crawl of {site.name}')"],
    )
    clock = MinuteClock(datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    crawl = SubprocessLauncher(plan, clock)(plan.site("daily"))
    assert crawl.wait(timeout=60) == 0  # type: ignore[attr-defined]
    log = plan.state_path.parent / "logs" / "papers-daily-20240501T120000Z.log"
    assert log.read_text().strip() == "crawl of daily"


def test_launch_of_an_unknown_site_is_one_line(plan: Plan) -> None:
    result = subprocess.run(
        [*NEWSARCHIVE, "schedule", "--plan", str(plan.path), "--launch", "nosuch"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no site 'nosuch' (sites: daily, odd-days)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
