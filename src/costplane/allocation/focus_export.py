"""The allocation of a month as FOCUS 1.2 cost and usage rows (docs/focus-export.md).

The platform is the provider, publisher and invoice issuer; each tenant is a
SubAccount. `focus_rows` is one Ibis expression over the `allocations` table and
the catalog's tenants, so it runs on every engine; `export_focus` streams it into
a Parquet file with the FOCUS column types (money as decimal128, never floats), or a
CSV file (`.csv`, `.csv.gz`: money as plain decimal text, instants as ISO 8601 UTC),
checks that the file adds up to the allocation exactly and only then moves it to
its name, so a reader never sees a partial file.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from costplane.allocation.kind import AllocationKind
from costplane.allocation.window import Window
from costplane.catalog import Catalog, CostDomain
from costplane.errors import ExecutionError, InputError
from costplane.focus_columns import INSTANT, MANDATORY, arrow_field
from costplane.warehouse import ALLOCATIONS, Warehouse, temporary_table
from costplane.written_file import check_target, replacing, shown

DEFAULT_PROVIDER = "Costplane platform"
MONEY = pa.decimal128(38, 9)
"""The allocation's own precision: whole nano-units, so no amount is rounded on the way."""
BATCH_ROWS = 100_000
"""Rows fetched and written at a time: a month of thousands of tenants never sits in memory."""

BEYOND_MANDATORY = frozenset(
    {
        "ChargeFrequency",
        "InvoiceId",
        "ResourceId",
        "ResourceName",
        "ResourceType",
        "ServiceSubcategory",
        "SubAccountId",
        "SubAccountName",
        "Tags",
    }
)
"""The optional FOCUS 1.2 columns an allocation can fill (InvoiceId stays null: no invoice
is issued yet); the export writes these and the mandatory ones."""
X_COLUMNS = (
    "x_Environment",
    "x_ServiceClass",
    "x_CostDomain",
    "x_CostplaneKind",
    "x_CostplaneSource",
)
FOCUS_SCHEMA = pa.schema(
    [arrow_field(c, MONEY) for c in sorted(MANDATORY["1.2"] | BEYOND_MANDATORY)]
    + [pa.field(c, pa.string()) for c in X_COLUMNS]
)
"""FOCUS columns in alphabetical order, then Costplane's `x_` columns."""


@dataclass(frozen=True)
class Service:
    """A FOCUS service: one category and one subcategory from the FOCUS 1.2 allowed values."""

    name: str
    category: str
    subcategory: str


SERVICES: dict[str, Service] = {
    CostDomain.COMPUTE.value: Service("Kubernetes Compute", "Compute", "Containers"),
    CostDomain.DATABASE.value: Service("Managed PostgreSQL", "Databases", "Relational Databases"),
    CostDomain.STORAGE.value: Service("Persistent Storage", "Storage", "Other (Storage)"),
    CostDomain.CACHE.value: Service("Managed Redis", "Databases", "Caching"),
    CostDomain.INGRESS.value: Service(
        "Ingress and Networking", "Networking", "Application Networking"
    ),
    CostDomain.OBSERVABILITY.value: Service(
        "Logging and Monitoring", "Management and Governance", "Observability"
    ),
    CostDomain.BACKUP.value: Service("Backup", "Storage", "Backup Storage"),
}
"""The service of each cost domain; the `overhead` domain (catalog overhead without a
domain, bill charges no domain fits) is OTHER."""
OTHER = Service("Other Platform Costs", "Other", "Other (Other)")

CHARGES: dict[AllocationKind, str] = {
    AllocationKind.DIRECT: "Direct cost of ",
    AllocationKind.SHARED: "Share of shared ",
    AllocationKind.IDLE: "Idle capacity of ",
    AllocationKind.UNALLOCATED: "Unallocated cost of ",
    AllocationKind.OVERHEAD: "Share of overhead in ",
}
"""ChargeDescription by allocation kind: these words, then the ServiceName."""
PRICE_SHEET_NOTE = " (priced from the price sheet: no bill covered it)"


@dataclass(frozen=True)
class FocusProvider:
    """Who provides, publishes and invoices the exported charges, and its billing account."""

    name: str = DEFAULT_PROVIDER
    billing_account_id: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("the provider name must not be empty")
        if self.billing_account_id is not None and not self.billing_account_id.strip():
            raise InputError("the billing account id must not be empty")

    @property
    def account_id(self) -> str:
        """The billing account id given, else the name in lower case with dashes."""
        if self.billing_account_id:
            return self.billing_account_id
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "platform"


@dataclass(frozen=True)
class FocusExport:
    """What `export_focus` wrote."""

    path: Path
    period: Window
    currency: str
    rows: int
    sub_accounts: int
    billed_cost: Decimal
    effective_cost: Decimal


ORDER = [
    "ChargePeriodStart",
    "SubAccountId",
    "x_Environment",
    "x_ServiceClass",
    "x_CostDomain",
    "x_CostplaneKind",
    "x_CostplaneSource",
    "ResourceId",
]
"""A total order of the rows: by day, then tenant, environment, class, domain, kind, source
and namespace (untenanted rows after each day's tenants)."""


def focus_rows(
    warehouse: Warehouse, catalog: Catalog, window: Window, provider: FocusProvider
) -> ir.Table:
    """The window's allocation as FOCUS rows, one per day, tenant, environment, service class,
    cost domain, kind, source and namespace; columns named and ordered as FOCUS_SCHEMA."""
    allocations = warehouse.table(ALLOCATIONS.name)
    lines = allocations.filter(allocations.day >= window.start, allocations.day < window.end)
    lines = lines.mutate(
        resource_id=ibis.coalesce(lines.cluster + "/" + lines.namespace, lines.namespace)
    )
    keys = [
        "day",
        "tenant",
        "environment",
        "service_class",
        "cost_domain",
        "kind",
        "source",
        "resource_id",
        "namespace",
    ]
    grouped = lines.group_by(keys).aggregate(
        billed=lines.cost.sum().cast(dt.Decimal(38, 9)),
        effective=lines.amortized_cost.sum().cast(dt.Decimal(38, 9)),
    )
    names = tenant_names(warehouse, catalog)
    rows = grouped.left_join(names, grouped.tenant == names.tenant_id).drop("tenant_id")
    service = {
        part: ibis.cases(
            *((rows.cost_domain == domain, getattr(s, part)) for domain, s in SERVICES.items()),
            else_=getattr(OTHER, part),
        )
        for part in ("name", "category", "subcategory")
    }
    charge_start = rows.day.cast("timestamp")
    none = ibis.null(str)
    focus = rows.select(
        BilledCost=rows.billed,
        BillingAccountId=ibis.literal(provider.account_id),
        BillingAccountName=ibis.literal(provider.name),
        BillingCurrency=ibis.literal(catalog.currency),
        BillingPeriodEnd=ibis.literal(window.end_at),
        BillingPeriodStart=ibis.literal(window.start_at),
        ChargeCategory=ibis.literal("Usage"),
        ChargeClass=none,
        ChargeDescription=description(rows.kind, rows.source, service["name"]),
        ChargeFrequency=ibis.ifelse(
            rows.kind == AllocationKind.OVERHEAD, "Recurring", "Usage-Based"
        ),
        ChargePeriodEnd=charge_start + ibis.interval(days=1),
        ChargePeriodStart=charge_start,
        ContractedCost=rows.billed,
        EffectiveCost=rows.effective,
        InvoiceId=none,
        InvoiceIssuerName=ibis.literal(provider.name),
        ListCost=rows.billed,
        PricingQuantity=ibis.literal(Decimal(1), type=dt.Decimal(38, 9)),
        PricingUnit=ibis.literal("Days"),
        ProviderName=ibis.literal(provider.name),
        PublisherName=ibis.literal(provider.name),
        ResourceId=rows.resource_id,
        ResourceName=rows.namespace,
        ResourceType=ibis.ifelse(rows.resource_id.notnull(), "Kubernetes Namespace", none),
        ServiceCategory=service["category"],
        ServiceName=service["name"],
        ServiceSubcategory=service["subcategory"],
        SubAccountId=rows.tenant,
        SubAccountName=ibis.ifelse(
            rows.tenant.notnull(), rows.tenant_name.fill_null(rows.tenant), none
        ),
        Tags=tags(
            [
                (catalog.labels.tenant, rows.tenant),
                (catalog.labels.environment, rows.environment),
                (catalog.labels.service_class, rows.service_class),
            ]
        ),
        x_Environment=rows.environment,
        x_ServiceClass=rows.service_class,
        x_CostDomain=rows.cost_domain,
        x_CostplaneKind=rows.kind,
        x_CostplaneSource=rows.source,
    )
    return focus.order_by(ORDER)


def tenant_names(warehouse: Warehouse, catalog: Catalog) -> ir.Table:
    """The catalog's tenant ids and names, as a temporary table on the warehouse's engine."""
    names = pa.table(
        {
            "tenant_id": [tenant.id for tenant in catalog.tenants],
            "tenant_name": [tenant.name for tenant in catalog.tenants],
        },
        schema=pa.schema([("tenant_id", pa.string()), ("tenant_name", pa.string())]),
    )
    return temporary_table(warehouse, "focus_tenants", names)


def description(kind: ir.StringValue, source: ir.StringValue, service: ir.StringValue) -> ir.Value:
    """ChargeDescription: what the amount is, in the words of CHARGES."""
    words = ibis.cases(*((kind == name, text) for name, text in CHARGES.items()), else_="")
    return words + service + ibis.ifelse(source == "price-sheet", PRICE_SHEET_NOTE, "")


def tags(pairs: list[tuple[str, ir.StringValue]]) -> ir.Value:
    """A JSON object of the label keys whose value is known; null when none is."""
    members = [
        ibis.ifelse(value.notnull(), ibis.literal(json.dumps(key) + ":") + json_string(value), None)
        for key, value in pairs
    ]
    body = ibis.literal(",").join(members)
    return ibis.ifelse(body == "", ibis.null(str), "{" + body + "}")


def json_string(value: ir.StringValue) -> ir.StringValue:
    """A string as a JSON string literal (labels are DNS-like, but a tag may hold anything)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for control, escape in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        escaped = escaped.replace(control, escape)
    return '"' + escaped + '"'


def export_focus(
    warehouse: Warehouse,
    catalog: Catalog,
    window: Window,
    out: Path,
    provider: FocusProvider | None = None,
) -> FocusExport:
    """Write the window's allocation to `out` as FOCUS 1.2, replacing it atomically; the
    name says the format: `.parquet`, `.csv` or `.csv.gz`.

    Raises InputError (nothing written) when the window has no allocation or `out`
    cannot be a file or has another suffix, and ExecutionError when what was written
    does not add up to the allocation to the nano-unit (the file is then not published).
    """
    provider = provider or FocusProvider()
    out = Path(out)
    label = f"--out {shown(out)}"
    check_target(out, label=label)  # refused before anything is read
    suffix = focus_suffix(out)
    allocated = allocation_totals(warehouse, window)
    if allocated is None:
        last = window.days()[-1]
        raise InputError(
            f"{window.start:%Y-%m} is not allocated: run `costplane allocate "
            f"--from {window.start} --to {last}` first"
        )
    expression = focus_rows(warehouse, catalog, window, provider)
    with replacing(out, label=label) as temporary:
        written = write_focus(expression, temporary, suffix)
        if (written.billed_cost, written.effective_cost) != allocated:
            raise ExecutionError(
                f"the FOCUS rows add up to {written.billed_cost} billed and "
                f"{written.effective_cost} effective, the allocation of {window.label} to "
                f"{allocated[0]} and {allocated[1]}; nothing was written"
            )
    return FocusExport(
        path=out,
        period=window,
        currency=catalog.currency,
        rows=written.rows,
        sub_accounts=len(written.sub_accounts),
        billed_cost=written.billed_cost,
        effective_cost=written.effective_cost,
    )


def allocation_totals(warehouse: Warehouse, window: Window) -> tuple[Decimal, Decimal] | None:
    """The window's allocated cost and amortized cost, or None when it has no allocation."""
    table = warehouse.table(ALLOCATIONS.name)
    inside = table.filter(table.day >= window.start, table.day < window.end)
    totals = inside.aggregate(
        lines=inside.count(),
        cost=inside.cost.sum().cast(dt.Decimal(38, 9)),
        amortized=inside.amortized_cost.sum().cast(dt.Decimal(38, 9)),
    )
    [row] = totals.to_pyarrow().to_pylist()
    if not row["lines"]:
        return None
    return Decimal(row["cost"]), Decimal(row["amortized"])


@dataclass
class Written:
    """Running totals of a file being written."""

    rows: int = 0
    billed_cost: Decimal = Decimal(0)
    effective_cost: Decimal = Decimal(0)
    sub_accounts: set[str] = field(default_factory=set)


FOCUS_SUFFIXES = (".parquet", ".csv", ".csv.gz")


def focus_suffix(out: Path) -> str:
    """The format `out`'s name asks for; any other name is refused, never written as Parquet."""
    name = out.name.lower()
    for suffix in sorted(FOCUS_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise InputError(
        f"--out {shown(out)}: name a .parquet, .csv or .csv.gz file (the format follows the name)"
    )


def write_focus(expression: ir.Table, path: Path, suffix: str) -> Written:
    """Stream the rows into `path` with FOCUS_SCHEMA's types, summing as they go."""
    written = Written()
    with focus_writer(path, suffix) as write, warnings.catch_warnings():
        # Ibis 12 streams DuckDB results with fetch_record_batch(), which DuckDB 1.5 deprecates
        # in favour of to_arrow_reader(); the batches are the same.
        warnings.filterwarnings(
            "ignore", r"fetch_record_batch\(\) is deprecated", DeprecationWarning
        )
        for batch in expression.to_pyarrow_batches(chunk_size=BATCH_ROWS):
            table = focus_table(batch)
            write(table)
            written.rows += table.num_rows
            written.billed_cost += total(table["BilledCost"])
            written.effective_cost += total(table["EffectiveCost"])
            written.sub_accounts.update(pc.unique(table["SubAccountId"].drop_null()).to_pylist())
    return written


@contextmanager
def focus_writer(path: Path, suffix: str) -> Iterator[Callable[[pa.Table], None]]:
    """A function writing FOCUS_SCHEMA tables to `path` in the format of `suffix`."""
    if suffix == ".parquet":
        with pq.ParquetWriter(path, FOCUS_SCHEMA) as parquet:
            yield parquet.write_table
        return
    compression = "gzip" if suffix == ".csv.gz" else None
    with (
        pa.output_stream(path, compression=compression) as sink,
        pa_csv.CSVWriter(sink, CSV_SCHEMA) as csv,
    ):
        yield lambda table: csv.write_table(csv_table(table))


CSV_SCHEMA = pa.schema(
    [pa.field(f.name, pa.string()) if f.type in (MONEY, INSTANT) else f for f in FOCUS_SCHEMA]
)


def csv_table(table: pa.Table) -> pa.Table:
    """Money as plain decimal text (Arrow would write 0E-9) and instants as ISO 8601 UTC."""
    columns: list[pa.Array | pa.ChunkedArray] = []
    for column in table.columns:
        if column.type == MONEY:
            texts = [None if v is None else format(v, "f") for v in column.to_pylist()]
            columns.append(pa.array(texts, pa.string()))
        elif column.type == INSTANT:
            seconds = column.cast(pa.timestamp("s", tz="UTC"))  # raises rather than cut a fraction
            columns.append(pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ"))
        else:
            columns.append(column)
    return pa.Table.from_arrays(columns, schema=CSV_SCHEMA)


def focus_table(batch: pa.RecordBatch) -> pa.Table:
    """A batch of focus_rows as FOCUS_SCHEMA: naive UTC instants get their zone, money its
    exact decimal type (a cast that would lose a digit raises instead)."""
    columns = [batch.column(field.name).cast(field.type) for field in FOCUS_SCHEMA]
    return pa.Table.from_arrays(columns, schema=FOCUS_SCHEMA)


def total(column: pa.ChunkedArray) -> Decimal:
    value = pc.sum(column).as_py()
    return Decimal(0) if value is None else Decimal(value)
