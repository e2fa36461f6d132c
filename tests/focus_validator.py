"""The FinOps Foundation's focus-validator 2.2.1, run through the project's own
scripts/focus-validate: the tests that need it skip, saying how to get the Python >= 3.12 it
needs, where there is none, and fail instead under COSTPLANE_REQUIRE_SERVICES=1 (CI has one)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

from tests.system_tools import FOCUS_VALIDATE, PYTHON_312_MISSING

NOT_RUN, NO_PYTHON_312 = 2, 3
"""scripts/focus-validate's exit codes when it could not judge the file."""


def _unavailable(message: str) -> NoReturn:
    if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def focus_validate(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scripts/focus-validate PATH ARGS`: the failed rule ids on stdout, one a line; exit 1 when
    one is not in `--known LIST`. The first run installs the validator (about a minute)."""
    done = subprocess.run(
        [str(FOCUS_VALIDATE), str(path), *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode == NO_PYTHON_312:
        how = done.stderr.strip().rpartition("Python >= 3.12: ")[2]
        _unavailable(f"{PYTHON_312_MISSING}: {how}")
    if done.returncode == NOT_RUN:  # pip could not reach its index, no report, ...
        _unavailable(f"focus-validator did not run on {path.name}: {done.stderr[-2000:]}")
    return done
