"""The hour grid of the window seen from a time zone, and kube-green's awake hours.

Everything is computed once per (zone, window) for the few zones the fleet uses
and shared as numpy arrays; per-sample work stays vectorised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from costplane.catalog import WEEKDAYS, SleepSchedule


@dataclass(frozen=True)
class LocalGrid:
    """For each UTC hour of the window: local hour of day, weekday (0=Mon), day of month."""

    hour: np.ndarray
    weekday: np.ndarray
    day_of_month: np.ndarray
    days_in_month: np.ndarray
    day_of_year: np.ndarray


@lru_cache(maxsize=64)
def local_grid(start_at: dt.datetime, hours: int, zone: str) -> LocalGrid:
    tz = ZoneInfo(zone)
    utc = start_at.replace(tzinfo=dt.UTC)
    hour = np.empty(hours, dtype=np.int16)
    weekday = np.empty(hours, dtype=np.int16)
    dom = np.empty(hours, dtype=np.int16)
    dim = np.empty(hours, dtype=np.int16)
    doy = np.empty(hours, dtype=np.int16)
    for h in range(hours):
        local = (utc + dt.timedelta(hours=h)).astimezone(tz)
        hour[h] = local.hour
        weekday[h] = local.weekday()
        dom[h] = local.day
        nxt = (local.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        dim[h] = (nxt - dt.timedelta(days=1)).day
        doy[h] = local.timetuple().tm_yday
    return LocalGrid(hour, weekday, dom, dim, doy)


def awake_hours(schedule: SleepSchedule, start_at: dt.datetime, hours: int) -> np.ndarray:
    """True for each UTC hour in which a namespace under this schedule is awake.

    kube-green sleeps at `sleep_at` on each listed weekday and wakes at `wake_at`
    on the next listed weekday, so (for wake_at before sleep_at, as the fleet's
    classes have) a namespace is awake exactly when the local weekday is listed
    and wake_at <= local time < sleep_at. Schedules fall on whole hours.
    """
    if schedule.wake_at >= schedule.sleep_at:  # pragma: no cover - not in the fleet's classes
        raise ValueError("the fleet only models schedules that wake before they sleep")
    grid = local_grid(start_at, hours, schedule.time_zone)
    listed = np.array([d in schedule.weekdays for d in WEEKDAYS])
    return np.asarray(
        listed[grid.weekday]
        & (grid.hour >= schedule.wake_at.hour)
        & (grid.hour < schedule.sleep_at.hour)
    )
