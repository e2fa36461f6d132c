"""How each tenant's production database grew to its size at the end: one of four shapes,
drawn per tenant, written to `growth.json` as the answer a forecast is judged against.

- `linear`: the tenant's orders that day x a constant, `monthly_growth` of the end size
  per 30 days;
- `accelerating`: the same times 2^(days/30) (doubling every 30 days), 1.5 x the linear
  rate at the end;
- `import`: 0.6 x the linear rate, plus one day on which a data import adds
  `import_share` of the end size;
- `flat`: none, an archive-only database whose size moves only by a little noise.

Every shape ends at the size the tenant's band gives it (databases.py), so the end of the
window, the bill and the planted problems do not depend on the shape. Sizes carry a small
noise (sd `NOISE` of the size, autovacuum and bloat), except at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng

SHAPES = ("linear", "accelerating", "import", "flat")
WEIGHTS = (0.40, 0.20, 0.15, 0.25)
NOISE = 0.0002
DOUBLING_DAYS = 30.0


@dataclass(frozen=True)
class GrowthShape:
    shape: str
    monthly_growth: float
    """Growth per 30 days at the linear rate, as a fraction of the end size."""
    import_day: int | None = None
    """`import`: the index of the day (0 = the window's first) whose snapshot first holds it."""
    import_share: float = 0.0


def choose_shape(spec: FleetSpec, tenant: str, days: int) -> GrowthShape:
    """A deterministic shape for one tenant's production database."""
    r = rng(spec.seed, "growth", tenant)
    shape = SHAPES[int(r.choice(len(SHAPES), p=WEIGHTS))]
    monthly = float(r.uniform(0.03, 0.10))
    if shape == "import":
        day = int(r.integers(int(days * 0.4), max(int(days * 0.7), int(days * 0.4) + 1)))
        return GrowthShape(shape, monthly, day, float(r.uniform(0.08, 0.20)))
    return GrowthShape(shape, 0.0 if shape == "flat" else monthly)


def size_history(
    shape: GrowthShape, end_bytes: float, orders: np.ndarray, noise: np.random.Generator
) -> np.ndarray:
    """The size at each daily snapshot (one per day of `orders`), ending at `end_bytes`."""
    n = len(orders)
    weight = orders / orders.mean() if orders.mean() > 0 else np.ones(n)
    rate = shape.monthly_growth * end_bytes / 30.0
    if shape.shape == "linear":
        daily = rate * weight
    elif shape.shape == "accelerating":
        daily = 1.5 * rate * weight * 2.0 ** ((np.arange(n) - (n - 1)) / DOUBLING_DAYS)
    elif shape.shape == "import":
        daily = 0.6 * rate * weight
        if shape.import_day is not None and 0 < shape.import_day < n:
            daily = daily.copy()
            daily[shape.import_day] += shape.import_share * end_bytes
    else:
        daily = np.zeros(n)
    after = np.cumsum(daily[::-1])[::-1] - daily  # growth after each snapshot
    size = np.maximum(end_bytes - after, end_bytes * 0.2)
    wobble = noise.normal(0.0, NOISE, n)
    wobble[-1] = 0.0
    return np.rint(size * (1.0 + wobble))


def production_histories(spec: FleetSpec) -> list[tuple[str, GrowthShape, np.ndarray]]:
    """Each tenant's production database size over the spec's days, by its shape, ending at
    100 GiB: the series a forecast backtest runs on, without generating the whole fleet
    (the fleet's own databases grow the same way to their band's size)."""
    from costplane_fleet.signals import business_counts, daily_orders
    from costplane_fleet.tenants import tenant_population

    tenants = tenant_population(spec)
    orders = business_counts(daily_orders(tenants, spec), spec)["orders_confirmed"]
    noise = rng(spec.seed, "databases", "growth-noise")
    out = []
    for i, t in enumerate(tenants):
        shape = choose_shape(spec, t.id, spec.days)
        sizes = size_history(shape, 100 * 2.0**30, orders[i].astype(np.float64), noise)
        out.append((t.id, shape, sizes))
    return out


__all__ = ["SHAPES", "GrowthShape", "choose_shape", "production_histories", "size_history"]
