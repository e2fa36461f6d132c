"""Business volume per tenant: daily orders, pickings and invoices, and the hourly activity
curve they put on the tenant's Odoo.

Profiles: `steady`; `month-end` (closing and invoicing peaks in the last three
and first two days of a month); `seasonal` (a peak around a tenant-specific day
of the year); `edi-bursty` (supplier sync windows at fixed UTC hours, which
drive the queue worker). Days follow a distribution weekday pattern and hours a
working-day curve in the tenant's own time zone.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from costplane.warehouse import FACT_TABLES
from costplane_fleet.calendar import local_grid
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import TenantProfile

WEEKDAY_FACTOR = np.array([1.1, 1.0, 1.0, 1.0, 0.9, 0.22, 0.06])
_INTRADAY = np.array(
    [
        0.05,
        0.04,
        0.04,
        0.04,
        0.05,
        0.1,
        0.35,
        0.8,
        1.3,
        1.6,
        1.65,
        1.5,
        1.1,
        1.35,
        1.55,
        1.5,
        1.3,
        1.0,
        0.6,
        0.35,
        0.22,
        0.15,
        0.1,
        0.07,
    ]
)
_INTRADAY = _INTRADAY / _INTRADAY.mean()
SIGNALS = ("orders_confirmed", "pickings_done", "invoices_posted")
PICKINGS_PER_ORDER = 1.3
INVOICES_PER_ORDER = 0.92


def _utc_days(spec: FleetSpec) -> list[dt.date]:
    return [spec.day(i) for i in range(spec.days)]


def daily_orders(tenants: tuple[TenantProfile, ...], spec: FleetSpec) -> np.ndarray:
    """Expected confirmed orders per tenant per UTC day, shape (tenants, days)."""
    days = _utc_days(spec)
    weekday = np.array([d.weekday() for d in days])
    dom = np.array([d.day for d in days])
    dim = np.array(
        [
            ((d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
            for d in days
        ]
    )
    doy = np.array([d.timetuple().tm_yday for d in days])
    month_end = (dom > dim - 3) | (dom <= 2)
    out = np.empty((len(tenants), spec.days))
    noise = rng(spec.seed, "orders-noise").lognormal(0.0, 0.12, size=out.shape)
    for i, t in enumerate(tenants):
        factor = WEEKDAY_FACTOR[weekday].copy()
        if t.workload_profile == "month-end":
            factor *= np.where(month_end, 1.9, 1.0)
        else:
            factor *= np.where(month_end, 1.12, 1.0)
        if t.workload_profile == "seasonal":
            distance = np.minimum(
                np.abs(doy - t.seasonal_peak_day), 365 - np.abs(doy - t.seasonal_peak_day)
            )
            factor *= 1.0 + 1.4 * np.exp(-(distance**2) / (2 * 18.0**2))
        out[i] = t.orders_per_day * factor * noise[i]
    return out


def business_counts(orders: np.ndarray, spec: FleetSpec) -> dict[str, np.ndarray]:
    """Integer counts per signal, Poisson around the expected volume."""
    r = rng(spec.seed, "business-counts")
    return {
        "orders_confirmed": r.poisson(orders),
        "pickings_done": r.poisson(orders * PICKINGS_PER_ORDER),
        "invoices_posted": r.poisson(orders * INVOICES_PER_ORDER),
    }


def business_signals_table(
    tenants: tuple[TenantProfile, ...], counts: dict[str, np.ndarray], spec: FleetSpec
) -> pa.Table:
    """Table business_signals: tenant-major, then day, then signal."""
    n_t, n_d, n_s = len(tenants), spec.days, len(SIGNALS)
    tenant_idx = np.repeat(np.arange(n_t), n_d * n_s)
    day_idx = np.tile(np.repeat(np.arange(n_d), n_s), n_t)
    sig_idx = np.tile(np.arange(n_s), n_t * n_d)
    stacked = np.stack([counts[s] for s in SIGNALS], axis=-1)  # (t, d, s)
    start = (spec.start - dt.date(1970, 1, 1)).days
    schema = FACT_TABLES["business_signals"].schema.to_pyarrow()
    return pa.table(
        {
            "day": pa.array((start + day_idx).astype(np.int32), pa.date32()),
            "tenant": pa.DictionaryArray.from_arrays(
                pa.array(tenant_idx.astype(np.int32)), pa.array([t.id for t in tenants])
            ),
            "environment": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(len(tenant_idx), dtype=np.int32)), pa.array(["production"])
            ),
            "signal": pa.DictionaryArray.from_arrays(
                pa.array(sig_idx.astype(np.int32)), pa.array(list(SIGNALS))
            ),
            "count": pa.array(stacked.reshape(-1).astype(np.int64)),
        }
    ).select(schema.names)


def hourly_activity(
    tenants: tuple[TenantProfile, ...], orders: np.ndarray, spec: FleetSpec
) -> np.ndarray:
    """Relative load on each tenant's production Odoo per UTC hour, shape (tenants, hours).

    1.0 is an average working hour of an average day for that tenant.
    """
    out = np.empty((len(tenants), spec.hours), dtype=np.float64)
    rel = orders / np.array([t.orders_per_day for t in tenants])[:, None]
    day_of_hour = np.arange(spec.hours) // 24
    for zone in sorted({t.time_zone for t in tenants}):
        grid = local_grid(spec.start_at, spec.hours, zone)
        curve = _INTRADAY[grid.hour]
        idx = [i for i, t in enumerate(tenants) if t.time_zone == zone]
        out[idx] = rel[idx][:, day_of_hour] * curve[None, :]
    return out


def edi_spikes(tenants: tuple[TenantProfile, ...], spec: FleetSpec) -> np.ndarray:
    """1.0 in each tenant's supplier sync hours (UTC), else 0, shape (tenants, hours)."""
    hour_of_day = np.arange(spec.hours) % 24
    out = np.zeros((len(tenants), spec.hours), dtype=np.float64)
    for i, t in enumerate(tenants):
        out[i] = np.isin(hour_of_day, t.edi_hours)
    return out


def nightly(zone_hours: np.ndarray) -> np.ndarray:
    """Odoo's scheduled actions cluster at night (01:00-04:00 local)."""
    return ((zone_hours >= 1) & (zone_hours < 4)).astype(np.float64)
