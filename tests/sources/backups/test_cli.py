"""`costplane collect backups` as a user runs it: output, warehouse rows, the run recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.sources.backups.conftest import DATA, SECRET_KEY, unavailable

INFO = str(DATA / "pgbackrest-info.json")
CONFIG = str(DATA / "pgbackrest.conf")


def _stored(home: Path) -> list[dict[str, Any]]:
    with connect_warehouse(f"duckdb:///{home / '.costplane/warehouse.duckdb'}") as warehouse:
        rows: list[dict[str, Any]] = warehouse.table("backup_records").to_pyarrow().to_pylist()
        return rows


def test_json_output_loads_the_rows_and_records_the_run(cli: Run, home: Path) -> None:
    done = cli("--home", str(home), "collect", "backups", "--pgbackrest-info", INFO,
               "--pgbackrest-config", CONFIG, "--output", "json")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["partial"] is True
    assert document["missing"] == [
        "pgbackrest stanza legacy-pg: repo1: [FileOpenError] unable to get info for path/file "
        "'/var/lib/pgbackrest/backup/legacy-pg/backup.info': [13] Permission denied"
    ]
    assert "warning:" in done.stderr
    assert "legacy-pg" in done.stderr
    tenants = {t["tenant"]: t for t in document["tenants"]}
    assert tenants["kontor-buero"]["backup_id"] == "20250302-010412F_20250303-130511I"
    assert tenants["kontor-buero"]["size_bytes"] == 22030000
    assert tenants["kontor-buero"]["systems"] == ["pgbackrest"]
    stored = _stored(home)
    assert len(stored) == sum(t["records"] for t in document["systems"])
    assert {r["tool"] for r in stored} == {"pgbackrest"}
    status = cli("--home", str(home), "sources", "status", "--output", "json")
    (run,) = [r for r in json.loads(status.stdout) if r["source"] == "backups"]
    assert run["status"] == "partial"


def test_collecting_the_same_listing_again_replaces_it(cli: Run, home: Path) -> None:
    for _ in range(2):
        done = cli("--home", str(home), "collect", "backups", "--pgbackrest-info", INFO)
        assert done.exit_code == 0, done.stderr
    stored = _stored(home)
    labels = [r["backup_id"] for r in stored if r["tenant"] == "alpenpharm"]
    assert sorted(labels) == sorted(set(labels))
    assert len(labels) == 3


def test_the_table_shows_systems_and_each_tenant(cli: Run, home: Path) -> None:
    done = cli("--home", str(home), "collect", "backups", "--pgbackrest-info", INFO,
               "--pgbackrest-config", CONFIG)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "newest backup per tenant" in done.stdout
    assert "pgbackrest" in done.stdout
    for tenant in ("kontor-buero", "alpenpharm", "mosel-wein"):
        assert tenant in done.stdout
    assert "file://backup-01.internal/srv/pgbackrest/backup/kontor_buero_prod/" in done.stdout


def test_one_system_failing_leaves_the_other_loaded(cli: Run, home: Path, s3_endpoint: str) -> None:
    done = cli("--home", str(home), "collect", "backups", "--pgbackrest-info", INFO,
               "--s3-bucket", "no-such-bucket", "--s3-endpoint", s3_endpoint,
               "-o", "json")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["partial"] is True
    assert any(m.startswith("s3://no-such-bucket/ at") and "NoSuchBucket" in m
               for m in document["missing"])  # fmt: skip
    assert {r["tool"] for r in _stored(home)} == {"pgbackrest"}
    assert SECRET_KEY not in done.stdout + done.stderr


def test_every_system_failing_is_one_line_and_exit_1(
    cli: Run, home: Path, s3_endpoint: str, tmp_path: Path
) -> None:
    bad = tmp_path / "pgbackrest.conf"
    bad.write_text("[global]\nrepo1-type=tape\nlog-level-file=off\n")
    done = cli("--home", str(home), "collect", "backups", "--pgbackrest-config", str(bad),
               "--s3-bucket", "no-such-bucket", "--s3-endpoint", s3_endpoint)  # fmt: skip
    if "not installed" in done.stderr:
        unavailable("pgbackrest", "not installed (Debian: pgbackrest)")
    assert done.exit_code == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: pgbackrest info ({bad}): ERROR: [")
    assert "'tape' is not allowed for 'repo1-type' option" in line
    assert "s3://no-such-bucket/" in line
    assert "NoSuchBucket" in line
    assert "Traceback" not in done.stderr
    status = cli("--home", str(home), "sources", "status", "--output", "json")
    (run,) = [r for r in json.loads(status.stdout) if r["source"] == "backups"]
    assert run["status"] == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name a backup system"),
        (["--pgbackrest-info", INFO, "--stanza-tenant", "main=nobody"],
         "--stanza-tenant 'main=nobody': tenant 'nobody' is not in the catalog"),
        (["--pgbackrest-info", INFO, "--stanza-tenant", "main=mosel-wein/dr"],
         "environment 'dr' of tenant 'mosel-wein' is not in the catalog"),
        (["--pgbackrest-info", INFO, "--stanza-tenant", "main"],
         "expected STANZA=TENANT[/ENVIRONMENT]"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(
    cli: Run, home: Path, args: list[str], message: str
) -> None:
    done = cli("--home", str(home), "collect", "backups", *args)
    assert done.exit_code == 2
    assert message in done.stderr
    assert not (home / ".costplane/warehouse.duckdb").exists() or not _stored(home)


def test_a_damaged_info_file_exits_2_naming_the_field(cli: Run, home: Path, tmp_path: Path) -> None:
    document = json.loads(Path(INFO).read_text())
    document[1]["backup"][0]["timestamp"]["stop"] = None
    damaged = tmp_path / "info.json"
    damaged.write_text(json.dumps(document))
    done = cli("--home", str(home), "collect", "backups", "--pgbackrest-info", str(damaged))
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"error: {damaged}: [1].backup[0].timestamp.stop: expected an integer, found None"
    )


def test_velero_backups_come_from_what_the_kubernetes_collector_stored(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    manifests = tmp_path / "fra1"
    manifests.mkdir()
    (manifests / "velero.json").write_text((DATA / "velero-fra1.json").read_text())
    kubernetes = cli("--home", str(home), "collect", "kubernetes", "--manifests", str(manifests))
    assert kubernetes.exit_code == 0, kubernetes.stderr
    done = cli("--home", str(home), "collect", "backups", "--velero", "-o", "json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    (system,) = document["systems"]
    assert system["clusters"][0]["cluster"] == "fra1"
    assert system["clusters"][0]["backups"] == 6
    tenants = {t["tenant"]: t for t in document["tenants"]}
    assert tenants["kontor-buero"]["backup_id"] == "kontor-buero-prod-daily-20250303010012"
    assert tenants["kontor-buero"]["newest_backup_at"] == "2025-03-03T01:02:47"
    stored = _stored(home)
    assert {(r["tool"], r["tenant"]) for r in stored} >= {
        ("velero", "alpenpharm"),
        ("velero", "kontor-buero"),
        ("velero", None),
    }
