"""`costplane export focus`: the allocation of a month as FOCUS 1.2 Parquet, exact to the
nano-unit, and accepted by the FinOps Foundation's focus-validator but for its known false
positives (docs/focus-export.md, docs/focus-known-failures.txt)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from costplane.allocation import (
    FOCUS_SCHEMA,
    FocusProvider,
    Window,
    allocate,
    export_focus,
)
from costplane.catalog import Catalog, load_catalog
from costplane.errors import ExecutionError, InputError
from costplane.sources import fleet_loads
from costplane.surfaces.cli import app
from costplane.warehouse import ALLOCATIONS, Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet
from tests.focus_validator import focus_validate

ROOT = Path(__file__).resolve().parents[2]
KNOWN_FAILURES = ROOT / "docs" / "focus-known-failures.txt"
DOCS = ROOT / "docs" / "focus-export.md"
CLAIMED = (
    "ACCOUNT_NAMING_SUPPORTED,SUB_ACCOUNT_SUPPORTED,TAGGING_SUPPORTED,"
    "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED,RESOURCE_TYPE_ASSIGNMENT_SUPPORTED"
)
"""The FOCUS applicability criteria the export supports, so their conditional rules run too."""

SPEC = FleetSpec(tenants=20, days=3, seed=3, start=dt.date(2026, 9, 29))
"""Three days across a month end: 29 and 30 September, 1 October."""
SEPTEMBER = Window.month("2026-09")
OVERHEAD = """allocation:
  overhead:
    - id: platform-team
      description: on-call and platform engineering
      monthly_amount: "3000.00"
"""

DECIMAL = pa.decimal128(38, 9)
STRING = pa.string()
INSTANT = pa.timestamp("us", tz="UTC")
MANDATORY = {
    "BilledCost": DECIMAL,
    "BillingAccountId": STRING,
    "BillingAccountName": STRING,
    "BillingCurrency": STRING,
    "BillingPeriodEnd": INSTANT,
    "BillingPeriodStart": INSTANT,
    "ChargeCategory": STRING,
    "ChargeClass": STRING,
    "ChargeDescription": STRING,
    "ChargePeriodEnd": INSTANT,
    "ChargePeriodStart": INSTANT,
    "ContractedCost": DECIMAL,
    "EffectiveCost": DECIMAL,
    "InvoiceIssuerName": STRING,
    "ListCost": DECIMAL,
    "PricingQuantity": DECIMAL,
    "PricingUnit": STRING,
    "ProviderName": STRING,
    "PublisherName": STRING,
    "ServiceCategory": STRING,
    "ServiceName": STRING,
}
"""The columns FOCUS 1.2 requires of every dataset, as Arrow types: Decimal, String, Date/Time."""
SUPPORTED = {
    "ChargeFrequency": STRING,
    "InvoiceId": STRING,
    "ResourceId": STRING,
    "ResourceName": STRING,
    "ResourceType": STRING,
    "ServiceSubcategory": STRING,
    "SubAccountId": STRING,
    "SubAccountName": STRING,
    "Tags": STRING,
}
"""Recommended and conditional FOCUS columns the export fills."""
CUSTOM = ("x_Environment", "x_ServiceClass", "x_CostDomain", "x_CostplaneKind", "x_CostplaneSource")


@dataclass(frozen=True)
class Project:
    home: Path
    catalog: Catalog

    @property
    def url(self) -> str:
        return f"duckdb:///{self.home / '.costplane' / 'warehouse.duckdb'}"

    def warehouse(self) -> Warehouse:
        return connect_warehouse(self.url)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fleet") / "fleet"
    generate_fleet(SPEC, out)
    return out


@pytest.fixture(scope="module")
def project(fleet: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project whose catalog adds platform overhead to the fleet's, allocated on DuckDB."""
    home = tmp_path_factory.mktemp("home")
    (home / "costplane.yaml").write_text((fleet / "costplane.yaml").read_text() + OVERHEAD)
    catalog = load_catalog(home / "costplane.yaml")
    (home / ".costplane").mkdir()
    found = Project(home, catalog)
    with found.warehouse() as warehouse:
        allocate_fleet(warehouse, fleet, catalog)
    return found


def allocate_fleet(warehouse: Warehouse, fleet: Path, catalog: Catalog) -> None:
    warehouse.ingest(fleet_loads(fleet, catalog.labels))
    allocate(warehouse, catalog, Window(SPEC.start, SPEC.start + dt.timedelta(days=SPEC.days)))


@pytest.fixture(scope="module")
def exported(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "focus-2026-09.parquet"
    with project.warehouse() as warehouse:
        export_focus(warehouse, project.catalog, SEPTEMBER, out)
    return out


@pytest.fixture(scope="module")
def focus(exported: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(exported).to_pylist()
    return rows


@pytest.fixture(scope="module")
def allocations(project: Project) -> list[dict[str, Any]]:
    """September's rows of the `allocations` table, read straight from the warehouse."""
    with project.warehouse() as warehouse:
        table = warehouse.table(ALLOCATIONS.name)
        inside = table.filter(table.day >= SEPTEMBER.start, table.day < SEPTEMBER.end)
        return list(inside.to_pyarrow().to_pylist())


def total(rows: list[dict[str, Any]], column: str) -> Decimal:
    return sum((row[column] for row in rows), Decimal(0))


def test_every_mandatory_focus_column_is_there_with_its_type(exported: Path) -> None:
    schema = pq.read_schema(exported)
    for name, arrow_type in {**MANDATORY, **SUPPORTED}.items():
        assert name in schema.names, f"{name} is missing"
        assert schema.field(name).type == arrow_type, name
    assert [n for n in schema.names if n.startswith("x_")] == list(CUSTOM)
    assert schema.names[-len(CUSTOM) :] == list(CUSTOM), "custom columns come after FOCUS's"
    assert not any(pa.types.is_floating(field.type) for field in schema), "money is never a float"
    assert schema == FOCUS_SCHEMA


def test_billed_cost_adds_up_to_the_months_allocation_exactly(
    focus: list[dict[str, Any]], allocations: list[dict[str, Any]]
) -> None:
    assert all(isinstance(row["BilledCost"], Decimal) for row in focus)
    assert total(focus, "BilledCost") == total(allocations, "cost") > 0
    assert total(focus, "EffectiveCost") == total(allocations, "amortized_cost")
    # the platform charges at cost: no list or negotiated price of its own
    assert all(r["ListCost"] == r["ContractedCost"] == r["BilledCost"] for r in focus)


def test_rows_are_the_days_of_the_period_in_its_billing_period(
    focus: list[dict[str, Any]],
) -> None:
    utc = dt.UTC
    days = {row["ChargePeriodStart"] for row in focus}
    assert days == {dt.datetime(2026, 9, d, tzinfo=utc) for d in (29, 30)}, "1 October left out"
    for row in focus:
        assert row["ChargePeriodEnd"] - row["ChargePeriodStart"] == dt.timedelta(days=1)
        assert row["BillingPeriodStart"] == dt.datetime(2026, 9, 1, tzinfo=utc)
        assert row["BillingPeriodEnd"] == dt.datetime(2026, 10, 1, tzinfo=utc)
        assert (row["ChargeCategory"], row["ChargeClass"]) == ("Usage", None)
        assert (row["PricingQuantity"], row["PricingUnit"]) == (Decimal(1), "Days")


def test_one_tenants_sub_account_rows_equal_its_allocations(
    focus: list[dict[str, Any]], allocations: list[dict[str, Any]], project: Project
) -> None:
    tenant = project.catalog.tenants[0]

    def by_line(rows: list[dict[str, Any]], key: tuple[str, ...], cost: str) -> dict[Any, Decimal]:
        sums: dict[Any, Decimal] = defaultdict(Decimal)
        for row in rows:
            day = row["ChargePeriodStart"].date() if "ChargePeriodStart" in row else row["day"]
            sums[(day, *(row[k] for k in key))] += row[cost]
        return dict(sums)

    mine = [r for r in focus if r["SubAccountId"] == tenant.id]
    theirs = [r for r in allocations if r["tenant"] == tenant.id]
    file_key = (
        "x_Environment",
        "x_ServiceClass",
        "x_CostDomain",
        "x_CostplaneKind",
        "x_CostplaneSource",
        "ResourceName",
    )
    table_key = ("environment", "service_class", "cost_domain", "kind", "source", "namespace")
    assert by_line(mine, file_key, "BilledCost") == by_line(theirs, table_key, "cost")
    assert by_line(mine, file_key, "EffectiveCost") == by_line(theirs, table_key, "amortized_cost")
    assert {r["SubAccountName"] for r in mine} == {tenant.name}
    assert {r["x_CostplaneKind"] for r in mine} >= {"direct", "shared", "overhead"}


def test_untenanted_cost_is_exported_without_a_sub_account(
    focus: list[dict[str, Any]], allocations: list[dict[str, Any]]
) -> None:
    untenanted = [r for r in focus if r["SubAccountId"] is None]
    assert {r["x_CostplaneKind"] for r in untenanted} == {"idle", "unallocated"}
    assert all(r["SubAccountName"] is None and r["Tags"] is None for r in untenanted)
    expected = total([r for r in allocations if r["tenant"] is None], "cost")
    assert total(untenanted, "BilledCost") == expected > 0


def test_x_columns_tags_and_services_describe_each_row(focus: list[dict[str, Any]]) -> None:
    tenanted = [r for r in focus if r["SubAccountId"] is not None]
    for row in tenanted:
        tags = json.loads(row["Tags"])
        assert tags["costplane.io/tenant"] == row["SubAccountId"]
        assert tags.get("costplane.io/environment") == row["x_Environment"]
        assert tags["costplane.io/service-class"] == row["x_ServiceClass"]
    assert {r["x_Environment"] for r in tenanted} >= {"production", "development"}
    services = {
        (r["x_CostDomain"], r["ServiceName"], r["ServiceCategory"], r["ServiceSubcategory"])
        for r in focus
    }
    domains = {"compute", "database", "storage", "cache", "ingress", "observability", "backup"}
    assert {domain for domain, *_ in services} == {*domains, "overhead"}
    names = [name for _, name, *_ in services]
    assert len(names) == len(set(names)), "one service per cost domain, one subcategory each"
    assert ("database", "Managed PostgreSQL", "Databases", "Relational Databases") in services
    overhead = [r for r in focus if r["x_CostplaneKind"] == "overhead"]
    assert {r["ChargeFrequency"] for r in overhead} == {"Recurring"}
    assert {r["ServiceName"] for r in overhead} == {"Other Platform Costs"}
    assert {r["x_CostplaneSource"] for r in overhead} == {"catalog"}
    others = [r for r in focus if r["x_CostplaneKind"] != "overhead"]
    assert {r["ChargeFrequency"] for r in others} == {"Usage-Based"}


def test_namespaces_are_the_resources_and_the_platform_the_provider(
    focus: list[dict[str, Any]],
) -> None:
    for row in focus:
        assert {row["ProviderName"], row["PublisherName"], row["InvoiceIssuerName"]} == {
            "Costplane platform"
        }
        assert (row["BillingAccountId"], row["BillingCurrency"]) == ("costplane-platform", "EUR")
        assert row["InvoiceId"] is None, "allocated cost is not an invoice"
        if row["ResourceName"] is None:
            assert (row["ResourceId"], row["ResourceType"]) == (None, None)
        else:
            assert row["ResourceId"].endswith("/" + row["ResourceName"])
            assert row["ResourceType"] == "Kubernetes Namespace"
    assert any(r["ResourceId"] for r in focus if r["x_CostplaneKind"] == "unallocated"), (
        "the unlabelled namespace is named, so it can be fixed"
    )


def test_the_rows_are_in_a_stable_order(exported: Path, project: Project, tmp_path: Path) -> None:
    again = tmp_path / "again.parquet"
    with project.warehouse() as warehouse:
        export_focus(warehouse, project.catalog, SEPTEMBER, again)
    assert pq.read_table(again).equals(pq.read_table(exported))


def test_a_period_never_allocated_is_refused_and_nothing_written(
    project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "focus.parquet"
    with project.warehouse() as warehouse, pytest.raises(InputError) as refused:
        export_focus(warehouse, project.catalog, Window.month("2026-11"), out)
    assert "costplane allocate" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_earlier_file_and_leaves_no_partial_one(
    project: Project, exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "focus.parquet"
    shutil.copy(exported, out)
    earlier = out.read_bytes()
    import costplane.allocation.focus_export as focus_export

    # the allocation now says something else than the rows: the check must stop the rename
    monkeypatch.setattr(
        focus_export, "allocation_totals", lambda warehouse, window: (Decimal(1), Decimal(1))
    )
    with project.warehouse() as warehouse, pytest.raises(ExecutionError, match="nothing was"):
        export_focus(warehouse, project.catalog, SEPTEMBER, out)
    assert out.read_bytes() == earlier
    assert [p.name for p in tmp_path.iterdir()] == ["focus.parquet"]


def test_the_provider_and_billing_account_can_be_named(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "f.parquet"
    provider = FocusProvider("Nordic Odoo Hosting AB", billing_account_id="noh-0042")
    with project.warehouse() as warehouse:
        export_focus(warehouse, project.catalog, SEPTEMBER, out, provider)
    table = pq.read_table(
        out, columns=["ProviderName", "InvoiceIssuerName", "BillingAccountId", "BillingAccountName"]
    )
    assert {tuple(row.values()) for row in table.to_pylist()} == {
        ("Nordic Odoo Hosting AB", "Nordic Odoo Hosting AB", "noh-0042", "Nordic Odoo Hosting AB")
    }
    assert FocusProvider("Nordic Odoo Hosting AB").account_id == "nordic-odoo-hosting-ab"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("COSTPLANE_HOME", "COSTPLANE_STATE_URL", "COSTPLANE_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_cli_writes_the_file_and_summarises_it_as_json(
    cli: CliRunner, project: Project, allocations: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "focus.parquet"
    args = ["--home", str(project.home), "export", "focus", "--period", "2026-09"]
    result = cli.invoke(app, [*args, "--out", str(out), "--output", "json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    table = pq.read_table(out)
    assert summary == {
        "path": str(out),
        "period": "2026-09",
        "rows": table.num_rows,
        "sub_accounts": SPEC.tenants,
        "currency": "EUR",
        "billed_cost": format(total(allocations, "cost"), "f"),
        "effective_cost": format(total(allocations, "amortized_cost"), "f"),
    }


def test_cli_refuses_a_period_not_allocated_with_one_line_and_exit_2(
    cli: CliRunner, project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "focus.parquet"
    args = ["--home", str(project.home), "export", "focus", "--period", "2026-11"]
    result = cli.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "2026-11 is not allocated: run `costplane allocate" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_postgres_exports_its_allocation_exactly_too(
    fleet: Path, project: Project, postgres_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "focus.parquet"
    with connect_warehouse(postgres_url) as warehouse:
        allocate_fleet(warehouse, fleet, project.catalog)
        written = export_focus(warehouse, project.catalog, SEPTEMBER, out)
        table = warehouse.table(ALLOCATIONS.name)
        inside = table.filter(table.day < SEPTEMBER.end)
        expected = inside.aggregate(cost=inside.cost.sum(), amortized=inside.amortized_cost.sum())
        [allocated] = expected.to_pyarrow().to_pylist()
    focus = pq.read_table(out)
    assert focus.schema == FOCUS_SCHEMA
    rows = focus.to_pylist()
    assert written.billed_cost == total(rows, "BilledCost") == allocated["cost"]
    assert written.effective_cost == total(rows, "EffectiveCost") == allocated["amortized"]


def test_docs_describe_every_column_and_each_known_failure_has_a_reason() -> None:
    text = DOCS.read_text()
    for name in FOCUS_SCHEMA.names:
        assert f"`{name}`" in text, f"docs/focus-export.md does not describe {name}"
    for rule, reason in known_failures().items():
        assert reason, f"{rule}: give the reason after '#'"
        assert rule in text, f"docs/focus-export.md does not prove {rule}"


def known_failures() -> dict[str, str]:
    """docs/focus-known-failures.txt: rule id, `#`, why (lines starting with `#` are comments)."""
    found = {}
    for line in KNOWN_FAILURES.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rule, _, reason = line.partition("#")
            found[rule.strip()] = reason.strip()
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    "criteria", [[], ["--applicability-criteria", CLAIMED]], ids=["default", "claimed-criteria"]
)
def test_focus_validator_finds_only_the_known_false_positives(
    exported: Path, criteria: list[str]
) -> None:
    done = focus_validate(exported, "--known", str(KNOWN_FAILURES), *criteria)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr[-2000:]}"
    failed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert failed == set(known_failures()), "a known failure no longer fails: remove it"


@pytest.mark.slow
def test_the_invoice_id_false_positive_fails_either_way(exported: Path, tmp_path: Path) -> None:
    """The proof for docs/focus-known-failures.txt: InvoiceId-C-004-C (null) and -C-005-C (not
    null) carry no condition in the validator, so one of them fails whatever InvoiceId holds."""
    table = pq.read_table(exported)
    column = table.schema.get_field_index("InvoiceId")
    invoiced = tmp_path / "invoiced.parquet"
    filled = pa.array(["CP-2026-09"] * table.num_rows, pa.string())
    pq.write_table(table.set_column(column, "InvoiceId", filled), invoiced)

    def invoice_rules(path: Path) -> set[str]:
        failed = {
            line.split()[0] for line in focus_validate(path).stdout.splitlines() if line.strip()
        }
        return {rule for rule in failed if rule.startswith("InvoiceId-")}

    assert invoice_rules(exported) == {"InvoiceId-C-005-C"}
    assert invoice_rules(invoiced) == {"InvoiceId-C-004-C"}
