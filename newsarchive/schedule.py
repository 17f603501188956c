"""When each site of a plan is crawled: crontab/systemd output and a scheduler loop.

A site's ``schedule`` is a cron expression (:mod:`newsarchive.cron`). Times are
UTC: systemd timers say ``UTC``; Debian's cron ignores ``CRON_TZ`` and reads crontab
times in the machine's local time, so the crontab holds one line that asks every
minute which sites are due in UTC (:func:`run_due`), the way the foreground
scheduler decides.

Every crawl a schedule starts writes its output to its own log file beside the
plan's state (:func:`log_dir`).

The foreground scheduler (:class:`Scheduler`) starts ``newsarchive crawl``
for a site when it is due, never runs two crawls of one site at once, and
after downtime runs a missed crawl once, not once per missed slot: the last
scheduled slot that was handled is kept in the crawl-state database.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from newsarchive.cron import CRON_FIELDS, CronExpression, CronField
from newsarchive.plan import Plan, Site
from newsarchive.state import CrawlState, StateError

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- a plan's schedule


def site_cron(site: Site) -> CronExpression | None:
    return CronExpression.parse(site.schedule) if site.schedule else None


def upcoming(plan: Plan, now: datetime, count: int) -> dict[str, list[datetime]]:
    """Each scheduled site's next ``count`` run times after ``now`` (unscheduled: empty)."""
    out: dict[str, list[datetime]] = {}
    for site in plan.sites:
        cron = site_cron(site)
        out[site.name] = cron.next_times(now, count) if cron else []
    return out


def lock_path(plan: Plan) -> Path:
    """One lock file per plan: ``flock -n`` on it keeps runs of one plan from overlapping."""
    return plan.state_path.with_name(f"{plan.name}.lock")


def crawl_command(plan: Plan, site: Site) -> list[str]:
    """The command that crawls one site of the plan (absolute paths: cron has no cwd)."""
    return [
        sys.executable,
        "-m",
        "newsarchive",
        "crawl",
        "--plan",
        str(plan.path.resolve()),
        "--site",
        site.name,
    ]


def locked_command(plan: Plan, site: Site) -> list[str]:
    """:func:`crawl_command` under ``flock -n``; a run finding the lock taken exits 75 (skipped)."""
    flock = shutil.which("flock") or "/usr/bin/flock"
    return [
        flock,
        "-n",
        "-E",
        str(LOCK_TAKEN_EXIT),
        str(lock_path(plan).resolve()),
        *crawl_command(plan, site),
    ]


LOCK_TAKEN_EXIT = 75  # EX_TEMPFAIL: the plan (cron) or site (a crawl) was busy: run skipped


def launch_command(plan: Plan, site: Site) -> list[str]:
    """``schedule --launch SITE``: systemd's unit command.

    It goes through :class:`SubprocessLauncher` like every scheduled run, so the
    crawl's output lands in its log file too (journald keeps only the launcher's lines).
    No plan-wide ``flock``: sites sharing a schedule have timers firing at once, and all
    but the first unit would skip. The crawl holds its site's lock
    (:mod:`newsarchive.sitelock`) and exits 75 while that site is still being crawled.
    """
    return [*tick_command(plan), "--launch", site.name]


def tick_command(plan: Plan) -> list[str]:
    """The command that starts every site of the plan that is due now (UTC)."""
    return [sys.executable, "-m", "newsarchive", "schedule", "--plan", str(plan.path.resolve())]


def crontab_lines(plan: Plan) -> list[str]:
    """crontab(5) lines for the plan: one per-minute check that starts the sites due in UTC.

    A line per site with the plan's times would fire at the machine's local time on
    Debian, whose cron ignores ``CRON_TZ``; the per-minute check is right in any zone,
    across daylight-saving changes, and runs a slot missed while busy once.
    """
    flock = shutil.which("flock") or "/usr/bin/flock"
    lock = str(lock_path(plan).resolve())
    command = [flock, "-n", "-E", str(LOCK_TAKEN_EXIT), lock, *tick_command(plan), "--tick"]
    log_file = log_dir(plan).resolve() / "schedule.log"
    lines = [
        f"# newsarchive plan {plan.name} ({plan.path.resolve()}); schedules in UTC:",
    ]
    for site in plan.sites:
        lines.append(f"#   site {site.name}: {site.schedule or 'no schedule'}")
    lines += [
        "# Every minute: start the sites due now (UTC), each crawl logging to its own file in",
        f"# {log_dir(plan).resolve()}; flock -n skips the check while a crawl of the plan runs.",
        f"* * * * * {shlex.join(command)} >> {shlex.quote(str(log_file))} 2>&1",
    ]
    return lines


def _calendar_list(values: frozenset[int], spec: CronField, width: int = 2) -> str:
    if values == frozenset(range(spec.low, spec.high + 1)):
        return "*"
    return ",".join(f"{v:0{width}d}" for v in sorted(values))


_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


def on_calendar(cron: CronExpression) -> list[str]:
    """systemd ``OnCalendar=`` values firing at the same instants as a cron expression.

    Two values when cron ORs the day fields (both restricted); otherwise one, with the
    day-of-month values listed even when the field starts with ``*`` (``*/2``).
    """
    minute_field, hour_field, day_field, month_field, _ = CRON_FIELDS
    time_part = (
        f"{_calendar_list(cron.hours, hour_field)}:{_calendar_list(cron.minutes, minute_field)}:00"
    )
    months = _calendar_list(cron.months, month_field)
    days = _calendar_list(cron.days, day_field)
    all_weekdays = len(cron.weekdays) == 7
    weekdays = ",".join(_SYSTEMD_DAYS[d] for d in sorted(cron.weekdays))
    if cron.days_restricted and cron.weekdays_restricted:
        return [f"*-{months}-{days} {time_part} UTC", f"{weekdays} *-{months}-* {time_part} UTC"]
    prefix = "" if all_weekdays else f"{weekdays} "
    return [f"{prefix}*-{months}-{days} {time_part} UTC"]


def unit_name(plan: Plan, site: Site) -> str:
    return f"newsarchive-{plan.name}-{site.name}"


def systemd_units(plan: Plan) -> dict[str, str]:
    """File name -> contents of a ``.service`` and a ``.timer`` for every scheduled site."""
    units: dict[str, str] = {}
    workdir = plan.path.resolve().parent
    for site in plan.sites:
        cron = site_cron(site)
        if cron is None:
            continue
        name = unit_name(plan, site)
        units[f"{name}.service"] = "\n".join(
            [
                "[Unit]",
                f"Description=newsarchive crawl of site {site.name} (plan {plan.name})",
                "Wants=network-online.target",
                "After=network-online.target",
                "",
                "[Service]",
                "Type=oneshot",
                f"WorkingDirectory={workdir}",
                f"ExecStart={shlex.join(launch_command(plan, site))}",
                f"SuccessExitStatus={LOCK_TAKEN_EXIT}",
                "Nice=10",
                "",
            ]
        )
        timer = [
            "[Unit]",
            f"Description=When to crawl {site.name} (plan {plan.name})",
            "",
            "[Timer]",
        ]
        timer += [f"OnCalendar={value}" for value in on_calendar(cron)]
        timer += [
            "# A run missed while the machine was off runs once when it is back.",
            "Persistent=true",
            f"Unit={name}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]
        units[f"{name}.timer"] = "\n".join(timer)
    return units


# --------------------------------------------------------------------------- foreground scheduler


class Clock(Protocol):
    """Time for the scheduler; tests inject a fake one so nothing really waits."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class RunningCrawl(Protocol):
    """A started crawl; ``poll()`` gives its exit code once it has ended (like Popen)."""

    def poll(self) -> int | None: ...


Launcher = Callable[[Site], RunningCrawl]


def log_dir(plan: Plan) -> Path:
    """Where scheduled crawls write their output: ``logs/`` beside the plan's state file."""
    return plan.state_path.parent / "logs"


def run_log_path(plan: Plan, site: Site, started: datetime) -> Path:
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return log_dir(plan) / f"{plan.name}-{site.name}-{stamp}.log"


class SubprocessLauncher:
    """Starts ``newsarchive crawl --plan FILE --site NAME`` as a child process.

    Its output goes to a log file of its own (:func:`run_log_path`): cron mails or drops
    what a job prints, and a crawl's log is what an archivist reads after a failed night.
    """

    def __init__(self, plan: Plan, clock: Clock | None = None) -> None:
        self.plan = plan
        self.clock = clock or SystemClock()

    def __call__(self, site: Site) -> RunningCrawl:
        command = crawl_command(self.plan, site)
        path = run_log_path(self.plan, site, self.clock.now())
        path.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting %s (log: %s)", shlex.join(command), path)
        with open(path, "ab") as output:
            return subprocess.Popen(
                command,
                cwd=self.plan.path.resolve().parent,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )


class Scheduler:
    """Starts each site's crawl when its cron time comes, one run per site at a time.

    The last slot handled per site is stored in the crawl state, so after a
    restart every site whose slots passed during the downtime runs once (for
    its latest missed slot). A slot that comes while the site's previous crawl
    is still running waits for it to end and then runs once. On the very first
    start nothing from the past is run.
    """

    def __init__(
        self,
        plan: Plan,
        launcher: Launcher,
        clock: Clock | None = None,
        state_factory: Callable[[], CrawlState] | None = None,
        poll_seconds: float = 30.0,
    ) -> None:
        self.plan = plan
        self.launcher = launcher
        self.clock = clock or SystemClock()
        self.state_factory = state_factory or self._open_state
        self.poll_seconds = poll_seconds
        self.crons = {site.name: cron for site in plan.sites if (cron := site_cron(site))}
        self.running: dict[str, RunningCrawl] = {}
        self._deferred: set[str] = set()

    def _open_state(self) -> CrawlState:
        return CrawlState(self.plan.state_path)

    def reap(self) -> None:
        """Forget crawls that ended, logging their exit codes."""
        for name, crawl in list(self.running.items()):
            code = crawl.poll()
            if code is not None:
                del self.running[name]
                level = logging.INFO if code in (0, LOCK_TAKEN_EXIT) else logging.ERROR
                log.log(level, "site %s: crawl ended with exit code %s", name, code)

    def tick(self) -> list[str]:
        """Start every site that is due now; returns the names started.

        A busy or unreadable state database is logged and tried again at the
        next tick, never fatal: the scheduler must outlive a crawl holding a lock.
        """
        self.reap()
        started: list[str] = []
        try:
            self._start_due(started)
        except (sqlite3.OperationalError, StateError) as exc:
            log.warning(
                "crawl state %s not usable now (%s); trying again at the next check",
                self.plan.state_path,
                exc,
            )
        return started

    def _start_due(self, started: list[str]) -> None:
        now = self.clock.now()
        with self.state_factory() as state:
            for site in self.plan.sites:
                cron = self.crons.get(site.name)
                if cron is None:
                    continue
                last = state.last_slot(site.name)
                if last is None:  # first start: the schedule begins now
                    state.set_last_slot(site.name, cron.previous_at_or_before(now))
                    continue
                due = cron.previous_at_or_before(now)
                if due <= last:
                    continue
                if site.name in self.running:
                    if site.name not in self._deferred:
                        log.warning(
                            "site %s: due at %s but still running; will run once it ends",
                            site.name,
                            due.isoformat(),
                        )
                        self._deferred.add(site.name)
                    continue
                self._deferred.discard(site.name)
                state.set_last_slot(site.name, due)
                try:
                    self.running[site.name] = self.launcher(site)
                except OSError as exc:
                    log.error("site %s: cannot start crawl: %s", site.name, exc)
                    continue
                started.append(site.name)

    def seconds_to_next_event(self) -> float:
        """Sleep until the next slot, but wake every ``poll_seconds`` while crawls run."""
        now = self.clock.now()
        nexts = [cron.next_after(now) for cron in self.crons.values()]
        wait = min(((t - now).total_seconds() for t in nexts), default=self.poll_seconds)
        if self.running:
            wait = min(wait, self.poll_seconds)
        return max(1.0, min(wait, 3600.0))

    def run(self, until: datetime | None = None) -> None:
        """Loop forever (or until the clock passes ``until``: used by tests)."""
        if not self.crons:
            raise ValueError(f"plan {self.plan.path} has no site with a schedule")
        log.info(
            "scheduler for plan %s: %s",
            self.plan.name,
            ", ".join(f"{n} ({c.text})" for n, c in self.crons.items()),
        )
        while until is None or self.clock.now() < until:
            self.tick()
            self.clock.sleep(self.seconds_to_next_event())


def wait_for(crawls: dict[str, RunningCrawl], clock: Clock, poll_seconds: float = 2.0) -> int:
    """Wait until every crawl ended; the exit code is 0, or the first failing crawl's."""
    worst = 0
    pending = dict(crawls)
    while pending:
        for name, crawl in list(pending.items()):
            code = crawl.poll()
            if code is None:
                continue
            del pending[name]
            level = logging.INFO if code == 0 else logging.ERROR
            log.log(level, "site %s: crawl ended with exit code %s", name, code)
            worst = worst or code
        if pending:
            clock.sleep(poll_seconds)
    return worst


def run_due(scheduler: Scheduler, poll_seconds: float = 2.0) -> int:
    """One check of the schedule (cron's per-minute line): start what is due, wait for it.

    Waiting keeps the plan's ``flock`` held, so the next minute's check is skipped while a
    crawl runs, and a slot that passed meanwhile runs once afterwards.
    """
    scheduler.tick()
    return wait_for(scheduler.running, scheduler.clock, poll_seconds)
