"""Showback and chargeback, checked the way finance checks them: against the allocations
table, against the bill, and against sums worked out by hand (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from costplane.allocation import (
    KindCosts,
    Period,
    Showback,
    ShowbackLine,
    Window,
    allocate,
    chargeback,
    dimensions,
    reconcile,
    showback,
)
from costplane.allocation.statement import charge, contract_days
from costplane.catalog import Catalog, ChargebackRules, load_catalog
from costplane.errors import InputError
from costplane.money import CENT
from costplane.sources import fleet_loads
from costplane.warehouse import ALLOCATIONS, Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet

OCTOBER = Window.month("2026-10")
SPEC = FleetSpec(tenants=14, days=4, seed=11, start=dt.date(2026, 9, 29))  # Sep 29 to Oct 2
KINDS = ("direct", "shared", "idle", "overhead", "unallocated")


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports-fleet")
    generate_fleet(SPEC, out)
    return out


@pytest.fixture(scope="module")
def fleet_catalog(fleet_dir: Path) -> Catalog:
    return load_catalog(fleet_dir / "costplane.yaml")


def load_and_allocate(url: str, fleet_dir: Path, catalog: Catalog) -> Warehouse:
    warehouse = connect_warehouse(url)
    warehouse.ingest(fleet_loads(fleet_dir, catalog.labels))
    allocate(warehouse, catalog)
    return warehouse


@pytest.fixture(scope="module")
def allocated(
    fleet_dir: Path, fleet_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """The fleet loaded into DuckDB and allocated (September's last days and October's first)."""
    url = f"duckdb:///{tmp_path_factory.mktemp('reports-wh') / 'w.duckdb'}"
    with load_and_allocate(url, fleet_dir, fleet_catalog) as warehouse:
        yield warehouse


def october_rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Every allocation row of October, read plainly: the reference the reports must match."""
    rows = warehouse.table(ALLOCATIONS.name).to_pyarrow().to_pylist()
    return [r for r in rows if OCTOBER.start <= r["day"] < OCTOBER.end]


def step(amount: Decimal, size: str) -> Decimal:
    """Half-up rounding to a multiple of `size`, written out as a finance user would."""
    units = (amount / Decimal(size)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return units * Decimal(size)


# Showback ----------------------------------------------------------------------------


def test_each_tenant_total_is_exactly_its_allocated_cost(allocated: Warehouse) -> None:
    statement = showback(allocated, OCTOBER)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    by_kind: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in october_rows(allocated):
        if row["tenant"] is not None:
            expected[row["tenant"]] += row["cost"]
            by_kind[(row["tenant"], row["kind"])] += row["cost"]
    assert statement.tenant_costs() == expected
    assert len(expected) >= 10
    for line in statement.lines:
        if line.tenant is not None:
            for kind in KINDS:
                assert getattr(line.costs, kind) == by_kind.get((line.tenant, kind), 0)


def test_the_grand_total_is_the_bill_plus_price_sheet_and_overhead(allocated: Warehouse) -> None:
    statement = showback(allocated, OCTOBER)
    rows = october_rows(allocated)
    assert statement.period.allocated_days == (dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    assert not statement.period.complete
    assert statement.total.total == sum(r["cost"] for r in rows)
    assert statement.total.total == sum(statement.sources.values())
    days, _ = reconcile(allocated, OCTOBER)
    billed = sum(d.billed for d in days if d.date in statement.period.allocated_days)
    assert statement.sources["bill"] == billed
    # what no tenant carries is on lines of its own, so nothing is left out
    untenanted = {line.line for line in statement.lines if line.tenant is None}
    assert "idle" in untenanted
    assert statement.untenanted == sum(r["cost"] for r in rows if r["tenant"] is None)
    assert statement.untenanted > 0


def test_lines_group_by_tenant_environment_and_domain(allocated: Warehouse) -> None:
    by = dimensions("domain,tenant,environment")
    assert by == ("tenant", "environment", "cost_domain")
    statement = showback(allocated, OCTOBER, by)
    expected: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for row in october_rows(allocated):
        line = "tenant" if row["tenant"] is not None else row["kind"]
        key = (line, row["tenant"], row["environment"], row["cost_domain"], row["kind"])
        expected[key] += row["cost"]
    found = {
        (line.line, line.tenant, line.environment, line.cost_domain, kind): getattr(
            line.costs, kind
        )
        for line in statement.lines
        for kind in KINDS
        if getattr(line.costs, kind) != 0
    }
    assert found == {key: cost for key, cost in expected.items() if cost != 0}
    assert all(line.service_class is None for line in statement.lines)
    keys = [
        (line.line, line.tenant, line.environment, line.cost_domain) for line in statement.lines
    ]
    assert len(keys) == len(set(keys))
    assert statement.total == showback(allocated, OCTOBER).total


def test_a_statement_rounded_to_the_cent_adds_up_as_displayed(allocated: Warehouse) -> None:
    rounded = showback(allocated, OCTOBER, ("tenant", "cost_domain")).rounded(CENT)
    for line in rounded.lines:
        assert all(getattr(line.costs, k) == getattr(line.costs, k).quantize(CENT) for k in KINDS)
        assert line.costs.total == sum(getattr(line.costs, k) for k in KINDS)
    assert rounded.total.total == sum(line.costs.total for line in rounded.lines)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("environment", "must include tenant"),
        ("tenant,env", "unknown dimension 'env'; choose from tenant, environment"),
    ],
)
def test_by_names_its_mistakes(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        dimensions(text)


def test_a_month_not_allocated_names_the_command_to_run(allocated: Warehouse) -> None:
    with pytest.raises(InputError) as raised:
        showback(allocated, Window.month("2026-12"))
    assert str(raised.value) == (
        "2026-12 is not allocated yet: run `costplane allocate --from 2026-12-01 "
        "--to 2026-12-31` (after ingesting its data)"
    )
    with pytest.raises(InputError, match="calendar month"):
        showback(allocated, Window(dt.date(2026, 10, 1), dt.date(2026, 10, 8)))


@pytest.mark.postgres
def test_postgres_gives_the_same_statement(
    allocated: Warehouse, fleet_dir: Path, fleet_catalog: Catalog, postgres_url: str
) -> None:
    by = dimensions("tenant,environment,domain")
    with load_and_allocate(postgres_url, fleet_dir, fleet_catalog) as server:
        on_postgres = showback(server, OCTOBER, by)
        rules = ChargebackRules(markup_percent=Decimal(10), rounding=Decimal("0.05"))
        charged_on_postgres = chargeback(server, OCTOBER, rules, by)
    on_duckdb = showback(allocated, OCTOBER, by)
    assert on_postgres.lines == on_duckdb.lines
    assert dict(on_postgres.sources) == dict(on_duckdb.sources)
    assert on_postgres.period.allocated_days == on_duckdb.period.allocated_days
    assert charged_on_postgres.lines == chargeback(allocated, OCTOBER, rules, by).lines


# Chargeback --------------------------------------------------------------------------

PERIOD = Period(OCTOBER, tuple(OCTOBER.days()))
TEN_PERCENT = ChargebackRules(
    markup_percent=Decimal(10), rounding=Decimal("0.05"), minimum_monthly=Decimal(20)
)


def tenant_line(tenant: str | None, line: str = "tenant", **costs: str) -> ShowbackLine:
    amounts = KindCosts(**{kind: Decimal(v) for kind, v in costs.items()})
    return ShowbackLine(line=line, tenant=tenant, costs=amounts)  # type: ignore[arg-type]


HAND = Showback(
    period=PERIOD,
    by=("tenant",),
    lines=(
        tenant_line("acme", direct="12.345678901", shared="1.000000000", idle="5"),
        tenant_line("bolt", direct="10.75"),
        tenant_line("crux", direct="100", overhead="2.5"),
        tenant_line(None, "idle", idle="40"),
        tenant_line(None, "unallocated", unallocated="3.21"),
    ),
)


def test_markup_rounding_and_minimum_by_hand() -> None:
    bill = charge(HAND, TEN_PERCENT)
    lines = [(line.tenant, line.line, line.cost, line.charge) for line in bill.lines]
    assert lines == [
        # (12.345678901 + 1) x 1.1 = 14.6802467911 -> 14.70 (0.05 steps); idle is not charged
        ("acme", "cost", Decimal("13.345678901"), Decimal("14.70")),
        ("acme", "minimum", Decimal(0), Decimal("5.30")),  # raised to the minimum, 20
        # 10.75 x 1.1 = 11.825: exactly half a step, rounded up
        ("bolt", "cost", Decimal("10.75"), Decimal("11.85")),
        ("bolt", "minimum", Decimal(0), Decimal("8.15")),
        ("crux", "cost", Decimal("102.5"), Decimal("112.75")),  # overhead is charged
    ]
    assert bill.charge == Decimal("152.75") == sum(line.charge for line in bill.lines)
    assert [(t.tenant, t.charge, t.minimum, t.total) for t in bill.tenants] == [
        ("acme", Decimal("14.70"), Decimal("5.30"), Decimal("20.00")),
        ("bolt", Decimal("11.85"), Decimal("8.15"), Decimal("20.00")),
        ("crux", Decimal("112.75"), Decimal(0), Decimal("112.75")),
    ]


def test_shared_and_idle_are_charged_only_as_the_rules_say() -> None:
    without_shared = charge(HAND, TEN_PERCENT.model_copy(update={"include_shared": False}))
    # 12.345678901 x 1.1 = 13.5802467911 -> 13.60
    assert without_shared.lines[0].charge == Decimal("13.60")
    with_idle = charge(HAND, TEN_PERCENT.model_copy(update={"include_idle": True}))
    # (12.345678901 + 1 + 5) x 1.1 = 20.1802467911 -> 20.20, above the minimum
    acme = with_idle.tenants[0]
    assert (acme.tenant, acme.total, acme.minimum) == ("acme", Decimal("20.20"), Decimal(0))


def test_no_minimum_and_a_cent_step_leave_the_cost_as_it_is() -> None:
    bill = charge(HAND, ChargebackRules())
    assert [line.charge for line in bill.lines] == [
        Decimal("13.35"),
        Decimal("10.75"),
        Decimal("102.50"),
    ]
    assert all(line.line == "cost" for line in bill.lines)


def test_the_minimum_counts_only_the_days_a_contract_covers() -> None:
    # 20 x 25 / 31 = 16.129... -> 16.15 (0.05 steps): acme's 14.70 is raised by 1.45;
    # 20 x 10 / 31 = 6.45: bolt's 11.85 is above it; crux is not named: its whole month
    bill = charge(HAND, TEN_PERCENT, {"acme": 25, "bolt": 10})
    assert [(t.tenant, t.minimum, t.total) for t in bill.tenants] == [
        ("acme", Decimal("1.45"), Decimal("16.15")),
        ("bolt", Decimal(0), Decimal("11.85")),
        ("crux", Decimal(0), Decimal("112.75")),
    ]
    no_contract = charge(HAND, TEN_PERCENT, {"acme": 0, "bolt": 0})
    assert [line for line in no_contract.lines if line.line == "minimum"] == []


def test_a_month_allocated_in_part_has_a_minimum_for_those_days() -> None:
    half = Showback(
        period=Period(OCTOBER, tuple(OCTOBER.days())[:16]), by=HAND.by, lines=HAND.lines
    )
    # 20 x 16 / 31 = 10.3225... -> 10.30: acme (14.70) and bolt (11.85) are above it
    assert [t.minimum for t in charge(half, TEN_PERCENT).tenants] == [Decimal(0)] * 3
    whole = charge(HAND, TEN_PERCENT)
    assert [t.total for t in whole.tenants][:2] == [Decimal("20.00"), Decimal("20.00")]


def test_contract_days_are_the_allocated_days_a_contract_covers(fleet_catalog: Catalog) -> None:
    tenant = fleet_catalog.tenants[0]
    starting = tenant.model_copy(
        update={
            "contracts": [tenant.contracts[0].model_copy(update={"start": dt.date(2026, 10, 22)})]
        }
    )
    catalog = fleet_catalog.model_copy(update={"tenants": [starting, *fleet_catalog.tenants[1:]]})
    days = contract_days(catalog, Period(OCTOBER, tuple(OCTOBER.days())[:25]))
    assert days[starting.id] == 4  # the 22nd to the 25th
    assert all(
        days[t.id] == 25 for t in fleet_catalog.tenants[1:] if t.contracts[0].start <= OCTOBER.start
    )


def test_chargeback_of_the_fleet_matches_a_hand_computation(
    allocated: Warehouse, fleet_catalog: Catalog
) -> None:
    counted: dict[str, Decimal] = defaultdict(Decimal)
    for row in october_rows(allocated):
        if row["tenant"] is not None and row["kind"] in ("direct", "shared", "overhead"):
            counted[row["tenant"]] += row["cost"]
    charged = {tenant: step(cost * Decimal("1.1"), "0.05") for tenant, cost in counted.items()}
    smallest = min(charged, key=lambda t: charged[t])
    # two of October's 31 days are allocated: the minimum due is 2/31 of the monthly one
    due = charged[smallest] + Decimal("7.75")
    rules = ChargebackRules(
        markup_percent=Decimal(10), rounding=Decimal("0.05"), minimum_monthly=due * 31 / 2
    )

    bill = chargeback(allocated, OCTOBER, rules)

    assert len(bill.period.allocated_days) == 2
    assert {t.tenant: t.charge for t in bill.tenants} == charged
    assert {t.tenant: t.cost for t in bill.tenants} == counted
    raised = {t.tenant: t.minimum for t in bill.tenants if t.minimum}
    assert raised == {t: due - c for t, c in charged.items() if c < due}
    assert raised[smallest] == Decimal("7.75")
    assert all(t.total >= due for t in bill.tenants)
    assert bill.charge == sum(charged.values()) + sum(raised.values())
    assert None not in {line.tenant for line in bill.lines}


def test_a_contract_starting_inside_the_month_owes_its_share_of_the_minimum(
    allocated: Warehouse, fleet_catalog: Catalog
) -> None:
    late = fleet_catalog.tenants[0]
    contract = late.contracts[0].model_copy(update={"start": dt.date(2026, 10, 2)})
    tenants = [late.model_copy(update={"contracts": [contract]}), *fleet_catalog.tenants[1:]]
    catalog = fleet_catalog.model_copy(update={"tenants": tenants})
    rules = ChargebackRules(minimum_monthly=Decimal("3100"))  # 100.00 a day

    bill = chargeback(allocated, OCTOBER, rules, catalog=catalog)

    totals = {t.tenant: t.total for t in bill.tenants}
    assert totals[late.id] == Decimal("100.00")  # October 2nd only
    others = [t.id for t in fleet_catalog.tenants[1:] if t.id in totals]
    assert others
    assert all(totals[t] == Decimal("200.00") for t in others)  # October 1st and 2nd
