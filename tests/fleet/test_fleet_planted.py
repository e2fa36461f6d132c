"""planted.json: every kind planted, resources exist, waste recomputed from the files, and the
clean rest of the fleet does not meet the definitions."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
from ruamel.yaml import YAML

from costplane.catalog import Catalog
from costplane.quantity import cpu_cores, memory_bytes
from costplane_fleet import INCIDENTAL_KINDS, PLANTED_KINDS, FleetSummary
from costplane_fleet.findings import RECORDS

if TYPE_CHECKING:
    from tests.fleet.conftest import Kubectl

GIB = 2**30


def planted(fleet: FleetSummary) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((fleet.out / "planted.json").read_text())
    return records


def one(query: str) -> tuple[Any, ...]:
    """The single row a query returns."""
    row = duckdb.sql(query).fetchone()
    assert row is not None, query
    return row


def catalog(fleet: FleetSummary) -> Catalog:
    return Catalog.model_validate(YAML(typ="safe").load((fleet.out / "costplane.yaml").read_text()))


def test_every_planted_kind_has_one_entry_in_the_records_table() -> None:
    assert list(RECORDS) == list(PLANTED_KINDS)


def test_every_kind_is_planted_on_existing_resources(fleet: FleetSummary, kubectl: Kubectl) -> None:
    records = planted(fleet)
    assert {r["kind"] for r in records} - set(INCIDENTAL_KINDS) == set(PLANTED_KINDS)
    assert records == sorted(
        records,
        key=lambda r: (
            r["kind"],
            r["tenant"] or "",
            r["resource"]["kind"],
            r["resource"]["namespace"] or "",
            r["resource"]["name"],
        ),
    )
    kinds = {
        "Namespace": "namespaces",
        "Deployment": "deployments",
        "VolumeSnapshot": "volumesnapshots",
        "PersistentVolumeClaim": "persistentvolumeclaims",
        "PersistentVolume": "persistentvolumes",
        "IngressRoute": "ingressroutes",
    }
    for r in records:
        res = r["resource"]
        if res["kind"] in kinds:
            names = {
                (o["metadata"].get("namespace"), o["metadata"]["name"])
                for o in kubectl(fleet.out, kinds[res["kind"]])
            }
            assert (res["namespace"], res["name"]) in names, r
        Decimal(r["monthly_waste"])


def test_money_waste_recomputes_from_the_files(fleet: FleetSummary, kubectl: Kubectl) -> None:
    cat = catalog(fleet)
    prices = cat.price_sheet
    usage = fleet.out / "usage" / "usage_samples.parquet"
    end = fleet.spec.end_at
    for r in planted(fleet):
        if r["kind"] in INCIDENTAL_KINDS:
            continue  # no tenant's: tests/governance/test_planted.py scores them
        tenant = cat.tenant(r["tenant"])
        assert tenant is not None
        sc = cat.service_classes[tenant.service_class]
        res = r["resource"]
        if r["kind"] == "requests-oversized":
            dep = next(
                d
                for d in kubectl(fleet.out, "deployments")
                if d["metadata"]["namespace"] == res["namespace"]
                and d["metadata"]["name"] == res["name"]
            )
            c = dep["spec"]["template"]["spec"]["containers"][0]
            p95, peak, n = one(
                "SELECT quantile_cont(cpu_usage_cores, 0.95), max(memory_peak_bytes), count(*)"
                f" FROM '{usage}'"
                f" WHERE namespace = '{res['namespace']}' AND pod LIKE '{res['name']}-%'"
                f" AND hour >= TIMESTAMP '{end - dt.timedelta(days=14)}'"
            )
            assert n >= 100
            cpu_req, mem_req = (
                cpu_cores(c["resources"]["requests"]["cpu"]),
                memory_bytes(c["resources"]["requests"]["memory"]),
            )
            assert float(cpu_req) > 2 * p95
            assert 3 <= float(cpu_req) / p95 <= 8.5
            waste = (
                dep["spec"]["replicas"]
                * (
                    max(0.0, float(cpu_req) - p95) * float(prices.cpu.canonical)
                    + max(0.0, mem_req - peak * 1.15) / GIB * float(prices.memory.canonical)
                )
                * 730
            )
        elif r["kind"] == "nonprod-idle":
            days = min(30, fleet.spec.days)
            cores, mem = one(
                "SELECT sum(cpu_request_cores), sum(memory_request_bytes)"
                f" FROM '{usage}' WHERE namespace = '{res['name']}'"
                f" AND hour >= TIMESTAMP '{end - dt.timedelta(days=days)}'"
            )
            waste = (
                (cores * float(prices.cpu.canonical) + mem / GIB * float(prices.memory.canonical))
                * 730
                / (days * 24)
            )
        elif r["kind"] == "snapshot-stale":
            snap = next(
                s
                for s in kubectl(fleet.out, "volumesnapshots")
                if s["metadata"]["name"] == res["name"]
                and s["metadata"]["namespace"] == res["namespace"]
            )
            waste = (
                memory_bytes(snap["status"]["restoreSize"]) / GIB * float(prices.snapshot.per_month)
            )
        elif r["kind"] == "volume-orphaned":
            kind = (
                "persistentvolumeclaims"
                if res["kind"] == "PersistentVolumeClaim"
                else "persistentvolumes"
            )
            obj = next(o for o in kubectl(fleet.out, kind) if o["metadata"]["name"] == res["name"])
            size = (
                obj["status"]["capacity"]["storage"]
                if kind == "persistentvolumeclaims"
                else obj["spec"]["capacity"]["storage"]
            )
            waste = (
                memory_bytes(size)
                / GIB
                * float(prices.storage[obj["spec"]["storageClassName"]].per_month)
            )
        elif r["kind"] == "database-over-band":
            (size,) = one(
                "SELECT arg_max(size_bytes, taken_at)"
                f" FROM '{fleet.out}/postgres/database_stats.parquet'"
                f" WHERE database = '{res['name']}' AND relation_kind = 'database'"
            )
            waste = (size / GIB - sc.database_band_gib.max_gib) * float(
                prices.database_storage.per_month
            )
        elif r["kind"] == "log-retention-exceeds-class":
            ns = next(
                n for n in kubectl(fleet.out, "namespaces") if n["metadata"]["name"] == res["name"]
            )
            days = int(ns["metadata"]["annotations"]["costplane.io/log-retention-days"])
            (total,) = one(
                f"SELECT sum(quantity) FROM '{fleet.out}/usage/service_usage.parquet'"
                f" WHERE namespace = '{res['name']}' AND service = 'logs'"
            )
            waste = (
                total
                / GIB
                / fleet.spec.days
                * (days - sc.log_retention_days)
                * float(prices.log_retention.per_month)
            )
        else:
            assert r["monthly_waste"] == "0.00"
            continue
        assert waste > 0
        assert abs(float(r["monthly_waste"]) - waste) <= 0.01 * waste + 0.01, (r, waste)


def test_clean_deployments_are_not_oversized(fleet: FleetSummary) -> None:
    usage = fleet.out / "usage" / "usage_samples.parquet"
    end = fleet.spec.end_at - dt.timedelta(days=14)
    planted_keys = {
        (r["resource"]["namespace"], r["resource"]["name"])
        for r in planted(fleet)
        if r["kind"] == "requests-oversized"
    }
    idle = {r["resource"]["name"] for r in planted(fleet) if r["kind"] == "nonprod-idle"}
    # requests-under is planted for `recommend workloads` (rightsizing.json), not a policy
    answers = json.loads((fleet.out / "rightsizing.json").read_text())["containers"]
    planted_keys |= {(r["namespace"], r["workload"]) for r in answers}
    rows = duckdb.sql(
        "SELECT namespace, regexp_extract(pod, '^(.*)-[a-z0-9]+-[a-z0-9]+$', 1) AS workload,"
        " container,"
        f" quantile_cont(cpu_usage_cores, 0.95) / any_value(cpu_request_cores),"
        f" max(memory_peak_bytes) * 1.15 / any_value(memory_request_bytes), count(*)"
        f" FROM '{usage}' WHERE hour >= TIMESTAMP '{end}' GROUP BY ALL"
    ).fetchall()
    checked = 0
    for ns, workload, _c, cpu_ratio, mem_ratio, n in rows:
        if not workload or n < 100 or (ns, workload) in planted_keys or ns in idle:
            continue
        assert 0.7 <= cpu_ratio <= 1.0, (ns, workload, cpu_ratio)
        assert 0.7 <= mem_ratio <= 1.0, (ns, workload, mem_ratio)
        checked += 1
    assert checked > 50


def test_clean_snapshots_backups_and_caches(fleet: FleetSummary, kubectl: Kubectl) -> None:
    cat = catalog(fleet)
    records = planted(fleet)
    stale = {
        (r["resource"]["namespace"], r["resource"]["name"])
        for r in records
        if r["kind"] == "snapshot-stale"
    }
    end = fleet.spec.end_at
    for s in kubectl(fleet.out, "volumesnapshots"):
        tenant = s["metadata"]["namespace"].rsplit("-", 1)[0]
        t = cat.tenant(tenant)
        assert t is not None
        age = end - dt.datetime.fromisoformat(s["metadata"]["creationTimestamp"].rstrip("Z"))
        is_stale = age > dt.timedelta(
            days=cat.service_classes[t.service_class].snapshot_retention_days
        )
        assert is_stale == ((s["metadata"]["namespace"], s["metadata"]["name"]) in stale)
    late = {r["tenant"] for r in records if r["kind"] == "backup-older-than-rpo"}
    rows = duckdb.sql(
        f"SELECT tenant, max(finished_at) FILTER (WHERE record_type = 'backup' AND status = 'ok'),"
        f" max(finished_at) FILTER (WHERE record_type = 'restore-test' AND status = 'ok'),"
        " bool_and(location_region <> data_region)"
        f" FROM '{fleet.out}/backups/backup_records.parquet' GROUP BY 1"
    ).fetchall()
    unverified = {r["tenant"] for r in records if r["kind"] == "restore-unverified"}
    for tenant, last_backup, last_test, separate in rows:
        t = cat.tenant(tenant)
        assert t is not None
        assert separate
        sc = cat.service_classes[t.service_class]
        assert ((end - last_backup) > dt.timedelta(minutes=sc.backup.rpo_minutes)) == (
            tenant in late
        )
        assert ((end - last_test) > dt.timedelta(days=sc.backup.restore_test_interval_days)) == (
            tenant in unverified
        )
    unset = {r["resource"]["name"] for r in records if r["kind"] == "redis-maxmemory-unset"}
    latest = duckdb.sql(
        f"SELECT server, maxmemory_bytes, evicted_keys FROM '{fleet.out}/redis/cache_stats.parquet'"
        " WHERE tenant IS NULL AND taken_at ="
        f" (SELECT max(taken_at) FROM '{fleet.out}/redis/cache_stats.parquet')"
    ).fetchall()
    for server, maxmemory, evicted in latest:
        assert (maxmemory == 0) == (server in unset)
        assert evicted == 0
    (bad,) = one(
        f"SELECT count(*) FROM '{fleet.out}/postgres/database_stats.parquet'"
        " WHERE (relation_kind = 'index'"
        f" AND index_scans = 0) OR (relation_kind = 'attachments' AND db_bytes <> 0)"
    )
    assert bad == 0
