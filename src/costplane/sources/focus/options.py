"""What a command asked for, checked before any file is read.

`FocusOptions` are the choices for bills that stray from FOCUS (docs/billing.md);
`check_request` refuses what cannot be right whatever the files hold: an unknown
version, a malformed currency, a file given twice (or two files with the same
bytes: its charges would be counted twice), quarantine files that would collide
or overwrite a bill.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from costplane.errors import InputError
from costplane.focus_columns import FOCUS_VERSIONS
from costplane.sources.focus.bounds import MAX_CSV_BYTES, MAX_RECORD_BYTES
from costplane.sources.focus.quarantine import quarantine_path
from costplane.sources.focus.read import file_format


@dataclass(frozen=True)
class FocusOptions:
    """How to read bills that stray from FOCUS; the defaults accept only what FOCUS allows
    plus the documented leniencies (docs/billing.md)."""

    focus_version: str | None = None
    """Check the mandatory columns of this version instead of the detected one."""
    date_formats: tuple[str, ...] = ()
    """strptime forms accepted besides ISO 8601, e.g. `%m/%d/%y`; read as UTC."""
    billing_account_id: str | None = None
    """The account of files without a BillingAccountId column."""
    billing_currency: str | None = None
    """The currency of files without a BillingCurrency column."""
    allow_missing_columns: bool = False
    """Load files that lack mandatory columns other than the ones Costplane needs."""
    quarantine: Path | None = None
    """Write bad rows here and load the good ones, instead of refusing the file."""
    max_csv_bytes: int = MAX_CSV_BYTES
    """The most CSV text (once decompressed) one command reads; it is parsed in memory."""
    max_record_bytes: int = MAX_RECORD_BYTES
    """The longest CSV record (line) read."""


def check_request(options: FocusOptions, paths: Sequence[Path]) -> None:
    if options.focus_version is not None and options.focus_version not in FOCUS_VERSIONS:
        known = ", ".join(FOCUS_VERSIONS)
        raise InputError(f"--focus-version {options.focus_version}: not one of {known}")
    currency = options.billing_currency
    if currency is not None and not (
        len(currency) == 3 and currency.isascii() and currency.isupper()
    ):
        raise InputError(f"--billing-currency {currency!r}: not an ISO 4217 code such as EUR")
    if options.billing_account_id is not None and not options.billing_account_id.strip():
        raise InputError("--billing-account-id: empty")
    for flag, size in (
        ("--max-csv-size", options.max_csv_bytes),
        ("--max-record-size", options.max_record_bytes),
    ):
        if size < 1:
            raise InputError(f"{flag} {size}: not a size of at least 1 byte")
    if not paths:
        raise InputError("no billing file given")
    seen: dict[Path, Path] = {}
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        resolved = path.resolve()
        if resolved in seen:
            raise InputError(f"{path}: given twice; its charges would be counted twice")
        seen[resolved] = path
    _refuse_copies(list(paths))
    if options.quarantine is not None:
        targets: dict[Path, Path] = {}
        for path in paths:
            target = quarantine_path(options.quarantine, path, file_format(path))
            if target.resolve() in seen:
                raise InputError(f"{path}: its quarantine file {target} is one of the bills given")
            if target in targets:
                raise InputError(
                    f"{targets[target]} and {path} would share the quarantine file {target}"
                )
            targets[target] = path


def _refuse_copies(paths: list[Path]) -> None:
    """Two files with the same bytes are one bill given twice, not two parts of a period."""
    by_size: dict[int, list[Path]] = {}
    for path in paths:
        by_size.setdefault(path.stat().st_size, []).append(path)
    for same_size in by_size.values():
        digests: dict[str, Path] = {}
        for path in same_size if len(same_size) > 1 else []:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in digests:
                raise InputError(
                    f"{path} has the same content as {digests[digest]}: "
                    "loading both would count its charges twice"
                )
            digests[digest] = path
