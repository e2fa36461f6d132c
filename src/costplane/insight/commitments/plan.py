"""The commitment that saves most for each resource type and SKU the bill runs by the hour
(docs/rightsizing.md, "Commitments").

With `u(h)` units running in hour `h` at on-demand rate `r`, committing `c` units at
discount `d` costs `c x r x (1 - d)` every hour, used or not, and saves the on-demand price
of what it covers:

    saving per hour = r x (mean_h min(u(h), c) - c x (1 - d))

- the stable baseline is the 10th percentile of `u(h)` over the window (linear
  interpolation): the floor demand stays above nine hours in ten;
- `c` is the baseline rounded down to whole units (a commitment is bought by the unit):
  up to it, each committed unit is used nine hours in ten or more, so it pays as long as
  the discount exceeds the hours it idles;
- break-even utilisation is `1 - d`: a committed unit used less than that share of its
  hours costs more than buying those hours on demand;
- "if demand falls 20 %" prices the same commitment against `0.8 x u(h)`.

Among the offers the catalog declares for the resource type, the one that saves most wins.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from costplane.catalog import HOURS_PER_MONTH, TERM_MONTHS, CommitmentOffer
from costplane.insight.commitments.hourly import HourlyUsage

BASELINE_PERCENTILE = 10
FALL = Decimal("0.8")
CENT = Decimal("0.01")
UNITS = Decimal("0.0001")


@dataclass(frozen=True)
class CommitmentRecommendation:
    resource_type: str
    baseline_units: Decimal
    commit_units: int
    term: str
    discount: Decimal
    monthly_saving: Decimal
    break_even_utilisation: Decimal
    sku: str
    pools: tuple[str, ...]
    on_demand_hourly: Decimal
    utilisation: Decimal
    """The share of committed unit-hours the window's demand would have used."""
    monthly_saving_if_demand_falls_20: Decimal
    monthly_loss_if_demand_falls_20: Decimal


@dataclass(frozen=True)
class CommitmentUse:
    """A commitment the bill already carries, and how much of it was used, by cost."""

    commitment_discount_id: str
    category: str | None
    used_cost: Decimal
    unused_cost: Decimal
    utilisation: Decimal | None


@dataclass(frozen=True)
class Commitments:
    currency: str
    recommendations: tuple[CommitmentRecommendation, ...]
    start: dt.date
    end: dt.date
    hours: int
    current: tuple[CommitmentUse, ...] = ()
    notes: tuple[str, ...] = ()


def recommend(
    usage: HourlyUsage, offers: Sequence[CommitmentOffer]
) -> CommitmentRecommendation | None:
    """The offer that saves most on `usage`, or None when none applies or commits a unit."""
    applicable = [
        o for o in offers if not o.resource_types or usage.resource_type in o.resource_types
    ]
    if not applicable or not len(usage.units):
        return None
    baseline = float(np.percentile(usage.units, BASELINE_PERCENTILE))
    commit = math.floor(baseline + 1e-9)  # 2.9999999 of float sums is 3 units
    if commit < 1:
        return None
    best: CommitmentRecommendation | None = None
    for offer in applicable:
        saving = _monthly_saving(usage.units, commit, offer.discount, usage.on_demand_rate)
        fallen = _monthly_saving(
            usage.units * float(FALL), commit, offer.discount, usage.on_demand_rate
        )
        used = Decimal(repr(float(np.minimum(usage.units, commit).mean()) / commit))
        candidate = CommitmentRecommendation(
            resource_type=usage.resource_type,
            baseline_units=Decimal(repr(baseline)).quantize(UNITS),
            commit_units=commit,
            term=offer.term,
            discount=offer.discount,
            monthly_saving=saving,
            break_even_utilisation=1 - offer.discount,
            sku=usage.sku,
            pools=usage.pools,
            on_demand_hourly=usage.on_demand_rate,
            utilisation=used.quantize(UNITS),
            monthly_saving_if_demand_falls_20=fallen,
            monthly_loss_if_demand_falls_20=saving - fallen,
        )
        if best is None or (candidate.monthly_saving, -_months(offer)) > (
            best.monthly_saving,
            -_months_of(best.term),
        ):
            best = candidate
    return best


def _monthly_saving(units: np.ndarray, commit: int, discount: Decimal, rate: Decimal) -> Decimal:
    covered = Decimal(repr(float(np.minimum(units, commit).mean())))
    per_hour = rate * (covered - commit * (1 - discount))
    return (per_hour * HOURS_PER_MONTH).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _months(offer: CommitmentOffer) -> int:
    return _months_of(offer.term)


def _months_of(term: str) -> int:
    return TERM_MONTHS[term]
