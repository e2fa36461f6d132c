"""Benchmark reading 50,000 Kubernetes objects from manifest files into the inventory table.

The files are laid out as a platform team has them: per tenant namespace, the
GitOps definitions as multi-document YAML (the Odoo tenant of
examples/manifests/odoo-tenant/, renamed: Namespace, Deployment, CronJob, PVC,
Services, IngressRoute, Middleware, quota, limits, HPA, a ConfigMap) and its pods
as a `kubectl get pods -o json` export. 12 YAML objects and 38 pods per tenant:
1,000 tenants make 50,000 objects.

The timed part is `collect_manifests()` (find the files, parse them, keep the
collector's kinds, resolve tenants, build the Arrow table and the columns per
kind that `inventory_columns` keeps), in a child process
that does nothing else, so its peak RSS (`VmHWM`, see peak.py) is the collector's own.
The floor is parsing the same files with the same parsers and nothing else
(`json.loads`, and PyYAML's libyaml safe loader for YAML), timed in the same run.

Prints, as its last line, JSON with objects, seconds, peak_rss_mb,
floor_seconds and ratio (seconds / floor_seconds). Scratch files go under
benchmarks/out/ (git-ignored) and are removed unless --keep.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from costplane.catalog import LabelKeys
from costplane.sources.kubernetes import collect_manifests
from peak import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "benchmarks" / "out"
TEMPLATE = ROOT / "examples" / "manifests" / "odoo-tenant"
TENANT = "baltic-foods"
YAML_OBJECTS = 12
PODS = 38


def generate(folder: Path, tenants: int) -> int:
    """Write `tenants` namespaces' files; return how many objects they hold."""
    template = "---\n".join(p.read_text() for p in sorted(TEMPLATE.glob("*.yaml")))
    for t in range(tenants):
        tenant = f"tenant-{t:05d}"
        namespace = f"{tenant}-prod"
        directory = folder / tenant
        directory.mkdir(parents=True)
        (directory / "tenant.yaml").write_text(template.replace(TENANT, tenant))
        export = {
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {"resourceVersion": ""},
            "items": [pod(namespace, t, i) for i in range(PODS)],
        }
        (directory / "pods.json").write_text(json.dumps(export, indent=4))
    return tenants * (YAML_OBJECTS + PODS)


def pod(namespace: str, tenant: int, index: int) -> dict[str, object]:
    """A pod as `kubectl get -o json` exports it: owner, node, resources, status."""
    name = f"odoo-7c9f8d6b5-{index:05d}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": f"{tenant:08x}-0000-4000-8000-{index:012x}",
            "resourceVersion": str(100000 + index),
            "creationTimestamp": "2025-01-06T08:00:00Z",
            "labels": {
                "app.kubernetes.io/name": "odoo",
                "app.kubernetes.io/instance": namespace,
                "pod-template-hash": "7c9f8d6b5",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "odoo-7c9f8d6b5",
                    "uid": f"{tenant:08x}-0000-4000-8000-000000000000",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "nodeName": f"ip-10-0-{tenant % 250}-{index % 250}.eu-central-1.compute.internal",
            "containers": [
                {
                    "name": "odoo",
                    "image": "odoo:18.0",
                    "args": ["--workers=4", "--max-cron-threads=1"],
                    "ports": [{"containerPort": 8069, "name": "http", "protocol": "TCP"}],
                    "resources": {
                        "requests": {"cpu": "1", "memory": "2Gi"},
                        "limits": {"cpu": "2", "memory": "3328Mi"},
                    },
                }
            ],
            "serviceAccountName": "default",
            "restartPolicy": "Always",
        },
        "status": {
            "phase": "Running",
            "qosClass": "Burstable",
            "hostIP": f"10.0.{tenant % 250}.{index % 250}",
            "podIP": f"100.64.{tenant % 250}.{index % 250}",
            "startTime": "2025-01-06T08:00:05Z",
        },
    }


def collect_once(folder: Path) -> dict[str, float | int]:
    """The timed part, run in a child process."""
    started = time.perf_counter()
    collected = collect_manifests(folder, LabelKeys(), cluster="bench")
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    load, columns = collected.loads
    return {"seconds": seconds, "peak_rss_mb": peak_mb, "rows": load.data.num_rows,
            "kinds_as_columns": columns.data.num_rows}  # fmt: skip


def collect_in_child(folder: Path) -> dict[str, float | int]:
    argv = [__file__, "--child", str(folder)]
    done = subprocess.run([sys.executable, *argv], stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def floor_seconds(folder: Path) -> tuple[float, int]:
    """Parse every file with the same parsers, nothing else: (seconds, documents)."""
    started = time.perf_counter()
    documents = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".json":
            documents += len(json.loads(path.read_text())["items"])
        elif path.suffix == ".yaml":
            documents += len(list(yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader)))
    return time.perf_counter() - started, documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=50_000, help="rounded to 50 per tenant")
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="folder for scratch files")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(collect_once(args.child)))
        return
    args.scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="kubernetes-bench-", dir=args.scratch))
    try:
        objects = generate(folder, max(1, args.objects // (YAML_OBJECTS + PODS)))
        collected = collect_in_child(folder)
        floor, documents = floor_seconds(folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    assert documents == objects, (documents, objects)
    seconds = float(collected["seconds"])
    print(f"kept {collected['rows']:,} of {objects:,} objects", file=sys.stderr)
    print(
        json.dumps(
            {
                "objects": objects,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(float(collected["peak_rss_mb"]), 1),
                "floor_seconds": round(floor, 2),
                "ratio": round(seconds / floor, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
