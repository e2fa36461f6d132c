"""How a file's header maps onto `billing_lines` (the FOCUS columns themselves are in
`costplane.focus_columns`).

Each version adds columns to the one before (none has removed one yet), so a
file's version is the oldest one that defines every FOCUS column it has. The
mandatory columns are those the specification says MUST be present whatever
the provider supports (its "Mandatory" feature level, not the conditional ones).

Header names are matched to FOCUS column ids exactly, then ignoring case
(`SkuPriceid` is `SkuPriceId`). Every other column (provider `x_` columns,
a custom `Id`) is kept, by its name as written, in `extra_columns`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from costplane.focus_columns import ALL_COLUMNS, FOCUS_VERSIONS, INTRODUCED, MANDATORY

NEEDED = (
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
)
"""Columns Costplane cannot load a row without: its load key, its period, its money.
`--allow-missing-columns` never waives these (the account and currency may be given
by option instead)."""

OPTIONS = {
    "BillingAccountId": "--billing-account-id",
    "BillingCurrency": "--billing-currency",
}
"""Needed columns an option can give, for files that lack them."""

_BY_LOWER = {column.lower(): column for column in ALL_COLUMNS}


def snake_case(column: str) -> str:
    """`BillingAccountId` -> `billing_account_id`: a FOCUS column's warehouse name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", column).lower()


def focus_column(name: str) -> str | None:
    """The FOCUS column id a header name stands for, matched ignoring case and surrounding
    spaces, if any."""
    return _BY_LOWER.get(name.strip().lower())


def detect_version(focus_columns: Sequence[str]) -> str:
    """The oldest FOCUS version that defines every one of these columns."""
    present = set(focus_columns)
    found = FOCUS_VERSIONS[0]
    for version in FOCUS_VERSIONS:
        if present.intersection(INTRODUCED[version]):
            found = version
    return found


@dataclass(frozen=True)
class HeaderLayout:
    """What a file's header means: its FOCUS columns, its other columns, its version."""

    focus: dict[str, str]
    """FOCUS column id -> the header name that carries it."""
    extra: tuple[str, ...]
    """Header names that are no FOCUS column (kept as they are, in `extra_columns`)."""
    version: str
    problems: tuple[str, ...]
    """What makes the header unusable, one sentence each; empty when it is fine."""

    def missing(self, columns: Sequence[str]) -> list[str]:
        return [column for column in columns if column not in self.focus]


def header_layout(
    names: Sequence[str],
    *,
    focus_version: str | None,
    allow_missing_columns: bool,
    given: Sequence[str] = (),
) -> HeaderLayout:
    """Match a header to FOCUS; `given` are needed columns an option supplies."""
    focus: dict[str, str] = {}
    extra: list[str] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        if name.lower() in seen:
            problems.append(f"columns {seen[name.lower()]!r} and {name!r} have the same name")
            continue
        seen[name.lower()] = name
        column = focus_column(name)
        if column is None:
            extra.append(name)
        else:
            focus[column] = name
    version = focus_version or detect_version(list(focus))
    layout = HeaderLayout(focus, tuple(extra), version, ())
    needed = [c for c in layout.missing(NEEDED) if c not in given]
    if needed:
        options = [OPTIONS[c] for c in needed if c in OPTIONS]
        advice = f" ({' and '.join(options)} can give {'them' if len(options) > 1 else 'it'})"
        problems.append(
            f"missing {', '.join(needed)}, without which no row can be loaded"
            + (advice if options else "")
        )
    mandatory = [
        c for c in layout.missing(sorted(MANDATORY[version])) if c not in NEEDED and c not in given
    ]
    if mandatory and not allow_missing_columns:
        problems.append(
            f"missing FOCUS {version} mandatory column{'s' if len(mandatory) > 1 else ''} "
            f"{', '.join(mandatory)} (--allow-missing-columns loads the file without them)"
        )
    return HeaderLayout(focus, tuple(extra), version, tuple(problems))
