"""Reading and checking every file of a command in one in-memory DuckDB.

For each file: open it (`read.py`), match its header to FOCUS (`columns.py`),
define the SELECT that reads and checks every row (`rows.py`) as a view, and
keep a narrow table of each row's key, money and problems. From that table come
the first problems, the currencies, the totals and the billing periods, without
reading the file again; the rows themselves are read once more only when they
are written out (`periods.py`).

A problem reads `bill.csv:17: BilledCost: not a decimal: '12,5'`: the file as given,
the line of a CSV file (the 1-based row of a Parquet file; none for the whole file),
the column as the file names it, what is wrong, and the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from costplane.errors import ExecutionError, InputError, InputProblemsError, Problem
from costplane.sources.focus.bounds import CsvBudget
from costplane.sources.focus.cells import ident, literal
from costplane.sources.focus.columns import header_layout
from costplane.sources.focus.options import FocusOptions
from costplane.sources.focus.quarantine import REASON, quarantine_path, write_quarantine
from costplane.sources.focus.read import RawFile, open_raw
from costplane.sources.focus.rows import PROBLEMS, ROW, FileColumns, checked_select

SHOWN = 20
"""Problems listed before the summary; the rest are counted."""

KEY_AND_MONEY = ", ".join(
    ident(name)
    for name in (
        "billing_account_id",
        "billing_period_start",
        "billing_period_end",
        "billing_currency",
        "billed_cost",
        "effective_cost",
        "list_cost",
    )
)


@dataclass(frozen=True)
class FocusFile:
    """One billing file as loaded: its rows, periods, currency and exact totals."""

    path: Path
    focus_version: str
    rows: int
    billing_periods: tuple[tuple[dt.datetime, dt.datetime], ...]
    currency: str | None
    billed_cost: Decimal
    effective_cost: Decimal
    list_cost: Decimal
    quarantined: int = 0
    quarantine_file: Path | None = None


@dataclass
class CheckedFile:
    """A file whose rows have been read and checked."""

    raw: RawFile
    index: int
    version: str
    columns: list[str]
    bad_rows: int = 0


class BillChecker:
    """One in-memory DuckDB reading and checking every file of a command."""

    def __init__(self, options: FocusOptions, scratch: Path | None) -> None:
        self.options = options
        self.con = duckdb.connect(":memory:")
        for setting in (
            "SET TimeZone = 'UTC'",
            "SET enable_progress_bar = false",
            "SET python_enable_replacements = false",
        ):
            self.con.execute(setting)
        if scratch is not None:
            self.con.execute(f"SET temp_directory = {literal(str(scratch / 'spill'))}")
        self.checked: list[CheckedFile] = []
        self.problem_total = 0
        self.budget = CsvBudget(options.max_csv_bytes, options.max_record_bytes)

    def __enter__(self) -> BillChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()

    def check(self, paths: Sequence[Path]) -> list[FocusFile]:
        """Read and check every file; raise InputProblemsError when one cannot be loaded."""
        problems: list[Problem] = []
        refused: list[str] = []
        for index, path in enumerate(paths):
            found = self._check_file(path, index)
            if isinstance(found, list):
                problems += found
                refused.append(f"{path} as a whole")
                continue
            whole = self._currency_problems(found)
            rows = self._row_problems(found)
            if whole:
                problems += whole
                refused.append(f"{path} as a whole")
            if rows and self.options.quarantine is None:
                problems += rows
                refused.append(f"{found.bad_rows:,} of {found.raw.rows:,} rows of {path}")
        if refused:
            count = self.problem_total
            raise InputProblemsError(
                problems[:SHOWN],
                f"{count:,} problem{'s' if count != 1 else ''} in {'; '.join(refused)}; "
                "nothing was written",
            )
        return [self._summary(checked, self._quarantine(checked)) for checked in self.checked]

    def _check_file(self, path: Path, index: int) -> CheckedFile | list[Problem]:
        raw = open_raw(self.con, path, f"raw_{index}", self.budget)
        label = str(path)
        if raw.problems:
            self.problem_total += len(raw.problems)
            return [Problem(label, line, None, message) for line, message in raw.problems]
        types = {name: kind for name, kind in raw.types.items() if name != REASON}
        given = {}
        if self.options.billing_account_id is not None:
            given["BillingAccountId"] = self.options.billing_account_id
        if self.options.billing_currency is not None:
            given["BillingCurrency"] = self.options.billing_currency
        layout = header_layout(
            list(types),
            focus_version=self.options.focus_version,
            allow_missing_columns=self.options.allow_missing_columns,
            given=list(given),
        )
        header_line = None if raw.format == "parquet" else 1
        if layout.problems:
            self.problem_total += len(layout.problems)
            return [Problem(label, header_line, None, message) for message in layout.problems]
        given = {k: v for k, v in given.items() if k not in layout.focus}
        select = checked_select(
            FileColumns(ident(raw.relation), types, layout, path.name, given),
            self.options.date_formats,
        )
        try:
            self.con.execute(f"CREATE VIEW checked_{index} AS {select}")
            self.con.execute(
                f"CREATE TEMP TABLE rows_{index} AS SELECT {ROW}, {KEY_AND_MONEY}, "
                "CASE WHEN regexp_full_match(billing_currency, '[A-Z]{3}') "
                f"THEN billing_currency END AS currency, {PROBLEMS} FROM checked_{index}"
            )
        except duckdb.InvalidInputException as exc:
            if self.options.date_formats and "format" in str(exc).lower():
                raise InputError(f"--date-format: {exc}") from exc
            raise ExecutionError(f"{path}: reading the rows failed: {exc}") from exc
        except duckdb.Error as exc:
            raise ExecutionError(f"{path}: reading the rows failed: {exc}") from exc
        checked = CheckedFile(raw, index, layout.version, list(types))
        self.checked.append(checked)
        return checked

    def _scalar(self, sql: str) -> int:
        row = self.con.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _row_problems(self, checked: CheckedFile) -> list[Problem]:
        rows = f"rows_{checked.index}"
        checked.bad_rows = self._scalar(f"SELECT count(*) FROM {rows} WHERE {PROBLEMS} IS NOT NULL")
        if not checked.bad_rows:
            return []
        if self.options.quarantine is None:
            self.problem_total += self._scalar(
                f"SELECT coalesce(sum(len({PROBLEMS})), 0) FROM {rows}"
            )
        found = self.con.execute(
            f"SELECT {ROW}, message FROM (SELECT {ROW}, unnest({PROBLEMS}) AS message, "
            f"generate_subscripts({PROBLEMS}, 1) AS k FROM {rows} "
            f"WHERE {PROBLEMS} IS NOT NULL) ORDER BY {ROW}, k LIMIT {SHOWN}"
        ).fetchall()
        return [
            Problem(str(checked.raw.path), int(row), None, str(message)) for row, message in found
        ]

    def _currency_problems(self, checked: CheckedFile) -> list[Problem]:
        found = self.con.execute(
            f"SELECT currency, count(*) AS n, min({ROW}) FROM rows_{checked.index} "
            "WHERE currency IS NOT NULL GROUP BY currency ORDER BY n DESC, currency"
        ).fetchall()
        if len(found) < 2:
            return []
        self.problem_total += 1
        place = "row" if checked.raw.format == "parquet" else "line"
        listed = ", ".join(
            f"{c} ({n:,} row{'s' if n != 1 else ''}, first on {place} {first})"
            for c, n, first in found
        )
        return [
            Problem(
                str(checked.raw.path),
                None,
                None,
                f"{len(found)} billing currencies: {listed}; a file must bill in one "
                "currency (split it by BillingCurrency)",
            )
        ]

    def _quarantine(self, checked: CheckedFile) -> Path | None:
        """Write a file's bad rows aside, when asked to; where they went."""
        if not checked.bad_rows or self.options.quarantine is None:
            return None
        target = quarantine_path(self.options.quarantine, checked.raw.path, checked.raw.format)
        write_quarantine(
            self.con,
            raw_relation=checked.raw.relation,
            rows_relation=f"rows_{checked.index}",
            columns=checked.columns,
            target=target,
            place="row" if checked.raw.format == "parquet" else "line",
        )
        return target

    def _summary(self, checked: CheckedFile, quarantined: Path | None) -> FocusFile:
        rows = f"rows_{checked.index}"
        good = f"{PROBLEMS} IS NULL"
        count, billed, effective, listed, currency = self.con.execute(
            f"SELECT count(*), coalesce(sum(billed_cost), 0), coalesce(sum(effective_cost), 0), "
            f"coalesce(sum(list_cost), 0), min(currency) FROM {rows} WHERE {good}"
        ).fetchall()[0]
        periods = self.con.execute(
            f"SELECT DISTINCT billing_period_start, billing_period_end FROM {rows} "
            f"WHERE {good} ORDER BY ALL"
        ).fetchall()
        return FocusFile(
            path=checked.raw.path,
            focus_version=checked.version,
            rows=int(count),
            billing_periods=tuple((start, end) for start, end in periods),
            currency=currency,
            billed_cost=_exact(billed),
            effective_cost=_exact(effective),
            list_cost=_exact(listed),
            quarantined=checked.bad_rows if quarantined else 0,
            quarantine_file=quarantined,
        )


def _exact(amount: Decimal | int) -> Decimal:
    """A sum without the trailing zeros of decimal(38, 18): `4613.760000…` -> `4613.76`."""
    value = Decimal(amount).normalize()
    if value == 0:
        return Decimal(0)
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value
