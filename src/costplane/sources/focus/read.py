"""Opening a billing file as a DuckDB relation of raw rows, each with its place (`__row`).

- CSV, plain or gzip-compressed (told apart by content, not by name): every
  column is read as text, so an account id `012345678901` keeps its leading
  zero and a cost is never parsed as a float. `__row` is the line the record
  starts on. A record with the wrong number of fields makes the file
  unreadable: which value belongs to which column cannot be told. The text is
  bounded (`bounds.py`): a file past the bound, or with a record longer than a
  record may be, is refused before it is parsed, naming the line and column.
- Parquet: columns keep their types (decimals, timestamps, strings); `__row` is
  the 1-based row in the file. The file is scanned by DuckDB, never loaded whole.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from costplane.sources.focus.bounds import CsvBudget, shown_size
from costplane.sources.focus.cells import ident, literal
from costplane.sources.focus.lines import record_spans, widest_field
from costplane.sources.focus.rows import ROW

Format = Literal["csv", "csv.gz", "parquet"]
PARQUET_MAGIC = b"PAR1"
GZIP_MAGIC = b"\x1f\x8b"
BOM = "\ufeff"


@dataclass
class RawFile:
    """A billing file as DuckDB sees it, or the reasons it cannot be read."""

    path: Path
    format: Format
    relation: str
    types: dict[str, str] = field(default_factory=dict)
    """Column name -> DuckDB type, in the file's order."""
    rows: int = 0
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    """(line or row, message) that make the file unreadable."""
    csv_table: pa.Table | None = None


def file_format(path: Path) -> Format:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == PARQUET_MAGIC:
        return "parquet"
    return "csv.gz" if head[:2] == GZIP_MAGIC else "csv"


def open_raw(
    con: duckdb.DuckDBPyConnection, path: Path, relation: str, budget: CsvBudget | None = None
) -> RawFile:
    """Register the file's raw rows on `con` as `relation`; see the module docstring.
    A CSV file's text counts against `budget` (the defaults of `CsvBudget` when None)."""
    kind = file_format(path)
    raw = RawFile(path, kind, relation)
    if kind == "parquet":
        _open_parquet(con, raw)
    else:
        _open_csv(con, raw, budget or CsvBudget())
    return raw


def _open_parquet(con: duckdb.DuckDBPyConnection, raw: RawFile) -> None:
    source = f"read_parquet({literal(str(raw.path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        count = con.execute(f"SELECT count(*) FROM {source}").fetchone()
    except duckdb.Error as exc:
        raw.problems.append((None, f"not a readable Parquet file: {_first_line(exc)}"))
        return
    raw.types = {name: kind for name, kind, *_ in described if name != "file_row_number"}
    raw.rows = int(count[0]) if count else 0
    con.execute(
        f"CREATE VIEW {ident(raw.relation)} AS SELECT * EXCLUDE (file_row_number), "
        f"CAST(file_row_number + 1 AS BIGINT) AS {ROW} FROM {source}"
    )


def _first_line(error: BaseException) -> str:
    return next((x.strip() for x in str(error).splitlines() if x.strip()), repr(error))


def _csv_text(raw: RawFile, budget: CsvBudget) -> bytearray | None:
    """The file's text, inflated when gzip, if it fits what the budget has left."""
    inflated = raw.format == "csv.gz"
    try:
        size = budget.inflated_size(raw.path) if inflated else raw.path.stat().st_size
        refused = budget.over(size, inflated=inflated)
        if refused is not None or size is None:
            raw.problems.append((None, refused or "too large"))
            return None
        data = _read_exactly(raw, size)
    except (OSError, EOFError, zlib.error) as exc:
        what = "gzip file" if inflated else "file"
        raw.problems.append((None, f"not a readable {what}: {exc}"))
        return None
    if data is None:
        raw.problems.append((None, "the file changed while it was read; read it again"))
        return None
    budget.used += size
    return data


def _read_exactly(raw: RawFile, size: int) -> bytearray | None:
    """`size` bytes of text into one buffer (no copy after), None if the file holds other."""
    data = bytearray(size)
    filled = 0
    opener = gzip.open if raw.format == "csv.gz" else open
    with opener(raw.path, "rb") as handle, memoryview(data) as view:
        while filled < size and (count := handle.readinto(view[filled:])):
            filled += count
        if filled < size or handle.read(1):
            return None
    return data


def _header(data: bytearray, stop: int) -> list[str] | str:
    """The column names, or why the first line gives none."""
    try:
        line = bytes(data[:stop]).decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError:
        return "the header is not UTF-8 text"
    try:
        return next(csv.reader(io.StringIO(line.rstrip("\r"))), [])
    except csv.Error as exc:  # a name over 128 KiB, Python's field limit
        return f"the header is not readable as CSV: {exc}"


def _open_csv(con: duckdb.DuckDBPyConnection, raw: RawFile, budget: CsvBudget) -> None:
    data = _csv_text(raw, budget)
    if data is None:
        return
    lines, starts, stops = record_spans(data)
    if len(starts) and stops[0] - starts[0] > budget.record:
        size = int(stops[0] - starts[0])
        raw.problems.append((1, f"a header of {size:,} bytes, {_record_bound(budget)}"))
        return
    newline = data.find(b"\n")
    names = _header(data, len(data) if newline < 0 else newline)
    if isinstance(names, str):
        raw.problems.append((1, names))
        return
    if not names or names == [""]:
        raw.problems.append((1, "no header: the first line must name the columns"))
        return
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raw.problems.append((1, f"column {repeated[0]!r} appears more than once"))
        return
    too_long = np.flatnonzero(stops - starts > budget.record)
    if len(too_long):
        first = int(too_long[0])
        start, stop = int(starts[first]), int(stops[first])
        message = _too_long(data, start, stop, names, budget)
        raw.problems.append((int(lines[first]), message))
        return
    table, invalid = _parse(data, names, budget, threads=True)
    if table is not None and any(number is None for number, _ in invalid):
        table, invalid = _parse(data, names, budget, threads=False)  # only so are they numbered
    if table is None:
        raw.problems.append((None, invalid[0][1] if invalid else "not readable as CSV"))
        return
    for number, message in invalid:
        line = int(lines[number - 1]) if number and number <= len(lines) else number
        raw.problems.append((line, message))
    if invalid:
        return
    data_lines = lines[1:]
    if len(data_lines) != table.num_rows:  # quoting the line count cannot follow
        data_lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    raw.types = dict.fromkeys(names, "VARCHAR")
    raw.rows = table.num_rows
    raw.csv_table = table.append_column(ROW, pa.array(data_lines, pa.int64()))
    con.register(raw.relation, raw.csv_table)


def _record_bound(budget: CsvBudget) -> str:
    return (
        f"longer than the {shown_size(budget.record)} a CSV record may hold "
        "(--max-record-size raises it)"
    )


def _too_long(data: bytearray, start: int, stop: int, names: list[str], budget: CsvBudget) -> str:
    """`Column: a value of N bytes ...`: the record's longest field, named by the header."""
    index, size = widest_field(memoryview(data)[start:stop])
    column = names[index] if index < len(names) else f"field {index + 1} (past the header)"
    unclosed = ""
    if stop == len(data) and data.count(b'"', start, stop) % 2 == 1:
        unclosed = "; a quote opened there is never closed"
    return (
        f"{column}: a value of {size:,} bytes makes its record ({stop - start:,} bytes) "
        f"{_record_bound(budget)}{unclosed}"
    )


def _parse(
    data: bytearray, names: list[str], budget: CsvBudget, *, threads: bool
) -> tuple[pa.Table | None, list[tuple[int | None, str]]]:
    """The rows as text columns, and the records that do not fit the header."""
    invalid: list[tuple[int | None, str]] = []

    def skip(row: pacsv.InvalidRow) -> str:
        fields = f"{row.actual_columns} field{'s' if row.actual_columns != 1 else ''}"
        invalid.append((row.number, f"{fields} where the header names {row.expected_columns}"))
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=1,
                use_threads=threads,
                block_size=budget.record_block(),
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        reason = _first_line(exc)
        if "UTF8" in reason or "UTF-8" in reason:
            reason = "not UTF-8 text (save the file as UTF-8)"
        return None, [(None, reason)]
    return table, invalid
