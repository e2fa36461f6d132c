"""The system tools some tests drive for real, how to tell from a skip that one was missing,
and how to install each: what `make test` lists at its end (tests/conftest.py), so that a user
knows what did not run on their machine and CI, which installs them all, runs everything."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOCUS_VALIDATE = Path(
    os.environ.get("COSTPLANE_FOCUS_VALIDATE", ROOT / "scripts" / "focus-validate")
)
"""The project's runner for focus-validator 2.2.1 (`scripts/focus-validate --help`)."""

PYTHON_312_MISSING = "focus-validator needs a Python >= 3.12"
"""The start of the skip reason of a test that needed the validator and found no such Python."""


@dataclass(frozen=True)
class SystemTool:
    name: str
    install: str
    """One line: what to install (Debian and Ubuntu package names)."""
    skip_reason: re.Pattern[str]
    """Matches the reason of a test skipped for want of it."""
    present: Callable[[], bool]
    """Whether it is here now: a reason naming two tools counts only for the one missing."""


def _on_path(*names: str) -> Callable[[], bool]:
    return lambda: all(shutil.which(name) for name in names)


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


def _postgres_binaries() -> bool:
    return (
        bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        and shutil.which("pg_restore") is not None
    )


def _python_312() -> bool:
    done = subprocess.run(
        [str(FOCUS_VALIDATE), "--python"], capture_output=True, timeout=60, check=False
    )
    return done.returncode == 0


TOOLS = (
    SystemTool(
        "poppler-utils (pdftotext, pdftoppm)",
        "apt-get install poppler-utils",
        re.compile(r"pdftotext|pdftoppm|poppler", re.IGNORECASE),
        _on_path("pdftotext", "pdftoppm"),
    ),
    SystemTool(
        "DejaVu fonts (the PDF documents)",
        "apt-get install fonts-dejavu-core",
        re.compile(r"DejaVu", re.IGNORECASE),
        lambda: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(),
    ),
    SystemTool(
        "Prometheus (prometheus, promtool)",
        "apt-get install prometheus",
        re.compile(r"prometheus|promtool", re.IGNORECASE),
        _on_path("prometheus", "promtool"),
    ),
    SystemTool(
        "pgBackRest",
        "apt-get install pgbackrest",
        re.compile(r"pgbackrest", re.IGNORECASE),
        _on_path("pgbackrest"),
    ),
    SystemTool(
        "PostgreSQL's binaries (initdb, pg_ctl, pg_restore)",
        "apt-get install postgresql postgresql-client",
        re.compile(r"PostgreSQL's binaries|pg_restore|initdb"),
        _postgres_binaries,
    ),
    SystemTool(
        "Java 17 (Spark)",
        "apt-get install openjdk-17-jre-headless, or set JAVA_HOME",
        re.compile(r"\bjava\b", re.IGNORECASE),
        _java,
    ),
    SystemTool(
        "Python >= 3.12 (focus-validator)",
        "pyenv install 3.12, uv python install 3.12 or apt-get install python3.12 (where packaged);"
        " or set COSTPLANE_PYTHON_312 to one",
        re.compile(re.escape(PYTHON_312_MISSING)),
        _python_312,
    ),
    SystemTool(
        "Chromium (the dashboard's browser tests)",
        "apt-get install chromium",
        re.compile(r"\bchromium\b", re.IGNORECASE),
        _on_path("chromium"),
    ),
)


def missing_tools(reasons: Iterable[str]) -> list[tuple[SystemTool, int]]:
    """Each tool that some skip reason names and that is absent here, with how many tests
    skipped for it, in the order of TOOLS."""
    counts = dict.fromkeys(TOOLS, 0)
    for reason in reasons:
        for tool in TOOLS:
            if tool.skip_reason.search(reason):
                counts[tool] += 1
    return [(tool, count) for tool, count in counts.items() if count and not tool.present()]
