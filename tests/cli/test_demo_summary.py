"""The demo's summary adds up: each table's total is the exact sum rounded once, so the bill
by cost domain and the bill placed are the same number of cents."""

from __future__ import annotations

import re

from tests.conftest import Demo


def _amount(printed: str, label: str) -> str:
    found = re.search(rf"│ {label} +│ +([0-9.]+) │", printed)
    assert found is not None, f"no '{label}' line in the demo's summary"
    return found.group(1)


def test_the_bill_by_cost_domain_totals_the_bill(demo: Demo) -> None:
    assert _amount(demo.printed, "total") == _amount(demo.printed, "the bill")
