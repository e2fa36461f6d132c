"""The days an allocation covers, as a small table every expression can join."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa

from costplane.errors import InputError

DAY = dt.timedelta(days=1)

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
        """A billing month written YYYY-MM."""
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            raise InputError(f"--period {period!r}: expected a month as YYYY-MM, e.g. 2026-10")
        start = dt.date.fromisoformat(f"{period}-01")
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return cls(start, end)

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
