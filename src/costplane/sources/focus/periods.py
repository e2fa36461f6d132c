"""The rows of each billing account and billing period, from every file: one load each.

A period's rows are the good rows of every file of the command that has some,
written to one Parquet file in the scratch directory (streamed by the
warehouse, never held in memory), or kept as an Arrow table for small bills.
Only the files that hold several periods, or bad rows, are filtered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from costplane.errors import ExecutionError
from costplane.sources.focus.cells import literal
from costplane.sources.focus.checker import CheckedFile
from costplane.sources.focus.rows import PROBLEMS, ROW


@dataclass(frozen=True)
class BillingPeriod:
    """The rows of one billing account for one billing period: one load."""

    account: str
    start: dt.datetime
    end: dt.datetime
    rows: pa.Table | Path
    files: tuple[Path, ...] = ()
    """The billing files holding these rows, as the user named them."""

    @property
    def origin(self) -> str:
        """The files as a message names them: `a.csv`, or `a.csv + b.csv`."""
        return " + ".join(str(path) for path in self.files)


def billing_periods(
    con: duckdb.DuckDBPyConnection, files: list[CheckedFile], scratch: Path | None
) -> list[BillingPeriod]:
    """One BillingPeriod per billing account and period, with its rows from every file;
    as Parquet files in `scratch`, or Arrow tables when `scratch` is None."""
    holders: dict[tuple[str, dt.datetime, dt.datetime], list[CheckedFile]] = {}
    several: set[int] = set()
    for checked in files:
        found = con.execute(
            "SELECT DISTINCT billing_account_id, billing_period_start, billing_period_end "
            f"FROM rows_{checked.index} WHERE {PROBLEMS} IS NULL"
        ).fetchall()
        if len(found) > 1:
            several.add(checked.index)
        for key in found:
            holders.setdefault(tuple(key), []).append(checked)
    return [
        BillingPeriod(
            *key,
            _rows(con, key, holding, several, scratch, number),
            tuple(checked.raw.path for checked in holding),
        )
        for number, (key, holding) in enumerate(sorted(holders.items()))
    ]


def _rows(
    con: duckdb.DuckDBPyConnection,
    key: tuple[str, dt.datetime, dt.datetime],
    files: list[CheckedFile],
    several: set[int],
    scratch: Path | None,
    number: int,
) -> pa.Table | Path:
    account, start, end = key
    parts = []
    for checked in files:
        conditions = []
        if checked.index in several:
            conditions += [
                f"billing_account_id = {literal(account)}",
                f"billing_period_start = {_timestamp(start)}",
                f"billing_period_end = {_timestamp(end)}",
            ]
        if checked.bad_rows:
            conditions.append(f"{PROBLEMS} IS NULL")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        parts.append(f"SELECT * EXCLUDE ({PROBLEMS}, {ROW}) FROM checked_{checked.index}{where}")
    query = " UNION ALL ".join(parts)
    try:
        if scratch is None:
            return con.sql(query).to_arrow_table()
        target = scratch / f"period-{number}.parquet"
        con.execute(f"COPY ({query}) TO {literal(str(target))} (FORMAT parquet, COMPRESSION zstd)")
    except duckdb.Error as exc:
        raise ExecutionError(f"preparing the rows of {account} failed: {exc}") from exc
    return target


def _timestamp(moment: dt.datetime) -> str:
    return f"TIMESTAMP {literal(moment.isoformat(sep=' '))}"
