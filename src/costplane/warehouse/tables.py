"""The warehouse's declared fact tables.

Every table holds rows from loads: each row carries the `load_id` of the load
that wrote it, and the `loads` table says which source, scope and period that
load covered. Loading the same (table, source, scope, period) again replaces
those rows; see `ingest.py`.

Conventions, the same on every engine:
- timestamps are UTC and stored without a zone (`timestamp`), dates are UTC days;
- money and billed quantities are `decimal(38, 18)`, never floats;
- measured usage (cores, bytes averaged over an hour) is `float64`;
- Kubernetes objects and FOCUS tags are JSON text, so every engine can hold them.

`kind` says how a table's rows relate to time: a `series` table holds facts
about a period (usage in an hour, a billed charge) and its loads must not
overlap; a `snapshot` table holds what a source reported at an instant
(`taken_at`), and readers take the latest snapshot per scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.datatypes as dt
from ibis.expr.schema import Schema

MONEY = dt.Decimal(38, 18)
QUANTITY = dt.Decimal(38, 18)


@dataclass(frozen=True)
class FactTable:
    name: str
    kind: Literal["series", "snapshot"]
    time_column: str
    schema: Schema
    description: str

    @property
    def stored_schema(self) -> Schema:
        """The schema as stored: the declared columns plus `load_id`."""
        return ibis.schema({"load_id": "int64", **dict(self.schema.items())})


USAGE_SAMPLES = FactTable(
    name="usage_samples",
    kind="series",
    time_column="hour",
    description=(
        "one row per container per hour: requests, limits and measured use, and the pod's "
        "controlling workload"
    ),
    schema=ibis.schema(
        {
            "hour": "timestamp",
            "cluster": "string",
            "node": "string",
            "namespace": "string",
            "pod": "string",
            "container": "string",
            "cpu_request_cores": "float64",
            "cpu_limit_cores": "float64",
            "cpu_usage_cores": "float64",
            "cpu_usage_max_cores": "float64",
            "memory_request_bytes": "int64",
            "memory_limit_bytes": "int64",
            "memory_usage_bytes": "float64",
            "memory_peak_bytes": "float64",
            "workload_kind": "string",
            "workload_name": "string",
        }
    ),
)

SERVICE_USAGE = FactTable(
    name="service_usage",
    kind="series",
    time_column="day",
    description=(
        "one row per namespace, service and resource per day: Traefik requests per router, "
        "log bytes, egress bytes, object storage bytes per tenant prefix"
    ),
    schema=ibis.schema(
        {
            "day": "date",
            "cluster": "string",
            "namespace": "string",
            "service": "string",
            "resource": "string",
            "metric": "string",
            "quantity": "float64",
        }
    ),
)

BILLING_LINES = FactTable(
    name="billing_lines",
    kind="series",
    time_column="billing_period_start",
    description="FOCUS cost and usage rows, one per charge, as billed",
    schema=ibis.schema(
        {
            "billing_account_id": "string",
            "billing_account_name": "string",
            "billing_period_start": "timestamp",
            "billing_period_end": "timestamp",
            "billing_currency": "string",
            "charge_period_start": "timestamp",
            "charge_period_end": "timestamp",
            "charge_category": "string",
            "charge_class": "string",
            "charge_frequency": "string",
            "charge_description": "string",
            "billed_cost": MONEY,
            "effective_cost": MONEY,
            "list_cost": MONEY,
            "contracted_cost": MONEY,
            "list_unit_price": MONEY,
            "contracted_unit_price": MONEY,
            "pricing_category": "string",
            "pricing_quantity": QUANTITY,
            "pricing_unit": "string",
            "consumed_quantity": QUANTITY,
            "consumed_unit": "string",
            "provider_name": "string",
            "publisher_name": "string",
            "invoice_issuer_name": "string",
            "invoice_id": "string",
            "service_category": "string",
            "service_subcategory": "string",
            "service_name": "string",
            "resource_id": "string",
            "resource_name": "string",
            "resource_type": "string",
            "region_id": "string",
            "region_name": "string",
            "availability_zone": "string",
            "sku_id": "string",
            "sku_price_id": "string",
            "sub_account_id": "string",
            "sub_account_name": "string",
            "commitment_discount_id": "string",
            "commitment_discount_category": "string",
            "commitment_discount_status": "string",
            "commitment_discount_type": "string",
            "tags": "string",
            "extra_columns": "string",
            "focus_version": "string",
            "source_file": "string",
            "source_row": "int64",
        }
    ),
)

INVENTORY_SNAPSHOTS = FactTable(
    name="inventory_snapshots",
    kind="snapshot",
    time_column="taken_at",
    description="Kubernetes objects as their camelCase JSON, tied to tenant, environment and class",
    schema=ibis.schema(
        {
            "taken_at": "timestamp",
            "cluster": "string",
            "api_version": "string",
            "kind": "string",
            "namespace": "string",
            "name": "string",
            "uid": "string",
            "tenant": "string",
            "environment": "string",
            "service_class": "string",
            "labels": "string",
            "object": "string",
        }
    ),
)

INVENTORY_COLUMNS = FactTable(
    name="inventory_columns",
    kind="snapshot",
    time_column="taken_at",
    description=(
        "The objects of each kind of an inventory snapshot as columns, for policies to read "
        "without parsing every object (`columnar.py`)"
    ),
    schema=ibis.schema(
        {
            "taken_at": "timestamp",
            "cluster": "string",
            "kind": "string",
            "objects": "int64",
            "doc": "string",
            "texts": "string",
        }
    ),
)

DATABASE_STATS = FactTable(
    name="database_stats",
    kind="snapshot",
    time_column="taken_at",
    description=(
        "PostgreSQL sizes per database, table and index; Odoo attachments per model "
        "(relation_kind 'attachments', relation = res_model)"
    ),
    schema=ibis.schema(
        {
            "taken_at": "timestamp",
            "server": "string",
            "database": "string",
            "tenant": "string",
            "environment": "string",
            "relation_kind": "string",
            "relation": "string",
            "size_bytes": "int64",
            "row_count": "int64",
            "row_count_exact": "boolean",
            "index_scans": "int64",
            "bloat_bytes": "int64",
            "logical_bytes": "int64",
            "db_bytes": "int64",
            "connections": "int64",
            "idle_connections": "int64",
        }
    ),
)

CACHE_STATS = FactTable(
    name="cache_stats",
    kind="snapshot",
    time_column="taken_at",
    description="Redis memory per server (tenant empty) and per tenant key space",
    schema=ibis.schema(
        {
            "taken_at": "timestamp",
            "server": "string",
            "tenant": "string",
            "keys": "int64",
            "memory_bytes": "int64",
            "sampled_fraction": "float64",
            "used_memory_bytes": "int64",
            "maxmemory_bytes": "int64",
            "maxmemory_policy": "string",
            "evicted_keys": "int64",
            "expired_keys": "int64",
        }
    ),
)

BACKUP_RECORDS = FactTable(
    name="backup_records",
    kind="snapshot",
    time_column="taken_at",
    description="the backup catalogue as listed at taken_at, and restore tests with evidence",
    schema=ibis.schema(
        {
            "taken_at": "timestamp",
            "record_type": "string",
            "tool": "string",
            "backup_id": "string",
            "tenant": "string",
            "environment": "string",
            "database": "string",
            "backup_type": "string",
            "started_at": "timestamp",
            "finished_at": "timestamp",
            "size_bytes": "int64",
            "location": "string",
            "location_region": "string",
            "data_region": "string",
            "status": "string",
            "evidence_url": "string",
        }
    ),
)

BUSINESS_SIGNALS = FactTable(
    name="business_signals",
    kind="series",
    time_column="day",
    description="business volume per tenant per day: orders, pickings, invoices",
    schema=ibis.schema(
        {
            "day": "date",
            "tenant": "string",
            "environment": "string",
            "signal": "string",
            "count": "int64",
        }
    ),
)

FACT_TABLES: dict[str, FactTable] = {
    t.name: t
    for t in (
        USAGE_SAMPLES,
        SERVICE_USAGE,
        BILLING_LINES,
        INVENTORY_SNAPSHOTS,
        INVENTORY_COLUMNS,
        DATABASE_STATS,
        CACHE_STATS,
        BACKUP_RECORDS,
        BUSINESS_SIGNALS,
    )
}


@dataclass(frozen=True)
class DerivedTable:
    """A table Costplane computes from the fact tables, replaced a range of days at a time."""

    name: str
    day_column: str
    schema: Schema
    description: str


ALLOCATIONS = DerivedTable(
    name="allocations",
    day_column="day",
    description=(
        "cost per day, tenant, environment, service class, namespace and cost domain; "
        "kind direct|shared|idle|unallocated|overhead; source bill|price-sheet|catalog"
    ),
    schema=ibis.schema(
        {
            "day": "date",
            "tenant": "string",
            "environment": "string",
            "service_class": "string",
            "namespace": "string",
            "cluster": "string",
            "node_pool": "string",
            "cost_domain": "string",
            "kind": "string",
            "source": "string",
            "resource": "string",
            "cost": dt.Decimal(38, 9),
            "amortized_cost": dt.Decimal(38, 9),
            "cpu_core_hours": "float64",
            "cpu_usage_core_hours": "float64",
            "memory_gib_hours": "float64",
            "memory_usage_gib_hours": "float64",
            "efficiency": "float64",
            "allocated_at": "timestamp",
        }
    ),
)

DERIVED_TABLES: dict[str, DerivedTable] = {ALLOCATIONS.name: ALLOCATIONS}

LOADS = ibis.schema(
    {
        "load_id": "int64",
        "table_name": "string",
        "source": "string",
        "scope": "string",
        "period_start": "timestamp",
        "period_end": "timestamp",
        "rows": "int64",
        "loaded_at": "timestamp",
        "replaced_load_id": "int64",
        "restored_from": "int64",
    }
)
"""Which load wrote which rows: the registry that makes re-ingest a replacement.
`replaced_load_id` is the load it took the place of (kept in `replaced_loads`),
`restored_from` the kept load a restore brought back; NULL otherwise."""

REPLACED_LOADS = ibis.schema(
    {
        **dict(LOADS.items()),
        "replaced_by": "int64",
        "replaced_at": "timestamp",
    }
)
"""The loads a later load replaced, kept with their rows so that they can be restored."""


def replaced_table(name: str) -> str:
    """Where the rows of a fact table's replaced loads are kept: `replaced_<name>`."""
    return f"replaced_{name}"
