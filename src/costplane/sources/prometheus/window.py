"""The time window a collection covers, and the steps it is evaluated at.

Rows are hourly (`usage_samples`) and daily (`service_usage`), so the window
runs from one whole hour to another. Prometheus evaluates a range query at
`start + step, start + 2 step, ..., end`; evaluation k (1-based) describes the
step that ends there, `[start + (k - 1) step, start + k step)`. A step divides
the hour, so every step falls in exactly one hour and one day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from costplane.errors import InputError

HOUR = 3600
DAY = 86400
DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_step(text: str) -> int:
    """A Prometheus-style duration (`1h`, `30m`, `90s`, `1m30s`) in seconds; it must divide
    an hour, since rows are hourly."""
    found = DURATION.match(text.strip())
    if text.strip().isascii() and text.strip().isdigit():
        seconds = int(text.strip())
    elif found and any(found.groups()):
        hours, minutes, secs = (int(part or 0) for part in found.groups())
        seconds = hours * HOUR + minutes * 60 + secs
    else:
        raise InputError(f"--step {text!r}: not a duration (examples: 1h, 30m, 5m, 60s)")
    if seconds <= 0 or HOUR % seconds:
        raise InputError(
            f"--step {text}: must divide one hour (1h, 30m, 15m, 10m, 5m, 1m, ...), "
            "because rows are hourly"
        )
    return seconds


def parse_moment(text: str, option: str) -> dt.datetime:
    """An ISO 8601 date or date-time as naive UTC (a time without a zone is UTC)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option} {text!r}: not an ISO 8601 date or time (2025-05-01 or 2025-05-01T06:00Z)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


@dataclass(frozen=True)
class Window:
    """`[start, end)` in naive UTC, whole hours, evaluated every `step` seconds."""

    start: dt.datetime
    end: dt.datetime
    step: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InputError(
                f"--to {self.end.isoformat()} must be after --from {self.start.isoformat()}"
            )
        for option, moment in (("--from", self.start), ("--to", self.end)):
            if moment.minute or moment.second or moment.microsecond:
                raise InputError(f"{option} {moment.isoformat()}: must be a whole hour (UTC)")

    @property
    def start_epoch(self) -> int:
        return int(self.start.replace(tzinfo=dt.UTC).timestamp())

    @property
    def end_epoch(self) -> int:
        return int(self.end.replace(tzinfo=dt.UTC).timestamp())

    @property
    def steps(self) -> int:
        """Evaluations in the window: one per step, at the step's end."""
        return (self.end_epoch - self.start_epoch) // self.step

    @property
    def hours(self) -> int:
        return (self.end_epoch - self.start_epoch) // HOUR

    @property
    def first_day(self) -> int:
        """The window's first UTC day, as days since 1970-01-01."""
        return self.start_epoch // DAY

    def evaluation(self, k: int) -> int:
        """Epoch seconds of evaluation k (1-based): the end of the step it describes."""
        return self.start_epoch + k * self.step

    def step_text(self) -> str:
        """The step as PromQL writes a duration."""
        return f"{self.step}s"

    def span_text(self, first: int, last: int) -> str:
        """Evaluations first..last as the times they describe, for a message."""
        begin = self.start + dt.timedelta(seconds=(first - 1) * self.step)
        end = self.start + dt.timedelta(seconds=last * self.step)
        return f"{begin.isoformat()}..{end.isoformat()}"


def default_window(now: dt.datetime, step: int) -> Window:
    """Yesterday, UTC: a daily run loads whole days, and a rerun of a day replaces it."""
    today = dt.datetime.combine(now.date(), dt.time())
    return Window(today - dt.timedelta(days=1), today, step)


def window_of(
    start: str | None, end: str | None, step: str, now: dt.datetime | None = None
) -> Window:
    """The window from the command's options: both ends, or neither (yesterday)."""
    seconds = parse_step(step)
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if start is None and end is None:
        return default_window(now, seconds)
    if start is None or end is None:
        raise InputError("--from and --to go together (without both: yesterday, UTC)")
    window = Window(parse_moment(start, "--from"), parse_moment(end, "--to"), seconds)
    if window.end > now:
        raise InputError(
            f"--to {window.end.isoformat()} is in the future: Prometheus has no data for it yet"
        )
    return window
