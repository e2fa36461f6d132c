"""Headless Chromium from the system (Debian's `chromium`), driven by Playwright for Python.

Playwright's own browser download cannot work here (no internet in CI), so the tests
launch the system's binary by path; `playwright install` is never run. Without Chromium
the tests skip, naming how to install it, unless COSTPLANE_REQUIRE_SERVICES=1 (CI), where
they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_MISSING = "chromium is not installed (the dashboard's browser tests drive it headless)"


REQUIRED = os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1"
"""Read when the tests are collected, as ARTIFACTS below: the session's demo fixture sets
COSTPLANE_* aside while the session runs, and the browser starts after it."""


def _unavailable(message: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def chromium_executable() -> str:
    """The system's Chromium (`chromium` on PATH: /usr/bin/chromium on Debian)."""
    found = shutil.which("chromium")
    if found is None:
        _unavailable(CHROMIUM_MISSING)
    return found


ARTIFACTS = Path(os.environ.get("COSTPLANE_ARTIFACTS") or ROOT / "test-artifacts")
"""Read when the tests are collected (see REQUIRED)."""


def screenshots_dir() -> Path:
    """Where the tests leave a screenshot of every page: $COSTPLANE_ARTIFACTS/screenshots,
    by default test-artifacts/screenshots in the checkout (gitignored)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
