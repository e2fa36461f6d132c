"""Shape, determinism and cross-references of the generated files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
from ruamel.yaml import YAML

from costplane.catalog import Catalog, load_catalog
from costplane.quantity import cpu_cores, memory_bytes
from costplane.warehouse.tables import FACT_TABLES
from costplane_fleet import FleetSpec, FleetSummary, generate_fleet

if TYPE_CHECKING:
    from tests.fleet.conftest import Kubectl

OPENMETRICS = "prometheus/usage.om"
TABLE_FILES = {
    "usage_samples": "usage/usage_samples.parquet",
    "service_usage": "usage/service_usage.parquet",
    "database_stats": "postgres/database_stats.parquet",
    "cache_stats": "redis/cache_stats.parquet",
    "backup_records": "backups/backup_records.parquet",
    "business_signals": "business/business_signals.parquet",
}


def _sha256_of_every_file(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_same_bytes(small_fleet: FleetSummary, tmp_path: Path) -> None:
    """Every file of two runs, the OpenMetrics text and fleet.json included, is identical."""
    again = generate_fleet(small_fleet.spec, tmp_path / "again")
    first = _sha256_of_every_file(small_fleet.out)
    assert OPENMETRICS in first
    assert "fleet.json" in first
    assert _sha256_of_every_file(again.out) == first
    other = generate_fleet(FleetSpec(12, 3, 4, small_fleet.spec.start), tmp_path / "other")
    changed = _sha256_of_every_file(other.out)
    assert changed["usage/usage_samples.parquet"] != first["usage/usage_samples.parquet"]
    assert changed[OPENMETRICS] != first[OPENMETRICS]


def test_manifest_hashes_what_is_ingested(small_fleet: FleetSummary) -> None:
    """fleet.json: the sha256 of every file but the OpenMetrics text, whose size it records."""
    manifest = json.loads((small_fleet.out / "fleet.json").read_text())
    every = _sha256_of_every_file(small_fleet.out)
    assert manifest["files"] == small_fleet.files
    assert manifest["files"] == {
        k: v for k, v in every.items() if k not in {OPENMETRICS, "fleet.json"}
    }
    size = (small_fleet.out / OPENMETRICS).stat().st_size
    assert manifest["unhashed"] == small_fleet.unhashed == {OPENMETRICS: size}
    assert small_fleet.openmetrics_bytes == size
    assert manifest["window"] == {"start": "2025-05-20T00:00:00Z", "end": "2025-05-23T00:00:00Z"}
    assert manifest["clusters"] == list(small_fleet.clusters)


@pytest.mark.parametrize("table", sorted(TABLE_FILES))
def test_parquet_has_the_table_schema(fleet: FleetSummary, table: str) -> None:
    schema = pq.read_schema(fleet.out / TABLE_FILES[table])
    assert schema == FACT_TABLES[table].schema.to_pyarrow()


def test_catalog_validates(fleet: FleetSummary) -> None:
    data = YAML(typ="safe").load((fleet.out / "costplane.yaml").read_text())
    catalog = Catalog.model_validate(data)
    assert len(catalog.tenants) == 40
    assert set(catalog.service_classes) == {
        "shared-standard",
        "shared-plus",
        "dedicated",
        "dedicated-regulated",
    }
    assert load_catalog(fleet.out / "costplane.yaml").tenants == catalog.tenants
    expected = {"version": 1, **catalog.model_dump(mode="json", exclude_defaults=True)}
    assert data == expected


def test_pods_reference_nodes_claims_and_namespaces(fleet: FleetSummary, kubectl: Kubectl) -> None:
    out = fleet.out
    nodes = {(n["_cluster"], n["metadata"]["name"]) for n in kubectl(out, "nodes")}
    namespaces = {(n["_cluster"], n["metadata"]["name"]) for n in kubectl(out, "namespaces")}
    claims = {
        (c["_cluster"], c["metadata"]["namespace"], c["metadata"]["name"])
        for c in kubectl(out, "persistentvolumeclaims")
    }
    for pod in kubectl(out, "pods"):
        c, ns = pod["_cluster"], pod["metadata"]["namespace"]
        assert (c, pod["spec"]["nodeName"]) in nodes
        assert (c, ns) in namespaces
        for volume in pod["spec"].get("volumes", []):
            assert (c, ns, volume["persistentVolumeClaim"]["claimName"]) in claims
        assert pod["metadata"]["ownerReferences"][0]["kind"] in {"ReplicaSet", "StatefulSet", "Job"}


def test_no_node_is_overcommitted(fleet: FleetSummary, kubectl: Kubectl) -> None:
    """Checked on the usage rows: the busiest hour of every node stays within allocatable."""
    alloc = {
        (n["_cluster"], n["metadata"]["name"]): (
            cpu_cores(n["status"]["allocatable"]["cpu"]),
            memory_bytes(n["status"]["allocatable"]["memory"]),
        )
        for n in kubectl(fleet.out, "nodes")
    }
    rows = duckdb.sql(
        "SELECT cluster, node, max(c), max(m) FROM (SELECT cluster, node, hour,"
        " sum(cpu_request_cores) c, sum(memory_request_bytes) m"
        f" FROM '{fleet.out / TABLE_FILES['usage_samples']}' GROUP BY ALL) GROUP BY ALL"
    ).fetchall()
    for cluster, node, cpu, mem in rows:
        assert cpu <= float(alloc[(cluster, node)][0]) + 1e-9
        assert mem <= alloc[(cluster, node)][1]


def test_requests_stay_within_quota(fleet: FleetSummary, kubectl: Kubectl) -> None:
    quota = {
        (q["_cluster"], q["metadata"]["namespace"]): q["spec"]["hard"]
        for q in kubectl(fleet.out, "resourcequotas")
    }
    labelled = {
        (n["_cluster"], n["metadata"]["name"])
        for n in kubectl(fleet.out, "namespaces")
        if "costplane.io/tenant" in n["metadata"].get("labels", {})
    }
    assert labelled <= set(quota)
    hpa = {
        (h["_cluster"], h["metadata"]["namespace"], h["spec"]["scaleTargetRef"]["name"]): h["spec"][
            "maxReplicas"
        ]
        for h in kubectl(fleet.out, "horizontalpodautoscalers")
    }
    peak: dict[tuple[str, str], float] = defaultdict(float)
    for d in kubectl(fleet.out, "deployments"):
        key = (d["_cluster"], d["metadata"]["namespace"])
        if key not in quota:
            continue
        replicas = hpa.get((*key, d["metadata"]["name"]), 0)
        for c in d["spec"]["template"]["spec"]["containers"]:
            assert {"cpu", "memory"} <= set(c["resources"]["requests"])
            assert {"cpu", "memory"} <= set(c["resources"]["limits"])
            peak[key] += replicas * float(cpu_cores(c["resources"]["requests"]["cpu"]))
    used = duckdb.sql(
        "SELECT cluster, namespace, max(c) FROM (SELECT cluster, namespace, hour,"
        f" sum(cpu_request_cores) c FROM '{fleet.out / TABLE_FILES['usage_samples']}'"
        " GROUP BY ALL) GROUP BY ALL"
    ).fetchall()
    for cluster, ns, cpu in used:
        if (cluster, ns) in quota:
            hard = float(cpu_cores(quota[(cluster, ns)]["requests.cpu"]))
            assert cpu <= hard + 1e-9
    for key, cpu in peak.items():
        assert cpu <= float(cpu_cores(quota[key]["requests.cpu"])) + 1e-9


def test_sleeping_namespaces_have_no_rows_while_asleep(
    fleet: FleetSummary, kubectl: Kubectl
) -> None:
    data = YAML(typ="safe").load((fleet.out / "costplane.yaml").read_text())
    catalog = Catalog.model_validate(data)
    sleepers = {s["metadata"]["namespace"]: s["spec"] for s in kubectl(fleet.out, "sleepinfos")}
    assert sleepers
    for t in catalog.tenants:
        sc = catalog.service_classes[t.service_class]
        for env, e in t.environments.items():
            ns = e.namespaces[0]
            assert (ns in sleepers) == (sc.sleep_schedule is not None and not env.is_production)
    hours = duckdb.sql(
        f"SELECT DISTINCT namespace, hour FROM '{fleet.out / TABLE_FILES['usage_samples']}'"
        f" WHERE namespace IN ({','.join(repr(n) for n in sleepers)})"
    ).fetchall()
    assert hours
    days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    for ns, hour in hours:
        spec = sleepers[ns]
        local = hour.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(spec["timeZone"]))
        first, last = (int(x) for x in spec["weekdays"].split("-"))
        assert days[local.isoweekday() % 7] in days[first : last + 1]
        assert spec["wakeUpAt"] <= f"{local:%H:%M}" < spec["sleepAt"]


def test_bill_matches_inventory(fleet: FleetSummary, kubectl: Kubectl) -> None:
    bill = fleet.out / "billing"
    ids = duckdb.sql(f"SELECT DISTINCT ResourceId FROM '{bill}/*.parquet'").fetchall()
    billed = {r[0] for r in ids}
    nodes = {n["spec"]["providerID"] for n in kubectl(fleet.out, "nodes")}
    vm_rows = {
        r[0]
        for r in duckdb.sql(
            f"SELECT DISTINCT ResourceId FROM '{bill}/*.parquet'"
            " WHERE ResourceType = 'Virtual Machine'"
        ).fetchall()
    }
    assert vm_rows == nodes
    volumes = {pv["spec"]["csi"]["volumeHandle"] for pv in kubectl(fleet.out, "persistentvolumes")}
    assert volumes <= billed
    servers = {
        r[0]
        for r in duckdb.sql(
            f"SELECT DISTINCT server FROM '{fleet.out / TABLE_FILES['database_stats']}'"
        ).fetchall()
    }
    caches = {
        r[0]
        for r in duckdb.sql(
            f"SELECT DISTINCT server FROM '{fleet.out / TABLE_FILES['cache_stats']}'"
        ).fetchall()
    }
    assert servers <= billed
    assert caches <= billed
    per_day = duckdb.sql(
        "SELECT CAST(ChargePeriodStart AS VARCHAR),"
        " count(*) FILTER (WHERE ResourceType = 'Virtual Machine'), sum(BilledCost),"
        " count(DISTINCT BillingCurrency), min(BillingAccountId)"
        f" FROM '{bill}/*.parquet' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert len(per_day) == fleet.spec.days
    for _day, vms, total, currencies, account in per_day:
        assert vms == len(nodes)
        assert total > 0
        assert currencies == 1
        assert account == "0123456789012"
    # the node price is exactly the price sheet's
    row = duckdb.sql(
        f"SELECT SkuId, ListUnitPrice, BilledCost, PricingQuantity FROM '{bill}/*.parquet'"
        " WHERE ResourceType = 'Virtual Machine' LIMIT 1"
    ).fetchone()
    assert row is not None
    assert row[2] == row[1] * 24
    assert row[3] == 24


def test_promtool_accepts_the_openmetrics(small_fleet: FleetSummary, tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
            pytest.fail("promtool is missing (COSTPLANE_REQUIRE_SERVICES=1)")
        pytest.skip("promtool is not installed")
    om = small_fleet.out / "prometheus" / "usage.om"
    assert om.read_bytes().endswith(b"# EOF\n")
    done = subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=744h",  # one block: promtool reads the file once per block
            str(om),
            str(tmp_path / "tsdb"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
