"""The kinds of allocated cost are the ones docs/allocation.md explains."""

from __future__ import annotations

import re
from pathlib import Path

from costplane.allocation import AllocationKind

DOC = Path(__file__).parents[2] / "docs" / "allocation.md"


def test_every_allocation_kind_is_documented() -> None:
    (row,) = [line for line in DOC.read_text().splitlines() if line.startswith("| `kind` |")]
    assert set(re.findall(r"`([a-z]+)`", row)) - {"kind"} == {kind.value for kind in AllocationKind}
