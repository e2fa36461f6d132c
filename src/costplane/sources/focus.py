"""FOCUS billing files as rows of the `billing_lines` table.

FOCUS columns are PascalCase (`BilledCost`); the warehouse keeps them in
snake_case (`billed_cost`). Columns the table does not declare (provider `x_`
columns, newer FOCUS columns) are kept per row as JSON in `extra_columns`, so
nothing a user loaded is dropped. One billing account and billing period is
one load: re-ingesting it replaces it.

This reader takes Parquet as the fleet generator and most exporters write it;
CSV, validation with row numbers and quarantine belong to `costplane ingest focus`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from costplane.errors import InputError
from costplane.warehouse.tables import BILLING_LINES

_META_COLUMNS = {"extra_columns", "focus_version", "source_file", "source_row"}
_DECLARED = {name for name in BILLING_LINES.schema.names if name not in _META_COLUMNS}


@dataclass(frozen=True)
class BillingPeriod:
    """The rows of one billing account for one billing period."""

    account: str
    start: dt.datetime
    end: dt.datetime
    rows: pa.Table


def snake_case(column: str) -> str:
    """`BillingAccountId` -> `billing_account_id`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", column).lower()


def read_focus_parquet(path: Path, *, focus_version: str = "1.2") -> list[BillingPeriod]:
    """A FOCUS Parquet file split by billing account and billing period."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from exc
    rows = _billing_rows(table, path, focus_version)
    return _by_billing_period(rows, path)


def _billing_rows(table: pa.Table, path: Path, focus_version: str) -> pa.Table:
    schema = BILLING_LINES.schema.to_pyarrow()
    renamed = {snake_case(name): name for name in table.column_names}
    missing = {"billing_account_id", "billing_period_start", "billed_cost"} - set(renamed)
    if missing:
        raise InputError(f"{path}: not a FOCUS file, missing {', '.join(sorted(missing))}")
    columns: dict[str, pa.Array] = {}
    for field in schema:
        if field.name in _DECLARED and field.name in renamed:
            columns[field.name] = _cast(table.column(renamed[field.name]), field, path)
        elif field.name not in _META_COLUMNS:
            columns[field.name] = pa.nulls(table.num_rows, field.type)
    extra = [name for name in table.column_names if snake_case(name) not in _DECLARED]
    columns["extra_columns"] = _extra_json(table, extra)
    columns["focus_version"] = pa.array([focus_version] * table.num_rows, pa.string())
    columns["source_file"] = pa.array([path.name] * table.num_rows, pa.string())
    columns["source_row"] = pa.array(range(1, table.num_rows + 1), pa.int64())
    return pa.table({f.name: columns[f.name] for f in schema}, schema=schema)


def _cast(column: pa.ChunkedArray, field: pa.Field, path: Path) -> pa.ChunkedArray:
    zoned = pa.types.is_timestamp(column.type) and column.type.tz is not None
    if zoned and pa.types.is_timestamp(field.type):
        column = pc.cast(column, pa.timestamp(column.type.unit, "UTC"))
        column = column.cast(pa.timestamp(column.type.unit))
    try:
        return column.cast(field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"{path}: column {field.name}: {exc}") from exc


def _extra_json(table: pa.Table, names: list[str]) -> pa.Array:
    if not names:
        return pa.nulls(table.num_rows, pa.string())
    values = table.select(names).to_pylist()
    return pa.array([json.dumps(row, default=str, sort_keys=True) for row in values], pa.string())


def _by_billing_period(rows: pa.Table, path: Path) -> list[BillingPeriod]:
    keys = rows.group_by(["billing_account_id", "billing_period_start", "billing_period_end"])
    periods = []
    for key in keys.aggregate([]).to_pylist():
        account, start, end = (
            key["billing_account_id"],
            key["billing_period_start"],
            key["billing_period_end"],
        )
        if account is None or start is None or end is None:
            raise InputError(f"{path}: rows without BillingAccountId or BillingPeriod")
        mask = pc.and_(
            pc.and_(
                pc.equal(rows["billing_account_id"], account),
                pc.equal(rows["billing_period_start"], start),
            ),
            pc.equal(rows["billing_period_end"], end),
        )
        periods.append(BillingPeriod(account, start, end, rows.filter(mask)))
    return sorted(periods, key=lambda p: (p.account, p.start))
