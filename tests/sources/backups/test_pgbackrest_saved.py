"""Saved `pgbackrest info --output=json` files: several stanzas, repositories and backup types.

The files in data/ are written in the exact shape pgBackRest 2.45 prints (the real
repository test shows the same shape from a live run); the expected values are read
from the files themselves, as a user would compare them with `pgbackrest info`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import Catalog
from costplane.errors import InputError
from costplane.sources.backups import BackupSources, PgBackRestSource, collect_backups
from costplane.sources.backups.tenancy import Placement
from costplane.sources.collector import Collected
from tests.sources.backups.conftest import DATA, utc

INFO = DATA / "pgbackrest-info.json"
SET_INFO = DATA / "pgbackrest-info-set.json"
CONFIG = DATA / "pgbackrest.conf"


def _collect(catalog: Catalog, info: Path = INFO, config: Path | None = CONFIG) -> Collected:
    return collect_backups(BackupSources(pgbackrest=PgBackRestSource(info, config)), catalog)


def _rows(collected: Collected) -> list[dict[str, Any]]:
    return [row for load in collected.loads for row in load.data.to_pylist()]


def _reported(stanza: str, info: Path = INFO) -> list[dict[str, Any]]:
    document = json.loads(info.read_text())
    return next(s["backup"] for s in document if s["name"] == stanza)


def test_each_backup_keeps_its_type_times_and_stored_size(catalog: Catalog) -> None:
    rows = _rows(_collect(catalog))
    for stanza in ("alpenpharm", "kontor_buero_prod"):
        for backup in _reported(stanza):
            (row,) = [r for r in rows if r["backup_id"] == backup["label"]]
            assert row["backup_type"] == backup["type"]
            assert row["started_at"] == utc(backup["timestamp"]["start"])
            assert row["finished_at"] == utc(backup["timestamp"]["stop"])
            assert row["size_bytes"] == backup["info"]["repository"]["delta"]
            assert row["record_type"] == "backup"
    types = {r["backup_type"] for r in rows}
    assert types == {"full", "diff", "incr"}


def test_stanzas_map_to_tenants_by_database_namespace_or_tenant_id(catalog: Catalog) -> None:
    rows = _rows(_collect(catalog))
    by_stanza = {
        "kontor_buero_prod": ("kontor-buero", "production", "kontor_buero_prod"),  # a database
        "alpenpharm": ("alpenpharm", "production", "alpenpharm_prod"),  # a tenant id
    }
    for stanza, expected in by_stanza.items():
        labels = {b["label"] for b in _reported(stanza)}
        placed = {
            (r["tenant"], r["environment"], r["database"]) for r in rows if r["backup_id"] in labels
        }
        assert placed == {expected}
    shared = {b["label"] for b in _reported("shared-pg-01")}
    assert {r["tenant"] for r in rows if r["backup_id"] in shared} == {None}  # no database-ref


def test_locations_come_from_the_configuration_per_repository(catalog: Catalog) -> None:
    rows = {r["backup_id"]: r for r in _rows(_collect(catalog))}
    kontor = _reported("kontor_buero_prod")
    on_repo1, on_repo2 = kontor[0]["label"], kontor[3]["label"]
    assert rows[on_repo1]["location"] == (
        f"file://backup-01.internal/srv/pgbackrest/backup/kontor_buero_prod/{on_repo1}"
    )
    assert rows[on_repo1]["location_region"] is None
    assert rows[on_repo2]["location"] == (
        f"s3://acme-pg-backups/pgbackrest/backup/kontor_buero_prod/{on_repo2}"
    )
    assert rows[on_repo2]["location_region"] == "eu-west-1"
    assert rows[on_repo2]["data_region"] == "eu-de"
    alpen = _reported("alpenpharm")[0]["label"]  # the stanza's own repo1-path
    assert rows[alpen]["location"].startswith("file://backup-01.internal/srv/pgbackrest-regulated/")


def test_without_a_configuration_the_location_names_the_repository_key(catalog: Catalog) -> None:
    rows = _rows(_collect(catalog, config=None))
    label = _reported("kontor_buero_prod")[3]["label"]
    (row,) = [r for r in rows if r["backup_id"] == label]
    assert row["location"] == f"pgbackrest://repo2/backup/kontor_buero_prod/{label}"


def test_checksum_errors_mark_the_backup_failed(catalog: Catalog) -> None:
    rows = _rows(_collect(catalog))
    flagged = {b["label"] for b in _reported("alpenpharm") if b["error"]}
    assert flagged
    assert {r["backup_id"] for r in rows if r["status"] == "error"} == flagged
    alpenpharm = next(
        t for t in _collect(catalog).summary["tenants"] if t["tenant"] == "alpenpharm"
    )
    assert alpenpharm["failed_backups"] == 1
    assert alpenpharm["backup_id"] not in flagged  # the newest good backup, not the newest


def test_an_unreadable_stanza_is_missing_and_the_others_load(catalog: Catalog) -> None:
    collected = _collect(catalog)
    assert collected.partial
    (problem,) = collected.missing
    assert problem.startswith("pgbackrest stanza legacy-pg: repo1: [FileOpenError]")
    assert "Permission denied" in problem
    assert "HINT" not in problem
    scopes = {load.scope: load.data.num_rows for load in collected.loads}
    assert "legacy-pg" not in scopes
    assert scopes["nordhafen-logistik-prod"] == 0  # no valid backup yet: listed as none
    assert scopes["kontor_buero_prod"] == 4


def test_the_listing_is_taken_when_the_file_was_written(catalog: Catalog, tmp_path: Path) -> None:
    copy = tmp_path / "info.json"
    copy.write_text(INFO.read_text())
    written = dt.datetime(2025, 3, 3, 14, 0, 5)
    stamp = written.replace(tzinfo=dt.UTC).timestamp()
    os.utime(copy, (stamp, stamp))
    collected = _collect(catalog, info=copy)
    assert {load.period_start for load in collected.loads} == {written}
    assert {r["taken_at"] for r in _rows(collected)} == {written}


def test_the_configuration_secrets_never_show(catalog: Catalog) -> None:
    collected = _collect(catalog)
    shown = json.dumps([collected.summary, list(collected.missing), collected.target], default=str)
    assert "AKIAEXAMPLEKEYNOTREAL" not in shown
    assert "example-secret-not-real" not in shown


def test_a_shared_cluster_from_info_set_covers_its_tenants(catalog: Catalog) -> None:
    rows = _rows(_collect(catalog, info=SET_INFO))
    (backup,) = _reported("shared-pg-01", SET_INFO)
    covered = {(r["tenant"], r["environment"], r["database"]) for r in rows if r["tenant"]}
    assert covered == {
        ("kontor-buero", "staging", "kontor_buero_staging"),
        ("mosel-wein", "production", "mosel_wein_prod"),
        ("veluwe-tuin", "production", "veluwe_tuin_prod"),
    }
    sized = [r for r in rows if r["size_bytes"] is not None]
    assert [(r["tenant"], r["size_bytes"]) for r in sized] == [
        (None, backup["info"]["repository"]["delta"])
    ]


def test_an_explicit_mapping_wins_over_the_name(catalog: Catalog) -> None:
    source = PgBackRestSource(
        INFO, CONFIG, {"shared-pg-01": Placement("baltic-foods", "production", None)}
    )
    rows = _rows(collect_backups(BackupSources(pgbackrest=source), catalog))
    shared = {b["label"] for b in _reported("shared-pg-01")}
    assert {r["tenant"] for r in rows if r["backup_id"] in shared} == {"baltic-foods"}


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d[1]["backup"][1]["timestamp"].update(start="yesterday"),
         r"\[1\]\.backup\[1\]\.timestamp\.start: expected an integer, found 'yesterday'"),
        (lambda d: d[0]["backup"][0].update(type="snapshot"),
         r"\[0\]\.backup\[0\]\.type: expected full, diff or incr, found 'snapshot'"),
        (lambda d: d[1]["backup"][0]["info"].pop("repository"),
         r"\[1\]\.backup\[0\]\.info\.repository: expected an object, found None"),
        (lambda d: d.clear() or d.append("stanza"), r"\[0\]: expected an object"),
    ],
)  # fmt: skip
def test_a_damaged_file_is_refused_naming_the_field(
    catalog: Catalog, tmp_path: Path, spoil: Any, message: str
) -> None:
    document = json.loads(INFO.read_text())
    spoil(document)
    damaged = tmp_path / "info.json"
    damaged.write_text(json.dumps(document))
    with pytest.raises(InputError, match=rf"^{damaged}: {message}"):
        _collect(catalog, info=damaged)


def test_a_file_that_is_not_json_is_refused(catalog: Catalog, tmp_path: Path) -> None:
    text = tmp_path / "info.txt"
    text.write_text("stanza: main\n    status: ok\n")
    with pytest.raises(InputError, match=rf"^{text}: not a pgBackRest info JSON file"):
        _collect(catalog, info=text)
