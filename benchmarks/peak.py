"""The peak memory of this process, as the benchmarks report it.

`getrusage().ru_maxrss` is not it for a child process: Linux carries the
parent's resident size at fork into the child's `ru_maxrss` across `exec`, so
a child started by a parent holding 4 GB reports at least 4 GB whatever it
did. `VmHWM` in /proc/self/status is the high-water mark of this process's own
memory since `exec`.
"""

from __future__ import annotations

import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (VmHWM; ru_maxrss where /proc is absent)."""
    if STATUS.exists():
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
