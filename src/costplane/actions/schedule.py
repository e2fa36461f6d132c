"""When a sleep schedule says a non-production environment sleeps (kube-green's semantics).

kube-green runs two cron schedules on the same weekdays: "sleep at `sleep_at`"
and "wake at `wake_at`", in the schedule's time zone. The environment is in the
state of the latest of those events: with Monday to Friday, 20:00 and 07:00 it
sleeps every weekday evening, wakes the next weekday morning, and stays asleep
from Friday 20:00 to Monday 07:00. The same rule covers schedules that do not
cross midnight (sleep 01:00, wake 06:00 on the listed days).

Daylight saving time: a local time that happens twice (autumn) counts at its
first occurrence; a local time that does not exist (spring) happens when the
clocks jump, so a sleep planned inside the skipped hour is never lost (plain
cron skips it: the environment would stay awake all night).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from costplane.catalog import WEEKDAYS, SleepSchedule

Event = Literal["sleep", "wake"]
_HORIZON_DAYS = 8  # every listed weekday occurs within any 8 consecutive days


@dataclass(frozen=True, order=True)
class Transition:
    """One scheduled sleep or wake-up, at an aware UTC instant."""

    at: dt.datetime
    event: Event


def is_asleep(schedule: SleepSchedule, now: dt.datetime) -> bool:
    """Whether the schedule has the environment asleep at `now` (naive means UTC)."""
    return last_transition(schedule, now).event == "sleep"


def last_transition(schedule: SleepSchedule, now: dt.datetime) -> Transition:
    """The latest sleep or wake-up at or before `now`."""
    moment = _utc(now)
    return [t for t in _around(schedule, moment) if t.at <= moment][-1]


def next_transition(schedule: SleepSchedule, now: dt.datetime) -> Transition:
    """The first sleep or wake-up after `now`."""
    moment = _utc(now)
    return next(t for t in _around(schedule, moment) if t.at > moment)


def _around(schedule: SleepSchedule, moment: dt.datetime) -> list[Transition]:
    """Every transition within eight days either side of `moment`, in time order."""
    zone = ZoneInfo(schedule.time_zone)
    today = moment.astimezone(zone).date()
    found: list[tuple[dt.datetime, dt.time, Event]] = []
    for offset in range(-_HORIZON_DAYS, _HORIZON_DAYS + 1):
        day = today + dt.timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in schedule.weekdays:
            continue
        found.append((instant(day, schedule.sleep_at, zone), schedule.sleep_at, "sleep"))
        found.append((instant(day, schedule.wake_at, zone), schedule.wake_at, "wake"))
    # two events the clock change pushes onto one instant keep their wall-clock order
    found.sort(key=lambda item: (item[0], item[1]))
    return [Transition(at, event) for at, _, event in found]


def instant(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant a local wall-clock time happens on `day` (see the module's DST rule)."""
    wall = dt.datetime.combine(day, time)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
    if _wall(first, zone) == wall:
        return first
    other = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    low, high = min(first, other), max(first, other)
    while high - low > dt.timedelta(seconds=1):  # the clocks jump between low and high
        middle = low + (high - low) / 2
        if _wall(middle, zone) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _wall(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
