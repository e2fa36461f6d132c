"""Commitments for a project's bill: the window, the hourly demand, the offers, the
commitments already bought."""

from __future__ import annotations

import datetime as dt

from costplane.catalog import Catalog
from costplane.errors import InputError
from costplane.insight.commitments.current import current_commitments
from costplane.insight.commitments.hourly import hourly_usage
from costplane.insight.commitments.plan import Commitments, recommend
from costplane.warehouse import Warehouse

MIN_DAYS, MAX_DAYS = 30, 90
"""A baseline needs a month of hours at least (weekends and month ends in it); older than
a quarter says little about next year's demand."""


def recommend_commitments(
    warehouse: Warehouse, catalog: Catalog, days: int = MAX_DAYS
) -> Commitments:
    """The best commitment per resource type and SKU over the last `days` of the bill (30 to
    90), and the bill's current commitments with their utilisation."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InputError(f"--days {days}: expected {MIN_DAYS} to {MAX_DAYS}")
    lines = warehouse.table("billing_lines")
    newest = lines.charge_period_end.max().to_pyarrow().as_py()
    if not isinstance(newest, dt.datetime):
        raise InputError("the warehouse holds no bill: ingest one (`costplane ingest focus`)")
    end = newest.replace(minute=0, second=0, microsecond=0)
    if end < newest:
        end += dt.timedelta(hours=1)
    first = lines.charge_period_start.min().to_pyarrow().as_py()
    assert isinstance(first, dt.datetime), "a bill with an end has a start"
    start = max(end - dt.timedelta(days=days), first.replace(minute=0, second=0, microsecond=0))
    hours = int((end - start).total_seconds() // 3600)
    notes = []
    if hours < MIN_DAYS * 24:
        notes.append(
            f"the bill covers {hours} hours, less than the {MIN_DAYS} days a stable baseline "
            "needs: read these as a first look"
        )
    offers = catalog.price_sheet.commitments
    if not offers:
        notes.append("the catalog's price sheet declares no commitments: nothing to recommend")
    found = [recommend(usage, offers) for usage in hourly_usage(warehouse, start, end)]
    return Commitments(
        currency=catalog.currency,
        recommendations=tuple(
            sorted(
                (r for r in found if r), key=lambda r: (-r.monthly_saving, r.resource_type, r.sku)
            )
        ),
        start=start.date(),
        end=end.date(),
        hours=hours,
        current=tuple(current_commitments(warehouse, start, end)),
        notes=tuple(notes),
    )
