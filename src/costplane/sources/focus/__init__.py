"""FOCUS billing files as rows of the `billing_lines` table (`costplane ingest focus`).

CSV, gzip CSV and Parquet; FOCUS 1.0 to 1.2 (1.3 columns kept). Every row is
checked (costs are exact decimals, dates ISO 8601 UTC, Tags a JSON object, the
charge inside its billing period, one currency per file) by DuckDB, a vector at
a time; a file with bad rows is refused whole, or its bad rows quarantined.
FOCUS columns are PascalCase (`BilledCost`); the warehouse keeps them in
snake_case (`billed_cost`). Columns the table does not declare (provider `x_`
columns, newer FOCUS columns) are kept per row as JSON in `extra_columns`.
One billing account and billing period is one load: loading it again replaces
it. See docs/billing.md.
"""

from __future__ import annotations

from pathlib import Path

from costplane.focus_columns import FOCUS_VERSIONS
from costplane.sources.focus.bill import FocusBill, read_focus_bill, read_focus_periods
from costplane.sources.focus.bounds import byte_size
from costplane.sources.focus.checker import FocusFile
from costplane.sources.focus.options import FocusOptions
from costplane.sources.focus.periods import BillingPeriod

__all__ = [
    "FOCUS_VERSIONS",
    "FocusBill",
    "FocusFile",
    "FocusOptions",
    "byte_size",
    "read_focus_bill",
    "read_focus_periods",
]


def read_focus_parquet(path: Path, *, focus_version: str | None = None) -> list[BillingPeriod]:
    """A FOCUS Parquet file split by billing account and billing period, rows in memory."""
    return read_focus_periods(path, FocusOptions(focus_version=focus_version))
