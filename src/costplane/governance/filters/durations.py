"""Durations ("14d", "1h30m", "300ms") and timestamps, read exactly.

A duration is a sum of a number and a unit, repeated: `w d h m s ms us ns`, as
Go writes them (`1h2m3.5s`, the form Kubernetes shows) plus days and weeks. It
is held as a Decimal number of seconds, so `1.5h` is exactly 5,400 s. A bare
number is in the unit the caller says (seconds unless a policy says `unit: d`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Final

from costplane.describe import describe

UNIT_SECONDS: Final[dict[str, Decimal]] = {
    "ns": Decimal("1e-9"),
    "us": Decimal("1e-6"),
    "µs": Decimal("1e-6"),
    "ms": Decimal("1e-3"),
    "s": Decimal(1),
    "m": Decimal(60),
    "h": Decimal(3600),
    "d": Decimal(86400),
    "w": Decimal(604800),
}
"""Seconds in each unit a duration may be written in."""

_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_duration(text: object, number_unit: str = "s") -> Decimal:
    """Seconds in `text`; a bare number counts in `number_unit`. ValueError says why not."""
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        raise ValueError(f"expected a duration such as 14d or 1h30m, got {describe(text)}")
    if not isinstance(text, str):
        return _decimal(text) * UNIT_SECONDS[number_unit]
    written = text.strip()
    if _NUMBER.fullmatch(written):
        return Decimal(written) * UNIT_SECONDS[number_unit]
    sign = Decimal(-1) if written.startswith("-") else Decimal(1)
    body = written.lstrip("+-")
    parts = list(_PART.finditer(body))
    if not body or not parts or "".join(p.group(0) for p in parts) != body:
        raise ValueError(
            f"not a duration: {text!r} (expected e.g. 14d, 12h, 1h30m, 90s; units {_UNITS})"
        )
    return sign * sum((Decimal(p[1]) * UNIT_SECONDS[p[2]] for p in parts), Decimal(0))


def duration_text(seconds: Decimal) -> str:
    """A duration in the largest whole unit: 1209600 -> "14d", 5400 -> "90m"."""
    for unit in ("w", "d", "h", "m", "s"):
        size = UNIT_SECONDS[unit]
        if seconds and seconds % size == 0:
            return f"{int(seconds / size)}{unit}"
    return f"{seconds.normalize():f}s"


def parse_timestamp(value: object) -> dt.datetime:
    """An aware UTC datetime from RFC 3339 text, a datetime or a date; ValueError otherwise.

    Kubernetes writes `2025-05-01T00:00:00Z`; YAML manifests read by a safe
    loader give datetime objects; a time without a zone is taken as UTC.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"not a timestamp: {value!r} (expected RFC 3339, e.g. 2025-05-01T00:00:00Z)"
            ) from None
    else:
        raise ValueError(
            f"expected a timestamp such as 2025-05-01T00:00:00Z, got {describe(value)}"
        )
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def seconds_between(earlier: dt.datetime, later: dt.datetime) -> Decimal:
    """Exact seconds from `earlier` to `later` (microsecond resolution)."""
    delta = later - earlier
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(micros).scaleb(-6)


def _decimal(number: int | float | Decimal) -> Decimal:
    value = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {number!r}")
    return value


_UNITS = ", ".join(u for u in UNIT_SECONDS if u != "µs")
