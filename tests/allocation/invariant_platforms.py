"""Random platforms and bills for the invariant tests, and the bill's own sum per day.

Two test files use them (test_invariant.py, test_invariant_no_dates.py): each test draws
and allocates dozens of warehouses, so in separate files they run on separate workers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from costplane.allocation import Window
from tests.allocation.conftest import Platform

NAMESPACES = ["acme-prod", "bolt-prod", "acme-dev", "scratch", "monitoring", "traefik", "logging"]
TENANT_NAMESPACES = ["acme-prod", "bolt-prod"]
WINDOW = Window(dt.date(2026, 10, 1), dt.date(2026, 10, 3))
DATA_DAYS = (0, 1)  # usage and daily bill lines fall on 1 and 2 October
EVERY_DAY = Window(dt.date(2026, 9, 1), dt.date(2026, 12, 1))  # wider than any charge

money = st.decimals(min_value=Decimal("-50"), max_value=Decimal("5000"), places=10, allow_nan=False)
days = st.sets(st.sampled_from(DATA_DAYS))


@st.composite
def platforms(draw: st.DrawFn) -> Platform:
    """A cluster, its usage and its bill, with the gaps real data has: nodes without a bill
    line on a day (priced from the sheet) or without pods, volumes with and without bill
    lines of their own, Traefik and log meters missing on some days, charges that start
    before the data or run for the whole month."""
    platform = Platform()
    platform.tenant_namespace("acme-prod", "acme")
    platform.tenant_namespace("bolt-prod", "bolt")
    platform.namespace("acme-dev")  # the catalog knows it
    platform.namespace("scratch")  # nobody does
    platform.namespace("monitoring", {"costplane.io/shared": "true"})
    platform.namespace("traefik", {"costplane.io/shared": "true"})  # platform: ingress
    platform.namespace("logging")  # platform: observability
    nodes = draw(st.integers(1, 3))
    for n in range(nodes):
        platform.node(f"n{n}", cpu=draw(st.integers(1, 16)), memory_gib=draw(st.integers(1, 64)))
    for _ in range(draw(st.integers(0, 6))):
        day = draw(st.sampled_from(DATA_DAYS))
        first = draw(st.integers(0, 23))
        platform.run(
            node=f"n{draw(st.integers(0, nodes - 1))}",
            namespace=draw(st.sampled_from(NAMESPACES)),
            hours=range(first, draw(st.integers(first + 1, 24))),
            cpu_request=draw(st.floats(0, 8)),
            cpu_usage=draw(st.floats(0, 8)),
            memory_request_gib=draw(st.floats(0, 16)),
            memory_usage_gib=draw(st.floats(0, 16)),
            day=day,
        )
    for n in range(nodes):
        for day in draw(days):
            platform.charge(f"cloud://n{n}", str(draw(money)), day=day)
    for v in range(draw(st.integers(0, 2))):
        platform.volume(
            f"vol-{v}", draw(st.sampled_from(NAMESPACES)), gib=draw(st.integers(1, 500))
        )
        for day in draw(days):
            platform.charge(f"vol-{v}", str(draw(money)), day=day, category="Storage")
    for day in draw(days):
        platform.charge(
            "log-workspace",
            str(draw(money)),
            day=day,
            category="Management and Governance",
            subcategory="Observability",
            tags={"kubernetes.io/cluster": platform.cluster},
        )
    for _ in range(draw(st.integers(0, 3))):
        platform.charge(
            draw(st.sampled_from([None, "unknown-1", "cloud://n0", "vol-0"])),
            str(draw(money)),
            day=draw(st.integers(-2, 1)),
            days=draw(st.sampled_from([1, 2, 3, 5, 31])),
            category=draw(st.sampled_from(["Compute", "Storage", "Other"])),
        )
    for name in TENANT_NAMESPACES:
        for service, metric in (("traefik", "requests"), ("logs", "ingested_bytes")):
            for day in draw(days):
                platform.meter(name, service, metric, draw(st.floats(1, 1e6)), day=day)
    return platform


def seeded_platform() -> Platform:
    """The case `--hypothesis-seed=124250789677985073170588232935168440260` found (a day off
    by 8.3E-8 with rule even and share_idle): Traefik's pods find no request to follow,
    so their cost joins the shared namespace's in one pool of the same key, which the
    split took as two amounts and placed only in part."""
    platform = Platform()
    platform.tenant_namespace("acme-prod", "acme")
    platform.tenant_namespace("bolt-prod", "bolt")
    platform.namespace("acme-dev")
    platform.namespace("scratch")
    platform.namespace("monitoring", {"costplane.io/shared": "true"})
    platform.namespace("traefik", {"costplane.io/shared": "true"})
    platform.node("n0", cpu=2, memory_gib=44)
    gib = 2**30
    for namespace, hours, cpu, memory, day in (
        (
            "monitoring",
            range(22, 23),
            (7.055234833144343, 2.7590437378574983),
            (1508531108 / gib, 3468823228.734498 / gib),
            0,
        ),
        (
            "traefik",
            range(0, 14),
            (1.9, 4.716716571588202e-245),
            (0.0, 10052400156.294844 / gib),
            1,
        ),
        ("acme-dev", range(23, 24), (5e-324, 5.806732221076291), (4763113203 / gib, 16.0), 0),
        (
            "traefik",
            range(15, 22),
            (5.197484694556665, 0.5814816200458709),
            (10186671411 / gib, 5.304989477e-315 / gib),
            0,
        ),
    ):
        platform.run("n0", namespace, hours, *cpu, *memory, day=day)
    platform.charge("cloud://n0", "5.939E-7", day=0)
    platform.charge("cloud://n0", "0.0000323944", day=1)
    platform.charge(None, "5000.0000000000", day=1, days=3, category="Storage")
    platform.charge("unknown-1", "-4.344E-7", day=0, category="Storage")
    platform.charge(None, "-0.0000031582", day=1, days=5, category="Storage")
    return platform


SETTINGS = settings(
    # each example builds and allocates a warehouse (seconds): 30 in `make test`, 150 in
    # `make test-properties`
    max_examples=settings.default.max_examples * 3 // 10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def bill_total(platform: Platform, day: dt.date | None) -> Decimal:
    """The bill's own sum for a day, long charges prorated by seconds (exact fractions)."""
    assert day is not None
    day_start = dt.datetime.combine(day, dt.time())
    day_end = day_start + dt.timedelta(days=1)
    total = Decimal(0)
    for line in platform.bill:
        start, end = line["charge_period_start"], line["charge_period_end"]
        overlap = (min(end, day_end) - max(start, day_start)).total_seconds()
        if overlap > 0:
            total += line["billed_cost"] * Decimal(overlap) / Decimal((end - start).total_seconds())
    return total
