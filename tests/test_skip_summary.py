"""At its end a test run names each system tool whose absence skipped tests, and how to install
it. Proven on a machine stripped of them: pytest runs, on a PATH that holds only what bash
needs, tests that call the suite's own checks for Prometheus, pgBackRest and PostgreSQL's
binaries, Java, a Python >= 3.12 and Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECKS = """
from tests.allocation.test_spark import session
from tests.focus_validator import focus_validate
from tests.sources.backups.conftest import pgbackrest_cluster
from tests.sources.prometheus.server import binaries
from tests.web.browser import chromium_executable


def test_prometheus():
    binaries()


def test_pgbackrest(pgbackrest_cluster):
    pass


def test_spark(session):
    pass


def test_focus_validator(tmp_path):
    bill = tmp_path / "bill.parquet"
    bill.write_bytes(b"")
    focus_validate(bill)


def test_chromium():
    chromium_executable()


def test_not_a_tool():
    import pytest

    pytest.skip("skipped for a reason of its own")
"""


def test_the_summary_names_each_missing_tool_and_how_to_install_it(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in ("bash", "dirname", "realpath"):  # what scripts/focus-validate runs first
        found = shutil.which(command)
        assert found is not None, command
        (bin_dir / command).symlink_to(found)
    (tmp_path / "test_checks.py").write_text(CHECKS)
    keep = ("HOME", "LANG", "SPARK_LOCAL_IP", "COSTPLANE_TEST_POSTGRES")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env |= {
        "PATH": str(bin_dir),
        "COSTPLANE_FOCUS_VALIDATOR_HOME": str(tmp_path / "no-validator-yet"),
        "PYTHONPATH": str(ROOT),
    }
    pytest_args = [
        "-p",
        "tests.conftest",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ROOT / "pyproject.toml"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args, "--rootdir", str(ROOT), str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "6 skipped" in done.stdout, done.stdout[-3000:]
    section = done.stdout[done.stdout.index("skipped: a system tool is missing") :]
    lines = section.split("\n=")[0].splitlines()[1:]
    assert lines == [
        "Prometheus (prometheus, promtool): 1 test skipped; install: apt-get install prometheus",
        "pgBackRest: 1 test skipped; install: apt-get install pgbackrest",
        "PostgreSQL's binaries (initdb, pg_ctl, pg_restore): 1 test skipped;"
        " install: apt-get install postgresql postgresql-client",
        "Java 17 (Spark): 1 test skipped;"
        " install: apt-get install openjdk-17-jre-headless, or set JAVA_HOME",
        "Python >= 3.12 (focus-validator): 1 test skipped; install: pyenv install 3.12,"
        " uv python install 3.12 or apt-get install python3.12 (where packaged);"
        " or set COSTPLANE_PYTHON_312 to one",
        "Chromium (the dashboard's browser tests): 1 test skipped;"
        " install: apt-get install chromium",
    ]
