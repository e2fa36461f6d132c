"""The words every rendering of a statement shares, so the PDF, XLSX and HTML say the same."""

from __future__ import annotations

from costplane.catalog import ChargebackRules
from costplane.service import ContractTerms, CostLine, Statement
from costplane.surfaces.documents.amounts import money, number

KINDS = ("direct", "shared", "idle", "overhead")


def contract_text(contract: ContractTerms) -> str:
    until = f"until {contract.end}" if contract.end is not None else "open-ended"
    return f"from {contract.start}, {until}"


def place(line: CostLine) -> tuple[str, str]:
    """(environment, cost domain) of a cost line, `(none)` where the dimension is empty."""
    return (line.environment or "(none)", line.cost_domain or "(none)")


def rules_text(rules: ChargebackRules) -> str:
    included = ["direct"]
    included += ["shared"] if rules.include_shared else []
    included += ["spread idle"] if rules.include_idle else []
    included += ["overhead"]
    return (
        f"Charged: ({' + '.join(included)}) × (1 + {rules.markup_percent:f} %), rounded half "
        f"up to {rules.rounding:f}; minimum {rules.minimum_monthly:f} a month, prorated by the "
        "days a contract covers."
    )


def coverage_text(statement: Statement) -> str:
    return (
        f"{statement.period} ({statement.period_label}): {statement.allocated_days} of "
        f"{statement.days_in_month} days allocated"
    )


def fee_text(statement: Statement) -> str:
    if statement.fee is None:
        return f"no fee stated: {statement.fee_note or 'no contract'}"
    return f"{statement.contract_days} contract days of the period"


OVER_NUMERIC = [2, 3, 5]
"""The over-use table's numeric columns."""


def over_use_table(statement: Statement, currency: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows (its total last) of the use beyond the entitlements, as every
    format shows it."""
    header = ["environment", "entitlement", "entitled", "used", "unit", f"a month ({currency})"]
    rows = [
        [o.environment, o.entitlement, number(o.entitled), number(o.used), o.unit,
         money(o.monthly_amount)]
        for o in statement.over
    ]  # fmt: skip
    return header, [*rows, ["total", "", "", "", "", money(statement.over_amount)]]
