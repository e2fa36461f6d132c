"""KRR's rounding, float for float, so that the same samples give the same quantities.

KRR (`robusta_krr/core/runner.py`, `_round_value`) rounds a CPU proposal up with
`math.ceil(value * 10**3) / 10**3` cores and a memory proposal up with
`math.ceil(value * (1 / 1024**2))` MiB, then raises each to its floor (`--cpu_min`
millicores, `--mem_min` MiB). The float arithmetic is kept: `0.1 + 0.2` cores is
`300.00000000000006` millicores in floats, which KRR rounds up to 301m, and so do we.
"""

from __future__ import annotations

import math
from decimal import Decimal

MIB = 1024**2


def round_cpu(cores: float, floor_millicores: int = 10) -> Decimal:
    """A CPU proposal in cores, rounded up to a millicore, at least the floor."""
    millis = max(math.ceil(cores * 10**3), floor_millicores)
    return Decimal(millis) / 1000


def round_memory(size: float, floor_mib: int = 100) -> int:
    """A memory proposal in bytes, rounded up to a MiB, at least the floor."""
    mib = max(math.ceil(size * (1 / MIB)), floor_mib)
    return mib * MIB
