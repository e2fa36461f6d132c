"""The pack's policies that need what the warehouse knows (usage, traffic, logs, backups,
databases, caches, volume use), on a platform loaded through the real ingest API: each
fixture that must trigger does, with the money computed by hand, and each near-miss
beside it does not."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import Review, govern_warehouse
from costplane.warehouse import Warehouse, connect_warehouse

from .scenario import (
    CLUSTER,
    CPU_HOUR,
    END,
    GIB,
    GIB_HOUR,
    MONTH,
    catalog,
    container,
    deployment,
    found,
    hpa,
    load_objects,
    namespace,
    pod,
    pvc,
    rows_load,
    skipped,
)

DAYS = 14
START = END - dt.timedelta(days=DAYS)
HOURS = [START + dt.timedelta(hours=h) for h in range(DAYS * 24)]
AWAKE = [h for h in HOURS if 7 <= h.hour < 17 and h.weekday() < 5]

BIG_CPU = [0.10 + 0.01 * (i % 10) + (0.30 if i % 97 == 0 else 0.0) for i in range(len(HOURS))]
BIG_PEAK = [GIB * (1.5 if i == 40 else 1.0) for i in range(len(HOURS))]

OBJECTS = [
    namespace(
        "acme-prod", "acme", "production", annotations={"costplane.io/log-retention-days": "30"}
    ),
    namespace("acme-dev", "acme", "development"),
    namespace(
        "bolt-prod", "bolt", "production", annotations={"costplane.io/log-retention-days": "60"}
    ),
    namespace("bolt-staging", "bolt", "staging"),
    deployment("acme-prod", "big", container("2", "4Gi"), replicas=2, claims=["files"]),
    deployment("acme-prod", "fit", container("500m", "1Gi")),
    deployment(
        "acme-prod", "sidecars", container("1", "1536Mi"), container("1", "1536Mi", name="proxy")
    ),
    deployment("acme-prod", "scaled", container("2", "4Gi")),
    hpa("acme-prod", "scaled", "scaled", max_replicas=2),
    deployment("acme-prod", "new", container("2", "4Gi")),
    deployment("acme-dev", "web", container("1", "2Gi")),
    deployment("bolt-staging", "web", container("1", "2Gi")),
    pvc("acme-prod", "files", "100Gi"),
    pvc("bolt-prod", "data", "20Gi"),
    pod("bolt-prod", "db-0", claims=["data"]),
]


def usage_rows(
    ns: str,
    pod_name: str,
    hours: list[dt.datetime],
    request: tuple[float, int],
    cpu: Callable[[int], float],
    peak: Callable[[int], float],
) -> list[dict[str, Any]]:
    return [
        {
            "hour": hour,
            "cluster": CLUSTER,
            "node": "n1",
            "namespace": ns,
            "pod": pod_name,
            "container": "odoo",
            "cpu_request_cores": request[0],
            "cpu_usage_cores": cpu(i),
            "memory_request_bytes": request[1],
            "memory_usage_bytes": peak(i),
            "memory_peak_bytes": peak(i),
        }
        for i, hour in enumerate(hours)
    ]


def usage() -> list[dict[str, Any]]:
    rows = []
    for replica in ("big-7d9f8c6b5-x1a2b", "big-7d9f8c6b5-q9w8e"):
        rows += usage_rows(
            "acme-prod", replica, HOURS, (2.0, 4 * GIB), BIG_CPU.__getitem__, BIG_PEAK.__getitem__
        )
    rows += usage_rows(
        "acme-prod", "fit-5c4b3a2d1-abcde", HOURS, (0.5, GIB), lambda _: 0.4, lambda _: 0.8 * GIB
    )
    rows += usage_rows(
        "acme-prod",
        "sidecars-4d3c2b1a0-zyxwv",
        HOURS,
        (2.0, 3 * GIB),
        lambda _: 0.8,
        lambda _: 1.2 * GIB,
    )
    rows += usage_rows(
        "acme-prod", "scaled-6b5a4c3d2-fghij", HOURS, (2.0, 4 * GIB), lambda _: 0.1, lambda _: GIB
    )
    rows += usage_rows(
        "acme-prod",
        "new-8a7b6c5d4-klmno",
        HOURS[-50:],
        (2.0, 4 * GIB),
        lambda _: 0.1,
        lambda _: GIB,
    )
    rows += usage_rows(
        "acme-dev",
        "web-9f8e7d6c5-pqrst",
        AWAKE,
        (1.0, 2 * GIB),
        lambda _: 0.005,
        lambda _: 0.2 * GIB,
    )
    rows += usage_rows(
        "bolt-staging",
        "web-1a2b3c4d5-uvwxy",
        HOURS,
        (1.0, 2 * GIB),
        lambda _: 0.005,
        lambda _: 0.2 * GIB,
    )
    return rows


def service_rows() -> list[dict[str, Any]]:
    rows = []
    for day in range(DAYS):
        date = (START + dt.timedelta(days=day)).date()
        common = {"day": date, "cluster": CLUSTER}
        rows += [
            {
                **common,
                "namespace": "bolt-staging",
                "service": "traefik",
                "resource": "bolt-staging-odoo-0a1b2c3d4e@kubernetescrd",
                "metric": "requests",
                "quantity": 1000.0,
            },
            {
                **common,
                "namespace": "acme-prod",
                "service": "logs",
                "resource": "acme-prod",
                "metric": "ingested_bytes",
                "quantity": float(GIB),
            },
            {
                **common,
                "namespace": "bolt-prod",
                "service": "logs",
                "resource": "bolt-prod",
                "metric": "ingested_bytes",
                "quantity": float(GIB),
            },
            {
                **common,
                "namespace": "acme-prod",
                "service": "kubelet",
                "resource": "files",
                "metric": "used_bytes",
                "quantity": float(10 * GIB if day == 3 else 6 * GIB),
            },
            {
                **common,
                "namespace": "bolt-prod",
                "service": "kubelet",
                "resource": "data",
                "metric": "used_bytes",
                "quantity": float(15 * GIB),
            },
        ]
    return rows


def backup(database: str, tenant: str, finished: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "taken_at": END,
        "record_type": "backup",
        "tool": "pgbackrest",
        "backup_id": f"{database}-{finished:%Y%m%d%H%M}",
        "tenant": tenant,
        "environment": "production",
        "database": database,
        "backup_type": "diff",
        "started_at": finished - dt.timedelta(minutes=5),
        "finished_at": finished,
        "size_bytes": GIB,
        "location": f"s3://backups/{tenant}/",
        "location_region": extra.get("region", "eu-west-1"),
        "data_region": "eu-central-1",
        "status": extra.get("status", "ok"),
        "evidence_url": None,
    }


def backup_rows() -> list[dict[str, Any]]:
    hour = dt.timedelta(hours=1)
    return [
        backup("acme_prod", "acme", END - dt.timedelta(days=2), region="eu-central-1"),
        backup("acme_prod", "acme", END - hour, status="error"),
        {**backup("acme_prod", "acme", END - dt.timedelta(days=10)), "record_type": "restore-test"},
        backup("bolt_prod", "bolt", END - hour),
        {**backup("bolt_prod", "bolt", END - dt.timedelta(days=20)), "record_type": "restore-test"},
    ]


def stats(
    taken: dt.datetime, server: str, database: str, env: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    tenant = database.split("_")[0]
    base = {
        "taken_at": taken,
        "server": server,
        "database": database,
        "tenant": tenant,
        "environment": env,
    }
    return [{**base, **row} for row in rows]


def database_rows() -> list[dict[str, Any]]:
    earlier, latest = END - dt.timedelta(days=1), END
    rows = stats(
        earlier,
        "pg1",
        "acme_prod",
        "production",
        [
            {"relation_kind": "database", "relation": "acme_prod", "size_bytes": 15 * GIB},
        ],
    )
    rows += stats(
        latest,
        "pg1",
        "acme_prod",
        "production",
        [
            {"relation_kind": "database", "relation": "acme_prod", "size_bytes": 25 * GIB},
            {
                "relation_kind": "index",
                "relation": "idx_a",
                "size_bytes": 200 * 2**20,
                "index_scans": 0,
            },
            {"relation_kind": "index", "relation": "idx_b", "size_bytes": GIB, "index_scans": 5},
            {
                "relation_kind": "constraint_index",
                "relation": "pkey",
                "size_bytes": 500 * 2**20,
                "index_scans": 0,
            },
            {
                "relation_kind": "attachments",
                "relation": "sale.order",
                "size_bytes": 3 * GIB,
                "db_bytes": 2 * GIB,
            },
            {"relation_kind": "failed_mail", "relation": "mail_mail", "row_count": 150},
        ],
    )
    rows += stats(
        latest,
        "pg1",
        "acme_dev",
        "development",
        [
            {"relation_kind": "database", "relation": "acme_dev", "size_bytes": 30 * GIB},
            {
                "relation_kind": "index",
                "relation": "idx_a",
                "size_bytes": 50 * 2**20,
                "index_scans": 0,
            },
            {"relation_kind": "failed_mail", "relation": "mail_mail", "row_count": 20},
        ],
    )
    rows += stats(
        latest,
        "pg2",
        "bolt_prod",
        "production",
        [
            {"relation_kind": "database", "relation": "bolt_prod", "size_bytes": 150 * GIB},
            {
                "relation_kind": "attachments",
                "relation": "sale.order",
                "size_bytes": GIB,
                "db_bytes": 0,
            },
        ],
    )
    return rows


def cache_rows() -> list[dict[str, Any]]:
    rows = []
    for days, shared_evicted, own_evicted in (
        (8, 100, None),
        (6, 100, 50),
        (3, 100, 10),
        (0, 100, 25),
    ):
        taken = END - dt.timedelta(days=days)
        rows.append(
            {
                "taken_at": taken,
                "server": "redis-shared",
                "tenant": None,
                "maxmemory_bytes": 4 * GIB,
                "used_memory_bytes": GIB,
                "evicted_keys": shared_evicted,
            }
        )
        rows += [
            {
                "taken_at": taken,
                "server": "redis-shared",
                "tenant": t,
                "keys": 10,
                "memory_bytes": 100,
            }
            for t in ("acme", "bolt")
        ]
        if own_evicted is not None:
            rows.append(
                {
                    "taken_at": taken,
                    "server": "redis-bolt",
                    "tenant": None,
                    "maxmemory_bytes": 0,
                    "used_memory_bytes": GIB,
                    "evicted_keys": own_evicted,
                }
            )
            rows.append(
                {
                    "taken_at": taken,
                    "server": "redis-bolt",
                    "tenant": "bolt",
                    "keys": 10,
                    "memory_bytes": 100,
                }
            )
    return rows


def load_platform(warehouse: Warehouse, *, columns: bool) -> None:
    cat = catalog()
    load_objects(warehouse, OBJECTS, cat, columns=columns)
    day = dt.timedelta(days=1)
    warehouse.ingest(
        [
            rows_load("usage_samples", usage(), START, END),
            rows_load("service_usage", service_rows(), START, END),
            rows_load("backup_records", backup_rows(), END, END),
            rows_load("database_stats", database_rows(), END - day, END + day),
            rows_load("cache_stats", cache_rows(), END - 8 * day, END + day),
        ]
    )


@pytest.fixture(scope="module", params=["columns", "texts"])
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Warehouse]:
    """The platform with its inventory as stored columns, and as texts only."""
    path: Path = tmp_path_factory.mktemp("platform") / "w.duckdb"
    with connect_warehouse(f"duckdb:///{path}") as opened:
        load_platform(opened, columns=request.param == "columns")
        yield opened


@pytest.fixture(scope="module")
def review(warehouse: Warehouse) -> Review:
    return govern_warehouse(warehouse, catalog(), [p.policy for p in pack_policies()])


def test_the_run_judges_the_snapshot_instant(review: Review) -> None:
    assert review.at == END.replace(tzinfo=dt.UTC)
    assert skipped(review) == {}
    assert all(not result.unreadable for result in review.results)


def test_requests_oversized_as_krr(review: Review) -> None:
    findings = found(review, "requests-oversized")
    # fit uses 80 %; scaled has an HPA; new has 50 samples; acme-dev's namespace is idle;
    # each of sidecars' two containers requests less than twice the pod's use, both more
    assert set(findings) == {
        ("Deployment", "acme-prod", "big"),
        ("Deployment", "acme-prod", "sidecars"),
        ("Deployment", "bolt-staging", "web"),
    }
    # KRR's recommendation, rounded up as KRR rounds: CPU to 1m, memory to 1Mi
    sidecars = findings[("Deployment", "acme-prod", "sidecars")].monthly_waste
    memory_rec = Decimal(math.ceil(1.2 * GIB * 1.15 / 2**20) * 2**20) / GIB
    expected = (2 - Decimal("0.8")) * CPU_HOUR + (3 - memory_rec) * GIB_HOUR
    assert sidecars is not None
    assert abs(sidecars - expected * MONTH) < Decimal("1e-9")
    p95 = Decimal(math.ceil(float(np.percentile(BIG_CPU, 95)) * 1000)) / 1000
    memory_rec = Decimal(math.ceil(1.5 * GIB * 1.15 / 2**20) * 2**20) / GIB
    per_replica = (2 - p95) * CPU_HOUR + (4 - memory_rec) * GIB_HOUR
    waste = findings[("Deployment", "acme-prod", "big")].monthly_waste
    assert waste is not None
    assert abs(waste - 2 * per_replica * MONTH) < Decimal("1e-9")


def test_nonprod_idle_with_its_reservation_as_waste(review: Review) -> None:
    findings = found(review, "nonprod-idle")
    assert set(findings) == {("Namespace", None, "acme-dev")}  # bolt-staging has traffic
    hours = len(AWAKE)
    cost = hours * 1 * CPU_HOUR + hours * 2 * GIB_HOUR
    expected = cost * MONTH / (DAYS * 24)
    waste = findings[("Namespace", None, "acme-dev")].monthly_waste
    assert waste is not None
    assert abs(waste - expected) < Decimal("1e-9")


def test_log_retention_beyond_the_class(review: Review) -> None:
    findings = found(review, "log-retention-exceeds-class")
    assert set(findings) == {("Namespace", None, "acme-prod")}  # bolt keeps 60 of 90 days
    # 1 GiB a day kept 16 days too long at 0.03 a GiB-month
    assert findings[("Namespace", None, "acme-prod")].rounded_waste == Decimal("0.48")


def test_backups(review: Review) -> None:
    assert set(found(review, "backup-older-than-rpo")) == {
        ("backup-set", "acme-prod", "acme_prod"),  # 2 days old, RPO 1 day
        ("backup-set", "cobalt-prod", "cobalt_prod"),  # never backed up
    }
    assert set(found(review, "restore-unverified")) == {
        ("backup-set", "bolt-prod", "bolt_prod"),  # 20 days, premium tests every 14
        ("backup-set", "cobalt-prod", "cobalt_prod"),
    }
    assert set(found(review, "backup-not-isolated")) == {("backup-set", "acme-prod", "acme_prod")}


def test_redis(review: Review) -> None:
    unset = found(review, "redis-maxmemory-unset")
    assert set(unset) == {("cache", None, "redis-bolt")}
    finding = unset[("cache", None, "redis-bolt")]
    assert (finding.tenant, finding.environment) == ("bolt", "production")
    assert set(found(review, "redis-evicting")) == {("cache", None, "redis-bolt")}


def test_databases(review: Review) -> None:
    over = found(review, "database-over-band")
    assert set(over) == {("database", None, "acme_prod")}  # acme_dev is a copy
    assert over[("database", None, "acme_prod")].rounded_waste == Decimal("1.00")  # 5 GiB x 0.20
    unused = found(review, "database-unused-indexes")
    assert set(unused) == {("database", None, "acme_prod")}  # 200 MiB, pkey not counted
    assert unused[("database", None, "acme_prod")].rounded_waste == Decimal("0.04")
    attachments = found(review, "odoo-attachments-in-database")
    assert set(attachments) == {("database", None, "acme_prod")}
    assert attachments[("database", None, "acme_prod")].rounded_waste == Decimal("0.36")
    assert set(found(review, "odoo-failed-mail-backlog")) == {("database", None, "acme_prod")}


def test_pvc_oversized_against_its_peak_use(review: Review) -> None:
    findings = found(review, "pvc-oversized")
    assert set(findings) == {("PersistentVolumeClaim", "acme-prod", "files")}
    # 100 GiB against a peak of 10: right-sized at 15, 85 GiB at 0.10
    assert findings[("PersistentVolumeClaim", "acme-prod", "files")].rounded_waste == Decimal(
        "8.50"
    )


def test_nothing_else_is_found(review: Review) -> None:
    expected_policies = {
        "requests-oversized",
        "nonprod-idle",
        "log-retention-exceeds-class",
        "backup-older-than-rpo",
        "restore-unverified",
        "backup-not-isolated",
        "redis-maxmemory-unset",
        "redis-evicting",
        "database-over-band",
        "database-unused-indexes",
        "odoo-attachments-in-database",
        "odoo-failed-mail-backlog",
        "pvc-oversized",
        # the objects here have no quota and no rate limit: those policies see it too
        "quota-missing",
        "ingress-no-rate-limit",
        "nonprod-no-sleep-schedule",
        "hpa-beyond-entitlement",  # scaled: 2 replicas x 2 cores, 2 entitled
    }
    assert {f.policy for f in review.findings} <= expected_policies
