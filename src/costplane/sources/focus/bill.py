"""Billing files in, checked `billing_lines` loads out: `read_focus_bill`.

The request is checked (`options.py`), then every file is read and every row
checked in one in-memory DuckDB (`checker.py`): a file with problems raises
`InputProblemsError` before anything is written, unless its bad rows go to
quarantine. Then the rows of each billing account and billing period, from
every file that has some, become one load (`periods.py`): loading it again
replaces it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from costplane.sources.focus.checker import BillChecker, FocusFile
from costplane.sources.focus.options import FocusOptions, check_request
from costplane.sources.focus.periods import BillingPeriod, billing_periods
from costplane.warehouse import Load

TABLE = "billing_lines"
SOURCE = "focus"


@dataclass
class FocusBill:
    """Checked bills ready to load. Use as a context manager: the loads' rows are
    temporary Parquet files, removed on close."""

    files: list[FocusFile]
    periods: list[BillingPeriod]
    scratch: Path | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def loads(self) -> list[Load]:
        return [
            Load(TABLE, SOURCE, p.account, p.start, p.end, p.rows, p.origin) for p in self.periods
        ]

    def close(self) -> None:
        if self.scratch is not None and not self._closed:
            shutil.rmtree(self.scratch, ignore_errors=True)
        self._closed = True

    def __enter__(self) -> FocusBill:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def read_focus_bill(paths: Sequence[Path], options: FocusOptions | None = None) -> FocusBill:
    """Check FOCUS billing files (CSV, gzip CSV, Parquet) and make their loads.

    Raises `InputProblemsError` listing the first problems when a file has bad rows
    (unless `options.quarantine`), or a problem of its own (missing columns, two
    currencies); nothing is written then. Rows of one billing account and period
    are one load, however many files they come from.
    """
    options = options or FocusOptions()
    check_request(options, paths)
    scratch = Path(tempfile.mkdtemp(prefix="costplane-focus-"))
    try:
        with BillChecker(options, scratch) as checker:
            files = checker.check(paths)
            periods = billing_periods(checker.con, checker.checked, scratch)
        return FocusBill(files, periods, scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def read_focus_periods(path: Path, options: FocusOptions | None = None) -> list[BillingPeriod]:
    """One file's billing periods with their rows in memory, checked as `read_focus_bill`
    checks them (for small bills, such as the fleet generator's)."""
    options = options or FocusOptions()
    check_request(options, [path])
    with BillChecker(options, None) as checker:
        checker.check([path])
        return billing_periods(checker.con, checker.checked, None)
