"""Cron expressions: the five classic fields, read the way cron(8) reads them.

Minute, hour, day of month, month, day of week, with ``*``, ranges, steps, lists and
month/day names, plus the ``@hourly``-style shortcuts. Like Vixie cron (Debian's),
when both day fields are restricted a day matches if either does, and a day field
starting with ``*`` (``*/2``) counts as unrestricted for that rule. Times are UTC.

Its own module because both the plan loader (to validate a site's ``schedule``) and
the scheduler need it, and neither should import the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class CronError(ValueError):
    """A cron expression that cannot be read; the message says which field and why."""


@dataclass(frozen=True)
class CronField:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] stands for low + i


CRON_FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField("day of month", 1, 31),
    CronField(
        "month",
        1,
        12,
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ),
    CronField("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
CRON_SHORTCUTS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# No valid expression needs more than a few years to its next match (Feb 29 on a Monday...).
_SEARCH_DAYS = 366 * 8


def _value(text: str, spec: CronField) -> int:
    lowered = text.lower()
    if lowered in spec.names:
        return spec.low + spec.names.index(lowered)
    if not text.isdigit():
        raise CronError(f"{spec.name}: {text!r} is not a number")
    number = int(text)
    if not spec.low <= number <= spec.high:
        raise CronError(f"{spec.name}: {number} is outside {spec.low}-{spec.high}")
    return number


def _parse_part(part: str, spec: CronField) -> set[int]:
    base, slash, step_text = part.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) == 0:
            raise CronError(f"{spec.name}: step {step_text!r} must be a positive number")
        step = int(step_text)
    if base == "*":
        low, high = spec.low, spec.high
    elif "-" in base:
        first, _, last = base.partition("-")
        low, high = _value(first, spec), _value(last, spec)
        if low > high:
            raise CronError(f"{spec.name}: range {base!r} runs backwards")
    else:
        low = _value(base, spec)
        high = spec.high if slash else low
    return set(range(low, high + 1, step))


def _parse_field(text: str, spec: CronField) -> frozenset[int]:
    if not text:
        raise CronError(f"{spec.name}: empty field")
    values: set[int] = set()
    for part in text.split(","):
        values |= _parse_part(part, spec)
    if spec.name == "day of week" and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


@dataclass(frozen=True)
class CronExpression:
    """A parsed five-field cron expression; :meth:`next_after` finds its next time."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, text: str) -> CronExpression:
        expanded = CRON_SHORTCUTS.get(text.strip().lower(), text)
        fields = expanded.split()
        if len(fields) != 5:
            raise CronError(
                f"expected 5 fields (minute hour day-of-month month day-of-week), "
                f"got {len(fields)} in {text!r}"
            )
        minutes, hours, days, months, weekdays = (
            _parse_field(f, spec) for f, spec in zip(fields, CRON_FIELDS, strict=True)
        )
        return cls(
            text.strip(),
            minutes,
            hours,
            days,
            months,
            weekdays,
            days_restricted=not fields[2].startswith("*"),
            weekdays_restricted=not fields[4].startswith("*"),
        )

    def _day_matches(self, moment: datetime) -> bool:
        in_days = moment.day in self.days
        in_weekdays = (moment.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def matches(self, moment: datetime) -> bool:
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and self._day_matches(moment)
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute strictly after ``moment`` (UTC when naive)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate + timedelta(days=_SEARCH_DAYS)
        while candidate < limit:
            if candidate.month not in self.months:
                candidate = (
                    candidate.replace(day=1, hour=0, minute=0) + timedelta(days=32)
                ).replace(day=1)
            elif not self._day_matches(candidate):
                candidate = candidate.replace(hour=0, minute=0) + timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=0) + timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        raise CronError(f"{self.text!r} never matches (e.g. February 30)")

    def next_times(self, moment: datetime, count: int) -> list[datetime]:
        times = []
        for _ in range(count):
            moment = self.next_after(moment)
            times.append(moment)
        return times

    def previous_at_or_before(self, moment: datetime) -> datetime:
        """The latest matching minute at or before ``moment`` (searching backwards)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        candidate = moment.replace(second=0, microsecond=0)
        limit = candidate - timedelta(days=_SEARCH_DAYS)
        while candidate > limit:
            if candidate.month not in self.months:
                candidate = candidate.replace(day=1, hour=23, minute=59) - timedelta(days=1)
            elif not self._day_matches(candidate):
                candidate = candidate.replace(hour=23, minute=59) - timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=59) - timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate -= timedelta(minutes=1)
            else:
                return candidate
        raise CronError(f"{self.text!r} never matches (e.g. February 30)")
