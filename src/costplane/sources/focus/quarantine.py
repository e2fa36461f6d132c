"""Quarantine: the rows of a bill that failed their checks, kept aside with the reasons.

`--quarantine DIR` loads a file's good rows and writes its bad ones to
`DIR/<name>.quarantine.csv` (a CSV or gzip CSV bill) or
`DIR/<name>.quarantine.parquet` (a Parquet bill): the rows as the file had
them, in file order, plus a column `x_QuarantineReason` such as
`line 17: BilledCost: not a decimal: '12,5'; Tags: not a JSON object: 'a=b'`.
Fix them there, drop the column or not (it is never loaded), and load the file
again with the rest of its billing period: a period is replaced whole.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from costplane.sources.focus.cells import ident, literal
from costplane.sources.focus.read import Format
from costplane.sources.focus.rows import PROBLEMS, ROW
from costplane.written_file import replacing

REASON = "x_QuarantineReason"


def quarantine_path(directory: Path, path: Path, file_format: Format) -> Path:
    name = path.name
    for suffix in (".gz", ".csv", ".parquet"):
        name = name.removesuffix(suffix)
    extension = "parquet" if file_format == "parquet" else "csv"
    return directory / f"{name}.quarantine.{extension}"


def write_quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    raw_relation: str,
    rows_relation: str,
    columns: list[str],
    target: Path,
    place: str,
) -> None:
    """Write the rows of `raw_relation` whose checks failed in `rows_relation` to `target`.

    `place` names what `__row` counts in the reason (`line` for CSV, `row` for Parquet).
    """
    kept = ", ".join(f"r.{ident(name)}" for name in columns if name != REASON)
    reason = (
        f"{literal(place + ' ')} || CAST(r.{ROW} AS VARCHAR) || ': ' || "
        f"array_to_string(p.{PROBLEMS}, '; ') AS {ident(REASON)}"
    )
    query = (
        f"SELECT {kept}, {reason} FROM {ident(raw_relation)} r "
        f"JOIN {ident(rows_relation)} p ON r.{ROW} = p.{ROW} "
        f"WHERE p.{PROBLEMS} IS NOT NULL ORDER BY r.{ROW}"
    )
    options = "FORMAT parquet" if target.suffix == ".parquet" else "FORMAT csv, HEADER"
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as temporary:  # a link or a device there is refused, not written
        con.execute(f"COPY ({query}) TO {literal(str(temporary))} ({options})")
