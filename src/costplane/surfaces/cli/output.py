"""Rendering listings as a table (for people), JSON or CSV (for programs).

Every listing command takes `--output table|json|csv`. JSON is what
`costplane.service.to_document` makes of a result: money amounts are decimal strings,
never floats; dates and times are ISO 8601. A table shows each value
literally (`console.literal`: no markup, no terminal control); JSON and CSV carry the
values as stored, for programs (JSON escapes control characters itself, CSV does not).
"""

from __future__ import annotations

import csv
import enum
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from costplane.service import to_document
from costplane.surfaces.cli.console import cell, console, err_console

__all__ = ["Column", "OutputFormat", "console", "emit_json", "err_console", "render"]


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class Column:
    key: str
    header: str = ""
    numeric: bool = False

    @property
    def title(self) -> str:
        return self.header or self.key.replace("_", " ")


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(to_document(document), indent=2) + "\n")


def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: OutputFormat,
    *,
    title: str | None = None,
) -> None:
    """Print rows in the chosen format; only `columns` are shown, in that order."""
    if fmt is OutputFormat.JSON:
        emit_json([{c.key: row.get(c.key) for c in columns} for row in rows])
    elif fmt is OutputFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in columns])
        for row in rows:
            writer.writerow([_cell(row.get(c.key)) for c in columns])
    else:
        table = Table(
            title=None if title is None else cell(title),
            title_justify="left",
            header_style="bold",
        )
        for column in columns:
            table.add_column(cell(column.title), justify="right" if column.numeric else "left")
        for row in rows:
            table.add_row(*(cell(_table_cell(row.get(c.key))) for c in columns))
        console.print(table)


def _table_cell(value: Any) -> str:
    """As `_cell`, with thousands separators on whole numbers for people to read."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _cell(value)


def _cell(value: Any) -> str:
    value = to_document(value)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)
