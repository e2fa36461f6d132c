"""The days an allocation covers, as a small table every expression can join."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa

from costplane.errors import InputError

DAY = dt.timedelta(days=1)

FIRST_MONTH = dt.date(1970, 1, 1)
LAST_MONTH = dt.date(2200, 12, 1)
"""The months `--period` accepts. Cloud bills start long after 1970, so a month outside
is a typo (`0205-10` for `2025-10`); and within it every engine holds the dates, pandas'
nanosecond timestamps too (they end in April 2262), and so does the month after."""

DAYS = pa.schema(
    [("day", pa.date32()), ("day_start", pa.timestamp("us")), ("day_end", pa.timestamp("us"))]
)


@dataclass(frozen=True)
class Window:
    """UTC days from `start` (inclusive) to `end` (exclusive)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InputError(f"the window must end ({self.end}) after it starts ({self.start})")

    @classmethod
    def month(cls, period: str) -> Window:
        """A billing month written YYYY-MM, from `FIRST_MONTH` to `LAST_MONTH`."""
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", period):
            raise InputError(f"--period {period!r}: expected a month as YYYY-MM, e.g. 2026-10")
        year = int(period[:4])
        if not FIRST_MONTH.year <= year <= LAST_MONTH.year:
            raise InputError(
                f"--period {period}: outside the months Costplane reads, "
                f"{FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}"
            )
        start = dt.date(year, int(period[5:]), 1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return cls(start, end)

    @classmethod
    def of_days(cls, start: dt.date, days: int, option: str = "--start") -> Window:
        """`days` days from `start`, refused (naming `option`) unless every day lies in
        the months Costplane reads: checked before any work, not after it."""
        last = start + dt.timedelta(days=days - 1)
        if start < FIRST_MONTH or last >= (LAST_MONTH + dt.timedelta(days=32)).replace(day=1):
            raise InputError(
                f"{option} {start}: {days} days from it leave the months Costplane reads, "
                f"{FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}"
            )
        return cls(start, last + DAY)

    @property
    def label(self) -> str:
        return f"{self.start} to {self.end - DAY}"

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time())

    def days(self) -> list[dt.date]:
        return [self.start + DAY * i for i in range((self.end - self.start).days)]


def day_table(first: dt.date, end: dt.date) -> pa.Table:
    """One row per UTC day in [first, end) with its bounds as naive UTC timestamps."""
    days = Window(first, end).days()
    return pa.table(
        {
            "day": days,
            "day_start": [dt.datetime.combine(d, dt.time()) for d in days],
            "day_end": [dt.datetime.combine(d + DAY, dt.time()) for d in days],
        },
        schema=DAYS,
    )
