"""`report dr`: each recovery requirement of a tenant's class against its backup records,
on hand-built records (DuckDB and PostgreSQL) and on the demo project, the numbers
computed apart from the code under test."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import duckdb

from costplane.catalog import Catalog
from costplane.insight import RecoveryEvidence, dr_evidence
from costplane.warehouse import Warehouse
from tests.conftest import DEMO_PERIOD, Demo, Run
from tests.insight.class_facts import (
    OCTOBER,
    example_catalog_fixture,  # noqa: F401 - a fixture
    load,
    warehouse_fixture,  # noqa: F401 - a fixture
)

LISTED = dt.datetime(2026, 10, 3)  # the only listing: the report is judged up to it


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def backup(
    tenant: str,
    backup_id: str,
    finished: str,
    status: str = "ok",
    *,
    database: str | None = None,
    environment: str | None = "production",
    region: str = "eu-nl",
    minutes: int = 10,
) -> dict[str, Any]:
    end = at(finished)
    return {
        "taken_at": LISTED,
        "record_type": "backup",
        "tool": "pgbackrest",
        "backup_id": backup_id,
        "tenant": tenant,
        "environment": environment,
        "database": database or f"{tenant.replace('-', '_')}_prod",
        "backup_type": "incr",
        "started_at": end - dt.timedelta(minutes=minutes),
        "finished_at": end,
        "size_bytes": 1000,
        "location": f"s3://backups-{region}/{tenant}/{backup_id}",
        "location_region": region,
        "data_region": "eu-de",
        "status": status,
        "evidence_url": None,
    }


def restore_test(tenant: str, started: str, finished: str, status: str = "ok") -> dict[str, Any]:
    return {
        **backup(tenant, "B-restored", finished, status),
        "record_type": "restore-test",
        "started_at": at(started),
        "evidence_url": f"https://ci.example.net/{tenant}/restore",
        "location": None,
        "location_region": None,
    }


KONTOR = [
    backup("kontor-buero", "K0", "2026-09-30T23:30:00"),  # before the period: opens the first gap
    backup("kontor-buero", "K1", "2026-10-01T00:20:00"),
    backup("kontor-buero", "K2", "2026-10-01T01:10:00", environment=None),  # by its database
    backup("kontor-buero", "K3", "2026-10-01T02:00:00", status="error"),  # closes no gap
    backup("kontor-buero", "K4", "2026-10-01T03:40:00", region="eu-de"),  # beside the data
    *(
        backup("kontor-buero", f"K{5 + i}", f"2026-10-01T{4 + i:02d}:30:00")
        for i in range(20)  # 04:30 to 23:30, then nothing until the listing: 30 minutes
    ),
    *(backup("kontor-buero", f"L{i}", f"2026-10-02T{i:02d}:30:00") for i in range(24)),
    backup(
        "kontor-buero",
        "S1",
        "2026-10-01T02:30:00",
        environment="staging",
        database="kontor_buero_staging",
    ),  # staging: not production's evidence
    restore_test("kontor-buero", "2026-10-02T10:00:00", "2026-10-02T11:15:00"),
    restore_test("kontor-buero", "2026-10-01T10:00:00", "2026-10-01T10:30:00", status="failed"),
]
VELUWE = [  # no backup before the period: the records begin with the oldest
    backup("veluwe-tuin", f"V{i}", f"2026-10-01T{5 + i:02d}:00:00") for i in range(19)
] + [backup("veluwe-tuin", f"W{i}", f"2026-10-02T{i:02d}:00:00") for i in range(24)]


def evidence(
    warehouse: Warehouse,
    catalog: Catalog,
    tenant: str | None = None,
    ran_by: dict[tuple[str, dt.datetime], str] | None = None,
) -> RecoveryEvidence:
    load(warehouse, "backup_records", KONTOR + VELUWE, LISTED, LISTED, scope="pgbackrest")
    period, start, end = OCTOBER
    return dr_evidence(warehouse, catalog, period, start, end, tenant, ran_by)


def requirements(found: RecoveryEvidence, tenant: str) -> dict[str, Any]:
    [judged] = [t for t in found.tenants if t.tenant == tenant]
    return {r.requirement: r for r in judged.requirements}


def test_each_requirement_from_hand_built_records(
    warehouse: Warehouse, example_catalog: Catalog
) -> None:
    tested = at("2026-10-02T11:15:00")
    found = evidence(warehouse, example_catalog, ran_by={("kontor-buero", tested): "ana"})
    assert found.as_of == LISTED  # judged up to the listing, not to the month's end
    assert found.notes == (
        "judged up to the newest backup listing, 2026-10-03 00:00, not the period's end "
        "(2026-11-01 00:00)",
    )
    kontor = requirements(found, "kontor-buero")
    # K2 01:10 -> K4 03:40 is the longest gap (K3 failed): 150 minutes against 60.
    rpo = kontor["rpo"]
    assert (rpo.required, rpo.achieved, rpo.status) == (Decimal(60), Decimal("150.00"), "fail")
    assert "K2" in rpo.detail
    assert "K4" in rpo.detail
    ids = [e.backup_id for e in rpo.evidence]
    assert "K3" in ids
    assert "S1" not in ids
    assert "K0" in ids
    assert [e.status for e in rpo.evidence if e.backup_id == "K3"] == ["error"]
    # Last verified restore 2026-10-02 11:15, 12 h 45 min before the listing.
    tested_ok = kontor["restore-tested"]
    assert (tested_ok.achieved, tested_ok.status) == (Decimal("0.53"), "pass")
    assert tested_ok.evidence[0].ran_by == "ana"
    assert tested_ok.evidence[0].evidence_url == "https://ci.example.net/kontor-buero/restore"
    assert [e.status for e in tested_ok.evidence[1:]] == ["failed"]
    rto = kontor["rto"]
    assert (rto.required, rto.achieved, rto.status) == (Decimal(480), Decimal("75.00"), "pass")
    isolation = kontor["isolation"]
    assert isolation.status == "fail"
    assert [e.backup_id for e in isolation.evidence] == ["K4"]
    assert isolation.achieved == "eu-de, eu-nl"

    veluwe = requirements(found, "veluwe-tuin")
    # Hourly from 05:00 (5 hours after the start, not judged: older records expired) to
    # 23:00 on the 2nd, then one hour to the listing.
    assert veluwe["rpo"].achieved == Decimal("60.00")
    assert veluwe["rpo"].status == "pass"
    assert "records begin 2026-10-01 05:00" in veluwe["rpo"].detail
    assert veluwe["isolation"].status == "pass"
    assert veluwe["restore-tested"].status == "fail"  # never tested
    assert veluwe["rto"].achieved is None
    assert veluwe["rto"].status == "fail"


def test_a_tenant_without_backups_fails_every_requirement(
    warehouse: Warehouse, example_catalog: Catalog
) -> None:
    found = evidence(warehouse, example_catalog, tenant="mosel-wein")
    [mosel] = found.tenants
    assert mosel.status == "fail"
    mosel_rpo = {r.requirement: r for r in mosel.requirements}["rpo"]
    assert mosel_rpo.achieved == Decimal(2 * 24 * 60)  # the period's start to the listing
    assert [r.status for r in mosel.requirements] == ["fail"] * 4


def test_dr_on_the_demo_matches_a_plain_sql_reading(demo: Demo, cli: Run) -> None:
    result = cli("--home", str(demo.home), "report", "dr", "--period", DEMO_PERIOD, "-o", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["report"] == "dr"
    assert document["period"] == DEMO_PERIOD
    reported = {
        t["tenant"]: {r["requirement"]: r for r in t["requirements"]} for t in document["tenants"]
    }
    assert len(reported) == 40
    expected = _demo_rpo(demo)
    assert {t: Decimal(r["rpo"]["achieved"]) for t, r in reported.items()} == expected
    for tenant, found in reported.items():
        assert found["rpo"]["status"] == (
            "pass"
            if Decimal(found["rpo"]["achieved"]) <= Decimal(found["rpo"]["required"])
            else "fail"
        ), tenant
        assert {e["kind"] for e in found["rpo"]["evidence"]} <= {"backup", "as-of", "period-start"}
    table = cli("--home", str(demo.home), "report", "dr", "--period", DEMO_PERIOD)
    assert table.exit_code == 0
    assert "tenants pass every requirement" in table.stdout


def _demo_rpo(demo: Demo) -> dict[str, Decimal]:
    """Per tenant: the longest gap between good production backups (no backup before
    October is listed, so gaps start at the first one), and from the last to the listing."""
    path = demo.home / ".costplane" / "warehouse.duckdb"
    with duckdb.connect(str(path), read_only=True) as db:
        rows = db.sql(
            """
            with good as (
                select distinct tenant, database, backup_id, finished_at
                from backup_records
                where record_type = 'backup' and status = 'ok' and environment = 'production'
                  and finished_at >= '2026-10-01' and finished_at < '2026-11-01'
            ),
            listed as (
                select max(taken_at) as as_of from backup_records where record_type = 'backup'
            ),
            gaps as (
                select tenant, database,
                       epoch(finished_at - lag(finished_at) over w) as seconds
                from good window w as (partition by tenant, database order by finished_at)
                union all
                select tenant, database, epoch(max(as_of) - max(finished_at))
                from good, listed group by tenant, database
            )
            select tenant, max(seconds) from gaps group by tenant
            """
        ).fetchall()
    return {
        tenant: (Decimal(str(seconds)) / 60).quantize(Decimal("0.01")) for tenant, seconds in rows
    }
