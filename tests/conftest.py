"""Fixtures for the real services this machine runs (PostgreSQL and Redis), and
`costplane` run the two ways users and scripts do: in-process and as a subprocess.

A test that needs a service asks for its fixture. When the service is absent the
test is skipped, unless COSTPLANE_REQUIRE_SERVICES=1 (set by .ci/run), in which
case it fails: CI must never pass by skipping the real thing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from tests.system_tools import missing_tools

POSTGRES_ADMIN_URL = os.environ.get(
    "COSTPLANE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_ADMIN_URL = os.environ.get("COSTPLANE_TEST_REDIS", "redis://127.0.0.1:6379")
REDIS_TEST_DATABASE = 13

# Property tests (Hypothesis). `make test` runs the "repeatable" profile: the same examples
# on every run (derandomized), so a failure there is a failure on every machine.
# `make test-properties` runs "thorough": five times as many, random ones; reproduce what it
# finds with HYPOTHESIS_PROFILE=thorough and the --hypothesis-seed it prints.
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

SAMPLE_DATA = Path(__file__).resolve().parent / "data"
"""Public samples the tests read, each folder with its SOURCE.md (origin, licence)."""


def _unavailable(what: str, why: object) -> NoReturn:
    message = f"{what} is not available: {why}"
    if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable("PostgreSQL at 127.0.0.1:5432", exc)
        raise  # unreachable: _unavailable always raises


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database for one test, dropped afterwards."""
    admin = _admin_connection()
    name = f"costplane_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis database 13, the tests' own: emptied before and after each test."""
    import redis

    url = f"{REDIS_ADMIN_URL}/{REDIS_TEST_DATABASE}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        _unavailable("Redis at 127.0.0.1:6379", exc)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


# One demo project for the tests that need real data: built once per worker, as `make demo`
# builds it. Tests only read it; a test that writes copies it first.
DEMO_ARGS = ["demo", "--start", "2026-10-01", "--no-serve"]
"""What `make demo` runs after `costplane --home demo` (the README says the same)."""
DEMO_PERIOD = "2026-10"


@dataclass(frozen=True)
class Demo:
    home: Path
    printed: str
    """What the demo printed on stdout."""


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A demo project in `<tmp>/demo`: 40 tenants, October 2026, allocated and governed."""
    home = tmp_path_factory.mktemp("readme") / "demo"
    # Built with no COSTPLANE_* setting of the caller's, which are back before any test runs
    # (COSTPLANE_REQUIRE_SERVICES among them: a fixture reading it must see it).
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("COSTPLANE_")}
    try:
        result = CliRunner().invoke(app, ["--home", str(home), *DEMO_ARGS])
    finally:
        os.environ.update(saved)
    assert result.exit_code == 0, result.stderr
    return Demo(home, result.stdout)


@pytest.fixture(scope="session")
def demo_home(demo: Demo) -> Path:
    return demo.home


@pytest.fixture(scope="session")
def sample_data() -> Path:
    """tests/data: the FOCUS samples (`focus/`) and the Odoo 18 demo dump (`odoo/`)."""
    if not SAMPLE_DATA.is_dir():
        pytest.fail(f"{SAMPLE_DATA} is missing: it is part of the repository")
    return SAMPLE_DATA


# The longest files, longest first (the `--durations=120` profile of a full `make test` on
# two loaded cores, December 2026, summed per file, less what the testspeed branch took out
# of test_concurrency and test_object_columns, and of test_focus_reload, test_focus_bounds,
# test_period_bounds, test_crash and test_json_texts, which left the list). `make test`
# hands whole files to its two workers in collection order (pytest-xdist, --dist loadfile),
# and collection is alphabetical: a long file collected last (tests/warehouse/...) kept one
# worker busy for minutes while the other had nothing left. Started first, they overlap
# with everything else, and the short files fill in the end on both workers.
# test_focus_export comes first also because its first validator run may install
# focus-validator (about a minute). Refresh the list from a profile when the tail grows.
LONGEST_FIRST = (
    "tests/allocation/test_focus_export.py",
    "tests/allocation/test_spark.py",
    "tests/test_bounded_parsing.py",
    "tests/allocation/test_invariant.py",
    "tests/warehouse/test_concurrency.py",
    "tests/cli/test_fleet_commands.py",
    "tests/allocation/test_invariant_no_dates.py",
    "tests/documents/test_board.py",
    "tests/allocation/test_damaged_fleets.py",
    "tests/governance/test_object_columns.py",
    "tests/governance/test_planted.py",
    "tests/surfaces/server/test_serving_beside_writers.py",
    "tests/sources/postgres/test_errors.py",
    "tests/fleet/test_fleet_bill.py",
    "tests/insight/test_budgets.py",
    "tests/governance/test_policy_engine.py",
    "tests/documents/test_statement.py",
    "tests/cli/test_readme_commands.py",
    "tests/metrics/test_scrape.py",
    "tests/web/test_dashboard.py",
    "tests/test_written_file.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, every file's tests in their own order (the sort is stable)."""
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """At the end of the run, the tests skipped because a system tool is missing, and how to
    install each: what did not run here (CI installs them all)."""
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple):
            reasons.append(str(report.longrepr[2]))
    missing = missing_tools(reasons)
    if not missing:
        return
    terminalreporter.section("skipped: a system tool is missing", sep="-", yellow=True)
    for tool, count in missing:
        tests = "test" if count == 1 else "tests"
        terminalreporter.line(f"{tool.name}: {count} {tests} skipped; install: {tool.install}")


Run = Callable[..., "Result"]


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke the Typer app in-process, with stdout and stderr kept apart."""
    for name in ("COSTPLANE_HOME", "COSTPLANE_STATE_URL", "COSTPLANE_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        result = CliRunner().invoke(app, list(args), env=env)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def costplane() -> Run:
    """Run the installed `costplane` entry point as a separate process."""
    executable = Path(sys.executable).with_name("costplane")

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
        done = subprocess.run(
            [str(executable), *args],
            capture_output=True,
            text=True,
            env={**clean, **(env or {})},
            timeout=600,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run
