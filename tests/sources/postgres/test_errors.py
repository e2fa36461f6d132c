"""What a person sees when the server cannot be reached or refuses: one line, exit 1,
the DSN masked; a DSN that is not one is bad input (exit 2). Never the password."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.sources.postgres.conftest import drop, url_of

pytestmark = pytest.mark.postgres

PASSWORD = "hunter2-Very-Secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_server_is_one_line_naming_the_masked_dsn(
    costplane: Run, tmp_path: Path
) -> None:
    port = free_port()
    dsn = f"postgresql://costplane:{PASSWORD}@127.0.0.1:{port}/postgres"
    result = costplane("--home", str(tmp_path), "collect", "postgres", "--dsn", dsn)
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"error: PostgreSQL postgresql://costplane:***@127.0.0.1:{port}/postgres: "
    )
    assert "Connection refused" in line
    assert line.endswith("(after 3 attempts)")
    status = costplane("--home", str(tmp_path), "sources", "status", "-o", "json")
    (entry,) = json.loads(status.stdout)
    assert (entry["source"], entry["status"]) == ("postgres", "failed")
    assert PASSWORD not in result.stderr + status.stdout


def test_a_refusing_server_is_not_asked_again(cli: Run, tmp_path: Path) -> None:
    nobody = f"nobody_{uuid.uuid4().hex[:8]}"
    result = cli(
        "--home", str(tmp_path), "collect", "postgres", "--dsn", url_of("test", nobody, PASSWORD)
    )
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert f'role "{nobody}" does not exist' in line
    assert f"postgresql://{nobody}:***@" in line
    assert "attempts" not in line  # the server answered: retrying cannot change its mind
    assert PASSWORD not in result.stdout + result.stderr


def test_a_dsn_that_is_not_one_is_bad_input(cli: Run, tmp_path: Path) -> None:
    result = cli(
        "--home", str(tmp_path), "collect", "postgres", "--dsn", f"postgresql//me:{PASSWORD}@db"
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: --dsn: not a PostgreSQL connection string")
    assert PASSWORD not in result.stderr
    assert not (tmp_path / ".costplane").exists()


def test_the_dsn_from_the_environment_is_never_shown(
    cli: Run, tmp_path: Path, scratch_database: Callable[..., str]
) -> None:
    env = {"COSTPLANE_POSTGRES_DSN": url_of("test", "postgres", PASSWORD)}
    shown = cli("collect", "postgres", "--help", env=env)
    assert shown.exit_code == 0
    assert "env var" in shown.stdout
    assert PASSWORD not in shown.stdout

    name = scratch_database()
    keyword_form = f"host=127.0.0.1 user=postgres password={PASSWORD} port=5432 dbname=test"
    for dsn in (env["COSTPLANE_POSTGRES_DSN"], keyword_form):
        result = cli(
            "--home",
            str(tmp_path),
            "collect",
            "postgres",
            "--database",
            name,
            env={"COSTPLANE_POSTGRES_DSN": dsn},
        )
        assert result.exit_code == 0, result.stderr
        assert name in result.stdout
        assert PASSWORD not in result.stdout + result.stderr
    status = cli("--home", str(tmp_path), "sources", "status", "-o", "json")
    targets = {entry["target"] for entry in json.loads(status.stdout)}
    assert targets == {"postgresql://postgres:***@127.0.0.1:5432/test"}


def test_a_keyword_dsn_missing_a_space_still_hides_its_password(
    costplane: Run, tmp_path: Path
) -> None:
    """libpq reads `host=127.0.0.1password=...` as one host name holding the password."""
    dsn = f"host=127.0.0.1password={PASSWORD} connect_timeout=1"
    result = costplane("--home", str(tmp_path), "collect", "postgres", "--dsn", dsn)
    assert result.exit_code == 1
    status = costplane("--home", str(tmp_path), "sources", "status", "-o", "json")
    assert "password=***" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr + status.stdout
    stored = sorted((tmp_path / ".costplane").glob("state.db*"))  # the database and its WAL
    assert stored
    assert all(PASSWORD.encode() not in path.read_bytes() for path in stored)


def test_a_database_dropped_while_the_list_is_read_is_left_out(
    scratch_database: Callable[..., str],
) -> None:
    """A tenant's database dropped meanwhile must not fail the server's whole collection:
    a snapshot taken before the drop still lists it, as a query running across it would."""
    import psycopg

    from costplane.sources.postgres.server import DATABASES

    leaving = scratch_database()
    with psycopg.connect(url_of("test")) as listing:
        listing.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        listing.execute("SELECT count(*) FROM pg_database").fetchall()  # the snapshot
        drop(leaving)
        rows = {row[0]: row[1] for row in listing.execute(DATABASES).fetchall()}
    assert rows[leaving] is False  # still in the snapshot, but nobody can connect to it
    assert rows["test"] is True
