"""The month a placement reads: the allocation's newest month unless one is asked for."""

from __future__ import annotations

import datetime as dt

from costplane.allocation import Window
from costplane.errors import InputError
from costplane.warehouse import Warehouse


def newest_allocated_month(warehouse: Warehouse) -> Window:
    """The calendar month of the newest allocated day: what `--period` defaults to, so a
    placement is read on the month the margin report would show last."""
    allocations = warehouse.table("allocations")
    newest = allocations.aggregate(day=allocations.day.max()).to_pyarrow().to_pylist()[0]["day"]
    if newest is None:
        raise InputError(
            "nothing is allocated yet: run `costplane allocate` (after ingesting data), "
            "or give --period YYYY-MM"
        )
    return Window.month(f"{newest:%Y-%m}")


def bounds(window: Window) -> tuple[dt.datetime, dt.datetime]:
    """The window as naive UTC datetimes, as the fact tables store time."""
    return dt.datetime.combine(window.start, dt.time()), dt.datetime.combine(window.end, dt.time())
