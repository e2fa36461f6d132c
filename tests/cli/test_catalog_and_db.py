"""`costplane catalog`, `costplane db upgrade` and the CLI's error contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costplane.state import head_revision
from tests.conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"


def test_version(cli: Run) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("costplane ")


def test_the_example_catalog_validates(cli: Run) -> None:
    result = cli("catalog", "validate", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert "valid" in result.stdout
    assert "4 service classes" in result.stdout


def test_a_bad_catalog_lists_every_problem_and_exits_2(costplane: Run, tmp_path: Path) -> None:
    bad = tmp_path / "costplane.yaml"
    bad.write_text("currency: eur\nservice_classes: {}\nbogus: 1\n")
    result = costplane("catalog", "validate", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert f"{bad}:1:11: currency:" in lines[1]
    assert any(line.startswith(f"{bad}:3:1: unknown key 'bogus'") for line in lines)
    assert lines[-1] == "error: 4 problems in the catalog"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_project_catalog_is_the_default(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "costplane.yaml").write_text(EXAMPLE.read_text())
    result = cli("--home", str(tmp_path), "catalog", "validate")
    assert result.exit_code == 0, result.stderr
    assert str(tmp_path / "costplane.yaml") in result.stdout


def test_a_missing_catalog_says_what_to_do(cli: Run, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path), "catalog", "validate")
    assert result.exit_code == 2
    assert "no catalog here" in result.stderr


def test_schema_is_json_naming_the_top_level_keys(cli: Run) -> None:
    result = cli("catalog", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"currency", "service_classes", "price_sheet", "tenants", "budgets"} <= set(
        schema["properties"]
    )


def test_db_upgrade_creates_the_embedded_stores(cli: Run, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path), "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / ".costplane" / "state.db").is_file()
    assert (tmp_path / ".costplane" / "warehouse.duckdb").is_file()
    assert f"empty -> {head_revision()}" in result.stdout
    assert "created table usage_samples" in result.stdout
    again = cli("--home", str(tmp_path), "db", "upgrade")
    assert again.stdout.count("up to date") == 2


@pytest.mark.postgres
def test_db_upgrade_on_postgres_never_prints_the_password(
    costplane: Run, postgres_url: str, tmp_path: Path
) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE ROLE costplane_cli LOGIN PASSWORD 'hunter2-secret'")
    try:
        url = postgres_url.replace("postgres@", "costplane_cli:hunter2-secret@")
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            database = postgres_url.rsplit("/", 1)[1]
            connection.execute(f'GRANT ALL ON DATABASE "{database}" TO costplane_cli')
            connection.execute("GRANT ALL ON SCHEMA public TO costplane_cli")
        env = {"COSTPLANE_STATE_URL": url, "COSTPLANE_WAREHOUSE_URL": url}
        result = costplane("--home", str(tmp_path), "db", "upgrade", env=env)
        assert result.exit_code == 0, result.stderr
        assert "costplane_cli:***@" in result.stdout
        assert "hunter2" not in result.stdout + result.stderr
        assert not (tmp_path / ".costplane").exists()
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute("DROP OWNED BY costplane_cli")
            connection.execute("DROP ROLE costplane_cli")


def test_an_unreachable_store_is_one_line_exit_1(costplane: Run, tmp_path: Path) -> None:
    env = {"COSTPLANE_STATE_URL": "postgresql://u:hunter2@127.0.0.1:1/x"}
    result = costplane("--home", str(tmp_path), "db", "upgrade", env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach the state store postgresql://u:***@")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.stderr


def test_debug_shows_the_traceback(costplane: Run, tmp_path: Path) -> None:
    env = {"COSTPLANE_STATE_URL": "postgresql://u@127.0.0.1:1/x"}
    result = costplane("--home", str(tmp_path), "--debug", "db", "upgrade", env=env)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr


def test_bad_usage_exits_2(cli: Run) -> None:
    result = cli("generate", "fleet", "--tenants", "zero")
    assert result.exit_code == 2
