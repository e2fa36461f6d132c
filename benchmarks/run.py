"""Run the benchmarks and record their results in docs/performance.md.

Each benchmark is a script whose last stdout line is a JSON object. Targets are
ratios against a baseline measured in the same run (these machines are shared
and noisy), never timed tests. `python benchmarks/run.py [--only NAME]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "performance.md"

BENCHMARKS: dict[str, list[str]] = {
    "fleet": ["benchmarks/fleet.py", "--tenants", "5000", "--days", "30"],
    "allocation": ["benchmarks/allocation.py", "--tenants", "5000", "--days", "30"],
    "focus": ["benchmarks/focus.py", "--rows", "5000000"],
    "kubernetes": ["benchmarks/manifests.py", "--objects", "50000"],
    "policies": ["benchmarks/policies.py"],
    "prometheus": ["benchmarks/prometheus.py"],
    "rightsizing": ["benchmarks/rightsizing.py", "--tenants", "5000", "--days", "14"],
    "api": ["benchmarks/api.py", "--tenants", "5000", "--days", "30"],
}


def run(name: str, argv: list[str]) -> dict[str, object]:
    print(f"== {name}: {' '.join(argv)}", file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
    )
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, object] = json.loads(last)
    print(f"   {last}", file=sys.stderr)
    return result


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def record(name: str, argv: list[str], result: dict[str, object]) -> None:
    """Replace the benchmark's block between its markers in docs/performance.md."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    rows = "\n".join(f"| `{key}` | {value} |" for key, value in result.items())
    block = (
        f"{begin}\n"
        f"Last run {dt.date.today().isoformat()} on {machine()}:\n"
        f"`python {' '.join(argv)}`\n\n"
        f"| measure | value |\n|---|---|\n{rows}\n"
        f"{end}"
    )
    text = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + f"\n\n## {name}\n\n{block}\n"
    REPORT.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    args = parser.parse_args()
    for name in args.only or BENCHMARKS:
        argv = BENCHMARKS[name]
        record(name, argv, run(name, argv))
    print(f"results written to {REPORT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
