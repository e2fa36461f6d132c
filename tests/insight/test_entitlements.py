"""`report entitlements`: each entitlement of a tenant's class against its use, with the
status and the money at stake, on hand-built facts (DuckDB and PostgreSQL) against the
example catalog, and on the demo project, the numbers computed apart from the code."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from costplane.catalog import Catalog
from costplane.insight import UNUSED_SHARE, EntitlementItem, Status, capacity_status, entitlements
from costplane.warehouse import Warehouse
from tests.conftest import DEMO_PERIOD, Demo, Run
from tests.insight.class_facts import (
    EXAMPLE,
    OCTOBER,
    example_catalog_fixture,  # noqa: F401 - a fixture
    load,
    warehouse_fixture,  # noqa: F401 - a fixture
)

START = dt.datetime(2026, 10, 1)
GIB = 2**30
CPU_USE = [0.0123 * i for i in range(20)]  # the production namespace's hourly use, in cores


def sample(hour: int, container: str, cpu: float, request: float, memory: float) -> dict[str, Any]:
    return {
        "hour": START + dt.timedelta(hours=hour),
        "cluster": "c1",
        "node": "n1",
        "namespace": "kontor-buero-prod",
        "pod": "odoo-web-5d8f7c6b9a-aaaaa",
        "container": container,
        "cpu_request_cores": request,
        "cpu_limit_cores": None,
        "cpu_usage_cores": cpu,
        "cpu_usage_max_cores": cpu,
        "memory_request_bytes": int(memory * GIB),
        "memory_limit_bytes": None,
        "memory_usage_bytes": GIB / 2,
        "memory_peak_bytes": GIB / 2,
    }


def kubernetes(kind: str, name: str, namespace: str | None, body: dict[str, Any]) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    obj = {"apiVersion": "v1", "kind": kind, "metadata": {**meta, **body.pop("metadata", {})}}
    return {
        "taken_at": dt.datetime(2026, 10, 20),
        "cluster": "c1",
        "api_version": "v1" if kind == "Namespace" else "apps/v1",
        "kind": kind,
        "namespace": namespace,
        "name": name,
        "uid": f"{kind}-{name}",
        "tenant": "kontor-buero",
        "environment": "production",
        "service_class": "shared-standard",
        "labels": "{}",
        "object": json.dumps({**obj, **body}),
    }


def deployment(name: str, replicas: int) -> dict[str, Any]:
    pod = {
        "containers": [
            {"name": "odoo", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}
        ]
    }
    return kubernetes(
        "Deployment",
        name,
        "kontor-buero-prod",
        {"spec": {"replicas": replicas, "template": {"spec": pod}}},
    )


def database(
    taken: dt.datetime, kind: str, size_gib: int, db_gib: int | None = None
) -> dict[str, Any]:
    return {
        "taken_at": taken,
        "server": "pg-1",
        "database": "kontor_buero_prod",
        "tenant": "kontor-buero",
        "environment": "production",
        "relation_kind": kind,
        "relation": "kontor_buero_prod" if kind == "database" else "account.move",
        "size_bytes": size_gib * GIB,
        "db_bytes": None if db_gib is None else db_gib * GIB,
    }


def built(warehouse: Warehouse, retention: str = "30") -> None:
    """kontor-buero (shared-standard: production 2 cores and 8 GiB, database band 0-40 GiB,
    logs 14 days, one replica) using more and less than that; `retention` is its
    namespace's log retention annotation."""
    rows = []
    for hour, cpu in enumerate(CPU_USE):  # requests 2.5 cores and 2 GiB, use 1 GiB
        rows.append(sample(hour, "odoo", cpu * 0.75, 2.0, 1.5))
        rows.append(sample(hour, "proxy", cpu * 0.25, 0.5, 0.5))
    load(warehouse, "usage_samples", rows, START, START + dt.timedelta(days=1))
    first, second = dt.datetime(2026, 10, 5), dt.datetime(2026, 10, 25)
    load(warehouse, "database_stats", [database(first, "database", 30)], first, first, "pg-1")
    newest = [database(second, "database", 50), database(second, "attachments", 5, 1)]
    load(warehouse, "database_stats", newest, second, second, "pg-1")
    logs = [
        {
            "day": dt.date(2026, 10, d),
            "cluster": "c1",
            "namespace": "kontor-buero-prod",
            "service": "logs",
            "resource": "kontor-buero-prod",
            "metric": "ingested_bytes",
            "quantity": float(2 * GIB),
        }
        for d in (1, 2, 3)
    ]
    load(warehouse, "service_usage", logs, START, START + dt.timedelta(days=3))
    namespace = kubernetes(
        "Namespace",
        "kontor-buero-prod",
        None,
        {"metadata": {"annotations": {"costplane.io/log-retention-days": retention}}},
    )
    scaler = kubernetes(  # the HPA keeps at least 3: what the class is held to
        "HorizontalPodAutoscaler",
        "odoo-web",
        "kontor-buero-prod",
        {"spec": {"minReplicas": 3, "scaleTargetRef": {"kind": "Deployment", "name": "odoo-web"}}},
    )
    inventory = [namespace, deployment("odoo-web", 2), deployment("odoo-cron", 1), scaler]
    taken = dt.datetime(2026, 10, 20)
    load(warehouse, "inventory_snapshots", inventory, taken, taken)


def items(warehouse: Warehouse, catalog: Catalog) -> dict[tuple[str, str], EntitlementItem]:
    period, start, end = OCTOBER
    report = entitlements(warehouse, catalog, period, start, end, tenant="kontor-buero")
    [tenant] = report.tenants
    assert tenant.service_class == "shared-standard"
    return {(e.environment, i.entitlement): i for e in tenant.environments for i in e.items}


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_each_entitlement_from_hand_built_facts(
    warehouse: Warehouse, example_catalog: Catalog
) -> None:
    built(warehouse)
    found = items(warehouse, example_catalog)
    core_month, gib_month = Decimal(23), Decimal("3.10")  # the example's price sheet

    requests = found[("production", "cpu-requests")]  # 2.5 cores every hour against 2
    assert (requests.entitled, requests.used, requests.status) == (
        Decimal(2),
        Decimal("2.500"),
        "over",
    )
    assert requests.monthly_amount == cents(Decimal("0.5") * core_month)  # 11.50

    use = found[("production", "cpu-usage-p95")]
    p95 = Decimal(str(np.percentile(CPU_USE, 95))).quantize(Decimal("0.001"))
    assert (use.used, use.status) == (p95, "unused")  # 0.222 < 20 % of 2
    assert use.monthly_amount == cents((2 - p95) * core_month)

    memory = found[("production", "memory-requests")]  # 2 GiB of 8: within (above 1.6)
    assert (memory.used, memory.status, memory.monthly_amount) == (Decimal("2.000"), "within", 0)
    memory_use = found[("production", "memory-usage-p95")]  # 1 GiB of 8: unused
    assert (memory_use.used, memory_use.status) == (Decimal("1.000"), "unused")
    assert memory_use.monthly_amount == cents(7 * gib_month)  # 21.70

    db = found[("production", "database-size")]  # the newest snapshot: 50 GiB over 40
    assert (db.entitled, db.used, db.status) == (Decimal(40), Decimal("50.000"), "over")
    assert db.monthly_amount == cents(10 * Decimal("0.19"))
    # 5 GiB of attachments, 1 in the database, on the class's default 20 GiB volume: 20 %,
    # not below it, so within; the sheet prices no `standard-rwo` volume, so no money
    file_store = found[("production", "file-store")]
    assert (file_store.used, file_store.status, file_store.entitled) == (
        Decimal("4.000"),
        "within",
        Decimal(20),
    )
    assert file_store.monthly_amount == 0

    logs = found[("production", "log-retention")]  # 30 days kept, 14 sold, 2 GiB a day
    assert (logs.entitled, logs.used, logs.status) == (Decimal(14), Decimal(30), "over")
    assert logs.monthly_amount == cents(2 * 16 * Decimal("0.03"))  # 0.96

    ha = found[("production", "ha-replicas")]  # odoo-web kept at 3 for a class of 1; cron is one
    assert (ha.entitled, ha.used, ha.status) == (Decimal(1), Decimal(3), "over")
    assert ha.monthly_amount == cents(2 * (Decimal("0.5") * core_month + 1 * gib_month))  # 29.20

    rpo = found[("production", "backup-rpo")]  # no backup at all: the whole month
    assert (rpo.used, rpo.status) == (Decimal(31 * 24 * 60), "over")
    assert found[("production", "restore-test")].status == "over"

    staging = found[("staging", "cpu-requests")]  # no samples: nothing to judge
    assert (staging.entitled, staging.used, staging.status) == (Decimal("0.5"), None, "unknown")
    assert ("staging", "database-size") not in found  # the band is production's


@pytest.mark.parametrize("written", ["²", "٣٠", "30d", "-5", "thirty", ""])
def test_a_log_retention_annotation_that_is_no_count_of_days_is_not_judged(
    warehouse: Warehouse, example_catalog: Catalog, written: str
) -> None:
    """Anyone who may annotate the namespace writes it: what is no count of days (Python
    takes '²' and Arabic-Indic digits for digits) is as if not written."""
    built(warehouse, retention=written)
    logs = items(warehouse, example_catalog)[("production", "log-retention")]
    assert (logs.entitled, logs.used, logs.status) == (Decimal(14), None, "unknown")


def test_status_boundaries() -> None:
    assert Decimal("0.20") == UNUSED_SHARE
    assert capacity_status(Decimal("0.4"), Decimal(2)) is Status.WITHIN  # exactly 20 %
    assert capacity_status(Decimal("0.399"), Decimal(2)) is Status.UNUSED
    assert capacity_status(Decimal(2), Decimal(2)) is Status.WITHIN  # all of it: not over
    assert capacity_status(Decimal("2.001"), Decimal(2)) is Status.OVER
    assert capacity_status(Decimal(1), Decimal(10), floor=Decimal(5)) is Status.UNUSED
    assert capacity_status(None, Decimal(2)) is Status.UNKNOWN
    assert capacity_status(Decimal(1), None) is Status.UNMETERED


def test_entitlements_on_the_demo_match_numpy(demo: Demo, cli: Run) -> None:
    result = cli(
        "--home", str(demo.home), "report", "entitlements", "--period", DEMO_PERIOD, "-o", "json"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"period", "currency", "tenants"} <= set(document)
    assert (document["period"], document["currency"]) == (DEMO_PERIOD, "EUR")
    assert len(document["tenants"]) == 40
    reported: dict[tuple[str, str], dict[str, Any]] = {}
    for tenant in document["tenants"]:
        assert {"tenant", "service_class", "environments"} <= set(tenant)
        for environment in tenant["environments"]:
            assert {"environment", "items"} <= set(environment)
            for item in environment["items"]:
                keys = {"entitlement", "entitled", "used", "unit", "status", "monthly_amount"}
                assert keys <= set(item)
                assert item["status"] in {
                    "within",
                    "over",
                    "unused",
                    "short",
                    "unmetered",
                    "unknown",
                }
                Decimal(item["monthly_amount"])  # a decimal string
            reported[(tenant["tenant"], environment["environment"])] = {
                i["entitlement"]: i for i in environment["items"]
            }
    expected = _demo_cpu_p95(demo)
    assert len(expected) > 60  # every tenant environment that ran
    core_month = Decimal("0.0316") * 730  # the demo's price sheet: 0.0316 a core-hour
    checked = 0
    for place, p95 in expected.items():
        item = reported[place]["cpu-usage-p95"]
        assert Decimal(item["used"]) == p95, place
        entitled = Decimal(item["entitled"])
        if p95 < entitled * UNUSED_SHARE:
            assert item["status"] == "unused"
            assert Decimal(item["monthly_amount"]) == cents((entitled - p95) * core_month)
            checked += 1
    assert checked > 10  # the demo's tenants mostly leave their quota unused
    table = cli(
        "--home",
        str(demo.home),
        "report",
        "entitlements",
        "--period",
        DEMO_PERIOD,
        "--tenant",
        "merkur-pet-supplies",
    )
    assert table.exit_code == 0
    assert "paid-for headroom unused" in table.stdout


def _demo_cpu_p95(demo: Demo) -> dict[tuple[str, str], Decimal]:
    """Per tenant environment: numpy's 95th percentile of the hourly CPU use summed over
    its namespaces, the namespaces read from the catalog as `ingest` labelled them."""
    path = demo.home / ".costplane" / "warehouse.duckdb"
    with duckdb.connect(str(path), read_only=True) as db:
        rows = db.sql(
            """
            select n.tenant, n.environment, s.hour, sum(s.cpu_usage_cores)
            from usage_samples s
            join (select distinct name as namespace, tenant, environment
                  from inventory_snapshots
                  where kind = 'Namespace' and tenant is not null) n
              on s.namespace = n.namespace
            group by all
            """
        ).fetchall()
    hourly: dict[tuple[str, str], list[float]] = {}
    for tenant, environment, _, cpu in rows:
        hourly.setdefault((tenant, environment), []).append(cpu)
    return {
        place: Decimal(repr(float(np.percentile(values, 95)))).quantize(Decimal("0.001"))
        for place, values in hourly.items()
    }


def test_an_unknown_tenant_is_an_input_error(demo: Demo, cli: Run) -> None:
    for command in ("entitlements", "dr"):
        result = cli(
            "--home",
            str(demo.home),
            "report",
            command,
            "--period",
            DEMO_PERIOD,
            "--tenant",
            "nobody",
        )
        assert result.exit_code == 2
        assert "--tenant 'nobody': no such tenant" in result.stderr


def test_csv_has_one_row_per_item_and_requirement(demo: Demo, cli: Run) -> None:
    home, tenant = str(demo.home), "merkur-pet-supplies"
    found = cli(
        "--home",
        home,
        "report",
        "entitlements",
        "--period",
        DEMO_PERIOD,
        "--tenant",
        tenant,
        "-o",
        "csv",
    )
    assert found.exit_code == 0, found.stderr
    header, *rows = found.stdout.splitlines()
    assert header == (
        "tenant,service_class,environment,entitlement,entitled,used,unit,status,"
        "monthly_amount,basis"
    )
    assert len(rows) == 21  # 11 in production, 5 in each of staging and development
    assert any(
        r.startswith(f"{tenant},dedicated,production,cpu-usage-p95,12,1.839,cores,unused,234.39,")
        for r in rows
    )
    dr = cli(
        "--home", home, "report", "dr", "--period", DEMO_PERIOD, "--tenant", tenant, "-o", "csv"
    )
    assert dr.exit_code == 0, dr.stderr
    header, *rows = dr.stdout.splitlines()
    assert (
        header == "tenant,service_class,requirement,required,achieved,unit,status,detail,evidence"
    )
    assert [r.split(",")[2] for r in rows] == ["rpo", "restore-tested", "rto", "isolation"]


def test_with_a_catalog_and_no_data_nothing_is_measured_and_nothing_written(
    cli: Run, tmp_path: Path
) -> None:
    shutil.copyfile(EXAMPLE, tmp_path / "costplane.yaml")
    home = str(tmp_path)
    result = cli("--home", home, "report", "entitlements", "--period", "2026-10", "-o", "json")
    assert result.exit_code == 0, result.stderr
    statuses = {
        (i["entitlement"], i["status"])
        for t in json.loads(result.stdout)["tenants"]
        for e in t["environments"]
        for i in e["items"]
    }
    assert ("cpu-usage-p95", "unknown") in statuses
    assert "note: no usage samples of these tenants' namespaces in 2026-10" in result.stderr
    assert not {s for _, s in statuses} & {
        "within",
        "unused",
    }  # nothing measured, nothing judged fine
    dr = cli("--home", home, "report", "dr", "--period", "2026-10", "-o", "json")
    assert dr.exit_code == 0, dr.stderr
    assert {t["status"] for t in json.loads(dr.stdout)["tenants"]} == {"fail"}  # no evidence
    assert "note: no backup listing was taken by 2026-11-01 00:00" in dr.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["costplane.yaml"]
