"""Warehouse-backed facts, value by value, on DuckDB and on the running PostgreSQL: the same
rows give the same answers, in bulk (one query per kind of fact)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from costplane.governance.facts.fact import FactRequest
from costplane.governance.facts.warehouse import WarehouseFacts
from costplane.governance.inventory.resources import ResourceRef
from costplane.warehouse import FACT_TABLES, Load, Warehouse, connect_warehouse

END = dt.datetime(2026, 10, 31)
AT = END.replace(tzinfo=dt.UTC)
GIB = 2**30
DAY = dt.timedelta(days=1)


def load(
    warehouse: Warehouse,
    table: str,
    rows: list[dict[str, Any]],
    start: dt.datetime,
    end: dt.datetime,
    scope: str = "c1",
) -> None:
    schema = FACT_TABLES[table].schema.to_pyarrow()
    keys = dict.fromkeys(key for row in rows for key in row)
    data = pa.Table.from_pylist(rows, pa.schema([schema.field(k) for k in keys]))
    warehouse.ingest([Load(table, "test", scope, start, end, data)])


def sample(
    hour: dt.datetime,
    ns: str,
    pod: str,
    container: str,
    cpu: float,
    request: float = 1.0,
    cluster: str = "c1",
) -> dict[str, Any]:
    return {
        "hour": hour,
        "cluster": cluster,
        "node": "n1",
        "namespace": ns,
        "pod": pod,
        "container": container,
        "cpu_request_cores": request,
        "cpu_usage_cores": cpu,
        "memory_request_bytes": GIB,
        "memory_usage_bytes": cpu * GIB,
        "memory_peak_bytes": cpu * GIB,
    }


CPU = [0.05 * (i % 20) for i in range(120)]  # hourly use of one pod of `odoo`


def usage_rows() -> list[dict[str, Any]]:
    start = END - dt.timedelta(hours=120)
    rows = []
    for i in range(120):
        hour = start + dt.timedelta(hours=i)
        pod = "odoo-5d8f7c6b9a-aaaaa" if i < 60 else "odoo-5d8f7c6b9a-bbbbb"  # a new pod midway
        rows.append(sample(hour, "acme-prod", pod, "odoo", CPU[i] * 0.75))
        rows.append(sample(hour, "acme-prod", pod, "sidecar", CPU[i] * 0.25, request=0.0))
        rows.append(sample(hour, "acme-prod", "odoo-web-7f6e5d4c3b-ccccc", "odoo", 0.9))
        rows.append(sample(hour, "acme-prod", "db-0", "postgres", 2.0, request=2.0))
        if i >= 96:  # the last day: an hour of 3 % use, the others 1 %
            rows.append(
                sample(
                    hour, "acme-dev", "odoo-6a5b4c3d2e-ddddd", "odoo", 0.03 if i == 100 else 0.01
                )
            )
    return rows


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def facts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WarehouseFacts]:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    else:
        url = request.getfixturevalue("postgres_url")
    yield from _loaded(url)


def _loaded(url: str) -> Iterator[WarehouseFacts]:
    with connect_warehouse(url) as warehouse:
        start = END - 5 * DAY
        load(warehouse, "usage_samples", usage_rows(), start, END)
        load(warehouse, "service_usage", service_rows(), start, END)
        load(warehouse, "backup_records", backup_rows(), END, END)
        load(warehouse, "database_stats", database_rows(), END - DAY, END + DAY)
        load(warehouse, "cache_stats", cache_rows(), END - 8 * DAY, END + DAY)
        yield WarehouseFacts(warehouse)


def service_rows() -> list[dict[str, Any]]:
    rows = []
    for day in range(5):
        date = (END - dt.timedelta(days=5 - day)).date()
        rows.append(
            {
                "day": date,
                "cluster": "c1",
                "namespace": "acme-prod",
                "service": "logs",
                "resource": "acme-prod",
                "metric": "ingested_bytes",
                "quantity": float(GIB),
            }
        )
        if day < 3:
            rows.append(
                {
                    "day": date,
                    "cluster": "c1",
                    "namespace": "acme-prod",
                    "service": "traefik",
                    "resource": "acme-prod-odoo-0123456789@kubernetescrd",
                    "metric": "requests",
                    "quantity": 100.0,
                }
            )
            rows.append(
                {
                    "day": date,
                    "cluster": "c1",
                    "namespace": "acme-prod",
                    "service": "traefik",
                    "resource": "acme-prod-odoo-api-9876543210@kubernetescrd",
                    "metric": "requests",
                    "quantity": 5.0,
                }
            )
    return rows


def backup_rows() -> list[dict[str, Any]]:
    def record(
        kind: str, finished: dt.datetime, status: str = "ok", region: str = "eu-west-1"
    ) -> dict[str, Any]:
        return {
            "taken_at": END,
            "record_type": kind,
            "tool": "pgbackrest",
            "backup_id": f"{finished}",
            "tenant": "acme",
            "environment": "production",
            "database": "acme_prod",
            "started_at": finished - dt.timedelta(minutes=5),
            "finished_at": finished,
            "location_region": region,
            "data_region": "eu-central-1",
            "status": status,
        }

    return [
        record("backup", END - 3 * DAY, region="eu-north-1"),
        record("backup", END - DAY),
        record("backup", END - dt.timedelta(hours=2), status="error"),
        record("restore-test", END - 9 * DAY),
        record("restore-test", END - 2 * DAY, status="failed"),
    ]


def database_rows() -> list[dict[str, Any]]:
    def row(taken: dt.datetime, **values: Any) -> dict[str, Any]:
        return {
            "taken_at": taken,
            "server": "pg1",
            "database": "acme_prod",
            "tenant": "acme",
            "environment": "production",
            **values,
        }

    return [
        row(END - DAY, relation_kind="database", relation="acme_prod", size_bytes=10 * GIB),
        row(END - DAY, relation_kind="failed_mail", relation="mail_mail", row_count=7),
        row(END, relation_kind="database", relation="acme_prod", size_bytes=12 * GIB),
        row(END, relation_kind="index", relation="a", size_bytes=100, index_scans=0),
        row(END, relation_kind="index", relation="b", size_bytes=200, index_scans=0),
        row(END, relation_kind="index", relation="c", size_bytes=400, index_scans=3),
        row(END, relation_kind="constraint_index", relation="pk", size_bytes=800, index_scans=0),
        row(END, relation_kind="attachments", relation="sale.order", size_bytes=9, db_bytes=5),
        row(END, relation_kind="attachments", relation="account.move", size_bytes=9, db_bytes=6),
    ]


def cache_rows() -> list[dict[str, Any]]:
    counters = [(7, 40), (5, 100), (3, 20), (1, 35), (0, 35)]  # a restart between days 5 and 3
    return [
        {
            "taken_at": END - dt.timedelta(days=d),
            "server": "r1",
            "tenant": None,
            "maxmemory_bytes": 0 if d == 0 else GIB,
            "used_memory_bytes": 5 * d,
            "evicted_keys": n,
        }
        for d, n in counters
    ]


def ask(
    facts: WarehouseFacts, name: str, refs: list[ResourceRef], days: float | None = None
) -> list[object]:
    window = dt.timedelta(days=days) if days is not None else None
    return list(facts.values(FactRequest(name, window, AT), refs))


DEPLOYMENT = ResourceRef("Deployment", "odoo", "acme-prod", "c1")
WEB = ResourceRef("Deployment", "odoo-web", "acme-prod", "c1")
DB = ResourceRef("StatefulSet", "db", "acme-prod", "c1")
ABSENT = ResourceRef("Deployment", "other", "acme-prod", "c1")
ELSEWHERE = ResourceRef("Deployment", "odoo", "acme-prod", "c9")


def test_krr_facts_pool_the_pods_and_sum_their_containers(facts: WarehouseFacts) -> None:
    p95, peak, samples = (
        ask(facts, name, [DEPLOYMENT, WEB, DB, ABSENT, ELSEWHERE], 14)
        for name in ("cpu_p95_cores", "memory_peak_bytes", "usage_samples")
    )
    expected = Decimal(repr(float(np.percentile(CPU, 95))))
    assert isinstance(p95[0], Decimal)
    assert abs(p95[0] - expected) < Decimal("1e-12")
    assert p95[1:3] == [Decimal("0.9"), Decimal("2.0")]
    assert p95[3:] == [None, None]
    assert abs(peak[0] - Decimal(max(CPU) * GIB)) < 1  # type: ignore[operator]
    assert samples == [Decimal(120), Decimal(120), Decimal(120), Decimal(0), None]
    assert ask(facts, "usage_samples", [DEPLOYMENT], 2) == [Decimal(48)]


def test_namespace_facts(facts: WarehouseFacts) -> None:
    dev = ResourceRef("Namespace", "acme-dev", cluster="c1")
    in_dev = ResourceRef("Deployment", "odoo", "acme-dev", "c1")
    quiet = ResourceRef("Namespace", "acme-qa", cluster="c1")
    assert ask(facts, "namespace_usage_hours", [dev, in_dev, quiet], 7) == [24, 24, 0]
    [peak, _, unknown] = ask(facts, "namespace_cpu_peak_percent", [dev, in_dev, quiet], 7)
    assert abs(peak - Decimal(3)) < Decimal("1e-9")  # type: ignore[operator]
    assert unknown is None
    assert ask(facts, "requested_core_hours", [dev, quiet], 7) == [Decimal(24), Decimal(0)]
    assert ask(facts, "requested_gib_hours", [dev], 7) == [Decimal(24)]
    assert ask(facts, "history_hours", [dev, ELSEWHERE], 30) == [Decimal(120), None]
    assert ask(facts, "history_hours", [dev], 2) == [Decimal(48)]


def test_traffic_by_route_and_by_namespace(facts: WarehouseFacts) -> None:
    route = ResourceRef("IngressRoute", "odoo", "acme-prod", "c1")
    api = ResourceRef("IngressRoute", "odoo-api", "acme-prod", "c1")
    namespace = ResourceRef("Namespace", "acme-prod", cluster="c1")
    silent = ResourceRef("Namespace", "acme-dev", cluster="c1")
    unknown = ResourceRef("Namespace", "acme-dev", cluster="c9")
    assert ask(facts, "requests", [route, api, namespace, silent, unknown], 30) == [
        Decimal(300),
        Decimal(15),
        Decimal(315),
        Decimal(0),
        None,
    ]
    # no Traefik row at all in the last two days: unknown (a collector down), not zero
    assert ask(facts, "requests", [namespace], 2) == [None]
    last = dt.datetime.combine((END - 2 * DAY).date(), dt.time(), dt.UTC)
    assert ask(facts, "last_traffic", [route, namespace, silent]) == [last, last, None]


def test_log_bytes_per_day_over_the_history_there_is(facts: WarehouseFacts) -> None:
    namespace = ResourceRef("Namespace", "acme-prod", cluster="c1")
    assert ask(facts, "log_bytes_per_day", [namespace], 30) == [Decimal(GIB)]
    assert facts.provides("log_bytes_per_day")
    assert not facts.provides("volume_used_bytes")  # nobody collects volume use here


def test_backups(facts: WarehouseFacts) -> None:
    backup_set = ResourceRef("backup-set", "acme_prod", "acme-prod", tenant="acme")
    tenant = ResourceRef("tenant", "acme", tenant="acme")
    other = ResourceRef("backup-set", "bolt_prod", "bolt-prod", tenant="bolt")
    assert ask(facts, "last_backup", [backup_set, tenant, other]) == [
        (END - DAY).replace(tzinfo=dt.UTC),
        (END - DAY).replace(tzinfo=dt.UTC),
        None,
    ]
    assert ask(facts, "last_verified_restore", [backup_set]) == [
        (END - 9 * DAY).replace(tzinfo=dt.UTC)
    ]
    assert ask(facts, "backup_region", [backup_set, other]) == ["eu-west-1", None]
    assert ask(facts, "data_region", [backup_set]) == ["eu-central-1"]
    earlier = facts.values(FactRequest("last_backup", None, AT - 2 * DAY), [backup_set])
    assert earlier == [None]  # the catalogue was listed after that instant


def test_databases_read_their_latest_snapshot(facts: WarehouseFacts) -> None:
    database = ResourceRef("database", "acme_prod", cluster="pg1")
    by_name = ResourceRef("database", "acme_prod")
    assert ask(facts, "database_size_bytes", [database, by_name]) == [12 * GIB, 12 * GIB]
    assert ask(facts, "unused_index_bytes", [database]) == [Decimal(300)]
    assert ask(facts, "unused_indexes", [database]) == [Decimal(2)]
    assert ask(facts, "attachment_db_bytes", [database]) == [Decimal(11)]
    assert ask(facts, "failed_mail", [database]) == [None]  # not in the latest snapshot
    day_before = facts.values(FactRequest("failed_mail", None, AT - DAY), [database])
    assert day_before == [Decimal(7)]


def test_redis_evictions_survive_a_restart(facts: WarehouseFacts) -> None:
    cache = ResourceRef("cache", "r1")
    assert ask(facts, "evicted_keys", [cache], 7) == [Decimal(60 + 20 + 15)]
    assert ask(facts, "evicted_keys", [cache], 2) == [Decimal(0)]
    assert ask(facts, "maxmemory_bytes", [cache, ResourceRef("cache", "r2")]) == [0, None]


def test_allocated_cost_by_namespace_tenant_and_environment(facts: WarehouseFacts) -> None:
    namespace = ResourceRef("Namespace", "acme-prod", cluster="c1")
    deployment = ResourceRef("Deployment", "odoo", "acme-prod", "c1")
    tenant = ResourceRef("tenant", "acme", tenant="acme")
    environment = ResourceRef(
        "environment", "acme/production", tenant="acme", environment="production"
    )
    facts.warehouse.ensure_schema()
    assert ask(facts, "allocated_cost", [namespace], 30) == [None]  # not allocated yet
    facts.warehouse.ibis.raw_sql(
        "INSERT INTO allocations (day, tenant, environment, namespace, cluster, kind, cost) VALUES "
        "('2026-10-29', 'acme', 'production', 'acme-prod', 'c1', 'direct', 1.25), "
        "('2026-10-30', 'acme', 'production', 'acme-prod', 'c1', 'direct', 1.50), "
        "('2026-10-30', 'acme', 'production', NULL, NULL, 'shared', 0.25), "
        "('2026-10-31', 'acme', 'production', 'acme-prod', 'c1', 'direct', 9.00)"
    )
    fresh = WarehouseFacts(facts.warehouse)  # another run: its queries are not cached
    costs = ask(fresh, "allocated_cost", [namespace, deployment, tenant, environment], 30)
    assert costs == [Decimal("2.75"), Decimal("2.75"), Decimal("3.00"), Decimal("3.00")]
    assert ask(fresh, "allocated_cost", [namespace], 1) == [Decimal("1.50")]
