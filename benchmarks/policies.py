"""Benchmark the policy engine against Cloud Custodian's ValueFilter, in one process.

The same synthetic Deployments (camelCase JSON, as `kubectl get -o json` gives
them) go to both engines with the issue's two filters:

    cpu:  spec.template.spec.containers[0].resources.requests.cpu > 2
    and:  cpu > 2, memory > 4Gi, spec.replicas > 1

Cloud Custodian is given the best spelling it has: `value_type: float` for the
quantities (without it, "3" > 2 compares text with a number and never matches)
and memory in bytes. Both engines must agree on every resource whose quantities
are plain numbers, the only ones Custodian reads right; where they are written
with a suffix ("2500m", "8Gi") Custodian reads 0.0 and misses, which is counted.

Custodian gets the Deployments as ready Python dicts, untimed: its inventory as it
keeps it. Costplane is timed from each form its inventory comes in, building the
inventory inside the timed run:
  - `costplane`: from the stored columns `costplane collect` writes per kind and
    `costplane govern` reads (`inventory_columns`, base64 Parquet text as the
    warehouse returns it; decoding included): the headline `ratio`;
  - `texts`: from the JSON texts of `inventory_snapshots`, parsing included (what
    govern reads for a snapshot stored without columns);
  - `dicts`: from the same dicts Custodian gets (manifests, the live API);
  - `end_to_end_ratio`: both from the JSON texts (Custodian's time then includes
    `json.loads`, as it must parse what the API server sends too).
Building the columns is collection's work, done once per snapshot: timed apart
(`columns_build_per_s`) beside `json.loads` (`json_loads_per_s`), the parse every
Custodian run pays. `walk_per_s` is the floor of any evaluator over the dicts (plain
subscripts, no test). All timed best of --repeat runs, per CPU-second of this
process. Also timed: a pack of 24 value-filter policies over --resources mixed
resources (Deployments, StatefulSets, CronJobs, Namespaces, PVCs, IngressRoutes),
from dicts, texts and stored columns.
The last line printed is JSON: {"resources", "costplane_per_s", "custodian_per_s",
"ratio", ...} where the rates and ratio are those of the slower of the two filters.
Needs the `bench` extra (`pip install -e '.[bench]'`, Cloud Custodian).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa

from costplane.governance import Inventory, PolicyEngine, ResourceRef, parse_policies
from costplane.warehouse.columnar import ObjectColumns, object_columns

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
CPU_KEY = "spec.template.spec.containers[0].resources.requests.cpu"
MEMORY_KEY = "spec.template.spec.containers[0].resources.requests.memory"
GIB = 2**30

CPUS = ["100m", "250m", "500m", "1", "1.5", "2", "2.5", "3", "4", "2500m", "4000m", "0.75"]
MEMORIES = ["512Mi", "1Gi", "2Gi", "4Gi", "6Gi", "8Gi", "6144Mi", "4294967296", "8589934592",
            "3221225472", "5G", "6442450944"]  # fmt: skip
IMAGES = ["odoo:18.0-20251101", "odoo:latest", "redis:7.2", "nginx", "odoo@sha256:" + "a" * 64]


def deployment(rng: random.Random, index: int) -> dict[str, Any]:
    """One Deployment as the API server returns it (the parts policies read, and more)."""
    tenant = f"tenant-{index % 2000:04d}"
    containers = [
        {
            "name": "odoo" if n == 0 else f"sidecar-{n}",
            "image": rng.choice(IMAGES),
            "ports": [{"containerPort": 8069, "protocol": "TCP"}],
            "env": [{"name": "PGHOST", "value": f"{tenant}-db"}],
            "resources": {
                "requests": {"cpu": rng.choice(CPUS), "memory": rng.choice(MEMORIES)},
                "limits": {"cpu": "4", "memory": "8Gi"} if rng.random() > 0.1 else {},
            },
        }
        for n in range(rng.choice([1, 1, 1, 2, 3]))
    ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": f"odoo-{index}",
            "namespace": f"{tenant}-prod",
            "uid": f"00000000-0000-0000-0000-{index:012d}",
            "creationTimestamp": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T08:00Z",
            "labels": {"app.kubernetes.io/name": "odoo", "costplane.io/tenant": tenant},
            "annotations": {"deployment.kubernetes.io/revision": str(rng.randint(1, 9))},
        },
        "spec": {
            "replicas": rng.choice([0, 1, 1, 2, 3]),
            "selector": {"matchLabels": {"app": f"odoo-{index}"}},
            "template": {
                "metadata": {"labels": {"app": f"odoo-{index}"}},
                "spec": {"containers": containers, "restartPolicy": "Always"},
            },
        },
        "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1},
    }


def other(rng: random.Random, kind: str, index: int) -> dict[str, Any]:
    """A StatefulSet, CronJob, Namespace, PVC or IngressRoute with the fields the pack reads."""
    tenant = f"tenant-{index % 2000:04d}"
    metadata: dict[str, Any] = {
        "name": f"{kind.lower()}-{index}",
        "namespace": f"{tenant}-prod",
        "creationTimestamp": f"2026-{rng.randint(1, 10):02d}-01T00:00:00Z",
        "labels": {"costplane.io/tenant": tenant} if rng.random() > 0.05 else {},
    }
    template = {"spec": {"containers": [deployment(rng, index)["spec"]["template"]["spec"]
                                        ["containers"][0]]}}  # fmt: skip
    if kind == "StatefulSet":
        spec: dict[str, Any] = {"replicas": rng.choice([1, 2, 3]), "template": template}
    elif kind == "CronJob":
        spec = {"schedule": "0 * * * *", "suspend": rng.random() < 0.2,
                "jobTemplate": {"spec": {"template": template}}}  # fmt: skip
    elif kind == "Namespace":
        metadata.pop("namespace")
        metadata["annotations"] = {"costplane.io/log-retention-days": str(rng.choice([7, 30, 90]))}
        spec = {"finalizers": ["kubernetes"]}
    elif kind == "PersistentVolumeClaim":
        size = rng.choice(["10Gi", "50Gi", "500Gi"])
        spec = {"storageClassName": rng.choice(["standard", "premium"]),
                "resources": {"requests": {"storage": size}}}  # fmt: skip
    else:
        spec = {"entryPoints": rng.choice([["web"], ["websecure"]]),
                "routes": [{"match": "Host(`x`)", "middlewares": []}]}  # fmt: skip
        if "websecure" in spec["entryPoints"]:
            spec["tls"] = {"secretName": "tls"}
    return {"kind": kind, "metadata": metadata, "spec": spec, "status": {"phase": "Bound"}}


def deployments(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [deployment(rng, index) for index in range(count)]


def mixed(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    shares = [("Deployment", 0.5), ("StatefulSet", 0.1), ("CronJob", 0.1), ("Namespace", 0.1),
              ("PersistentVolumeClaim", 0.1), ("IngressRoute", 0.1)]  # fmt: skip
    objects = []
    for kind, share in shares:
        for index in range(int(count * share)):
            objects.append(
                deployment(rng, index) if kind == "Deployment" else other(rng, kind, index)
            )
    return objects


COSTPLANE = f"""
policies:
  - id: cpu
    description: CPU request above 2 cores
    resource: Deployment
    severity: low
    filters:
      - {{key: "{CPU_KEY}", value_type: quantity, op: gt, value: 2}}
  - id: cpu-memory-replicas
    description: big and replicated
    resource: Deployment
    severity: low
    filters:
      - {{key: "{CPU_KEY}", value_type: quantity, op: gt, value: 2}}
      - {{key: "{MEMORY_KEY}", value_type: bytes, op: gt, value: 4Gi}}
      - {{key: spec.replicas, op: gt, value: 1}}
"""


def custodian_filters() -> dict[str, Any]:
    """Cloud Custodian's filters for the two cases, validated as its policy loader does."""
    try:
        from c7n.filters.core import FilterRegistry, ValueFilter
    except ImportError:
        sys.exit("Cloud Custodian is missing: pip install -e '.[bench]'")
    cpu = {"type": "value", "key": CPU_KEY, "op": "gt", "value": 2, "value_type": "float"}
    memory = {"type": "value", "key": MEMORY_KEY, "op": "gt", "value": 4 * GIB,
              "value_type": "float"}  # fmt: skip
    replicas = {"type": "value", "key": "spec.replicas", "op": "gt", "value": 1}
    registry = FilterRegistry("bench.filters")
    both = registry.factory({"and": [cpu, memory, replicas]}, None)
    single = ValueFilter(cpu, None)
    for built in (single, both):
        built.validate()
    return {"cpu": single, "cpu-memory-replicas": both}


@dataclass(frozen=True)
class Timing:
    """The best of several runs: wall seconds, and CPU seconds of this process."""

    wall: float
    cpu: float
    result: Any


def best(repeat: int, run: Callable[[], Any]) -> Timing:
    """The fastest of `repeat` runs. As `timeit` does, the cyclic garbage collector is off
    while a run is timed: a full collection walks every object of the 100,000 documents
    and would land on whichever engine happened to trigger it."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        gc.disable()
        try:
            started, started_cpu = time.perf_counter(), time.process_time()
            result = run()
            wall = min(wall, time.perf_counter() - started)
            cpu = min(cpu, time.process_time() - started_cpu)
        finally:
            gc.enable()
    return Timing(wall, cpu, result)


def costplane_run(engine: PolicyEngine, objects: list[dict[str, Any]]) -> Any:
    """Build the inventory from the list of Deployments and run the engine's one policy.
    The matched documents are returned, as Custodian returns its; identities are built
    only when read."""
    [result] = engine.evaluate(Inventory.from_objects(objects, kind="Deployment"), now=NOW)
    return result.documents


def as_texts(objects: list[dict[str, Any]]) -> pa.Array:
    """The objects as the warehouse's `inventory_snapshots.object` keeps them."""
    return pa.array([json.dumps(o, separators=(",", ":")) for o in objects], pa.string())


def texts_inventory(texts: pa.Array, refs: list[ResourceRef]) -> Inventory:
    """What `Inventory.from_arrow` builds from a snapshot: texts, named by their columns."""
    inventory = Inventory()
    kinds = {ref.kind for ref in refs}
    for kind in sorted(kinds):
        rows = [row for row, ref in enumerate(refs) if ref.kind == kind]
        picked = texts if len(kinds) == 1 else texts.take(pa.array(rows, pa.int64()))
        inventory.add_texts(kind, picked, refs=[refs[row] for row in rows])
    return inventory


def stored_columns(texts: pa.Array, refs: list[ResourceRef]) -> dict[str, tuple[str, str]]:
    """What `costplane collect` stores per kind in `inventory_columns` (doc, texts)."""
    stored = {}
    for kind in sorted({ref.kind for ref in refs}):
        rows = pa.array([row for row, ref in enumerate(refs) if ref.kind == kind], pa.int64())
        found = object_columns(texts.take(rows))
        assert found is not None, kind
        stored[kind] = found
    return stored


def columns_inventory(
    stored: dict[str, tuple[str, str]], refs_by_kind: dict[str, list[ResourceRef]]
) -> Inventory:
    """What govern builds from `inventory_columns` rows: nothing decoded until read."""
    inventory = Inventory()
    for kind, (doc, texts) in stored.items():
        inventory.add_stored(kind, [ObjectColumns(doc, texts)], refs=refs_by_kind[kind])
    return inventory


def by_kind(refs: list[ResourceRef]) -> dict[str, list[ResourceRef]]:
    found: dict[str, list[ResourceRef]] = {}
    for ref in refs:
        found.setdefault(ref.kind, []).append(ref)
    return found


def costplane_columns(
    engine: PolicyEngine, stored: dict[str, tuple[str, str]], refs: dict[str, list[ResourceRef]]
) -> Any:
    """Costplane from the stored columns; the matches are returned."""
    [result] = engine.evaluate(columns_inventory(stored, refs), now=NOW)
    return result.matches


def identities(objects: list[dict[str, Any]]) -> list[ResourceRef]:
    """The identity columns a snapshot stores beside each object."""
    return [
        ResourceRef(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace"))
        for o in objects
    ]


def costplane_texts(engine: PolicyEngine, texts: pa.Array, refs: list[ResourceRef]) -> Any:
    """Costplane from the stored JSON texts; the matches (identity, waste) are returned, as
    Custodian returns its matching resources."""
    [result] = engine.evaluate(texts_inventory(texts, refs), now=NOW)
    return result.matches


def custodian_from_texts(custodian: Any, texts: list[str]) -> Any:
    """Custodian as it must run on what an API server sends: parse, then filter."""
    return custodian.process([json.loads(text) for text in texts])


def bare_walk(objects: list[dict[str, Any]], keys: list[str]) -> list[Any]:
    """The floor no engine in Python goes under: read the filter's values from every
    document with plain subscripts, compare nothing. `ceiling_ratio` (Custodian's time
    over this) is the ratio an engine costing nothing beyond the reads would reach."""
    if keys == ["cpu"]:
        return [d["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"]
                for d in objects]  # fmt: skip
    return [
        (requests["cpu"], requests["memory"], d["spec"]["replicas"])
        for d in objects
        for requests in [d["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]]
    ]


def plain_number(text: object) -> bool:
    """Whether Custodian's float reading of this quantity is right (no suffix)."""
    try:
        float(str(text))
    except ValueError:
        return False
    return True


def agreement(objects: list[dict[str, Any]], ours: set[str], theirs: set[str],
              keys: list[str]) -> dict[str, Any]:  # fmt: skip
    """Compare where Custodian can be right; count and show where it cannot."""
    readable, wrong, example = 0, 0, None
    for document in objects:
        container = document["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
        values = [container[key] for key in keys]
        name = document["metadata"]["name"]
        if all(plain_number(v) for v in values):
            readable += 1
            if (name in ours) != (name in theirs):
                raise SystemExit(f"engines disagree on {name} {values}")
        elif (name in ours) != (name in theirs):
            wrong += 1
            example = example or {"name": name, "requests": values, "costplane": name in ours}
    return {"compared": readable, "agree": True, "custodian_wrong": wrong, "example": example}


CONTAINERS = "spec.template.spec.containers[*]"
PACK = f"""
Namespace:
  - {{key: metadata.labels."costplane.io/tenant", op: absent}}
  - {{key: metadata.annotations."costplane.io/log-retention-days", op: gt, value: 30,
     value_type: duration, unit: d}}
Deployment:
  - {{key: "{CONTAINERS}.resources.limits.cpu", op: absent}}
  - {{key: "{CONTAINERS}.resources.limits.memory", op: absent}}
  - {{key: "{CONTAINERS}.image", op: regex, value: "^[^@]*(:latest)?$"}}
  - {{key: "{CPU_KEY}", value_type: quantity, op: gt, value: 2}}
  - {{key: "{MEMORY_KEY}", value_type: bytes, op: gt, value: 4Gi}}
  - {{key: spec.replicas, op: eq, value: 0}}
  - {{key: spec.replicas, op: gt, value: 2}}
  - {{key: "{CONTAINERS}.resources.requests.cpu", value_type: quantity, op: ge, value: 4,
     match: all}}
  - {{key: metadata.creationTimestamp, value_type: age, op: gt, value: 180d}}
  - {{key: metadata.labels."app.kubernetes.io/name", op: ne, value: odoo}}
  - {{or: [{{key: spec.replicas, op: eq, value: 1}},
          {{not: {{key: "{CPU_KEY}", value_type: quantity, op: lt, value: 1}}}}]}}
StatefulSet:
  - {{key: "{CONTAINERS}.resources.limits.cpu", op: absent}}
  - {{key: "{CONTAINERS}.image", op: regex, value: "^[^@]*(:latest)?$"}}
  - {{key: spec.replicas, op: lt, value: 2}}
CronJob:
  - {{key: "spec.jobTemplate.{CONTAINERS}.image", op: regex, value: "^[^@]*(:latest)?$"}}
  - {{key: spec.suspend, op: eq, value: true}}
PersistentVolumeClaim:
  - {{key: spec.resources.requests.storage, value_type: bytes, op: gt, value: 100Gi}}
  - {{key: spec.storageClassName, op: in, value: [premium]}}
  - {{key: metadata.creationTimestamp, value_type: age, op: gt, value: 7d}}
IngressRoute:
  - {{key: spec.tls, op: absent}}
  - {{key: spec.entryPoints, op: contains, value: web}}
  - {{key: "spec.routes[*].middlewares", op: empty}}
"""
"""24 representative value filters, by kind: one policy each."""


def pack_yaml() -> str:
    from ruamel.yaml import YAML

    by_kind = YAML(typ="safe").load(PACK)
    policies = [
        {"id": f"pack-{n:02d}", "description": "representative check", "resource": kind,
         "severity": "medium", "filters": [condition]}
        for n, (kind, condition) in enumerate(
            (kind, c) for kind, conditions in by_kind.items() for c in conditions
        )
    ]  # fmt: skip
    return json.dumps({"policies": policies})


def compare(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Both engines on both filters; stops if they disagree where Custodian can be right."""
    objects = deployments(args.resources, args.seed)
    texts, refs = as_texts(objects), identities(objects)
    text_list = texts.to_pylist()
    build = best(args.repeat, partial(stored_columns, texts, refs))
    loads = best(args.repeat, partial(lambda texts: [json.loads(t) for t in texts], text_list))
    stored, refs_by_kind = build.result, by_kind(refs)
    policies = {policy.id: policy for policy in parse_policies(COSTPLANE, "benchmark")}
    theirs = custodian_filters()
    cases: dict[str, dict[str, Any]] = {}
    for policy, keys in (("cpu", ["cpu"]), ("cpu-memory-replicas", ["cpu", "memory"])):
        engine = PolicyEngine([policies[policy]])
        walk = best(args.repeat, partial(bare_walk, objects, keys))
        ours = best(args.repeat, partial(costplane_columns, engine, stored, refs_by_kind))
        from_texts = best(args.repeat, partial(costplane_texts, engine, texts, refs))
        dicts = best(args.repeat, partial(costplane_run, engine, objects))
        custodian = best(args.repeat, partial(theirs[policy].process, objects))
        parsed = best(args.repeat, partial(custodian_from_texts, theirs[policy], text_list))
        ours_names = {match.resource.name for match in ours.result}
        from_dicts = {d["metadata"]["name"] for d in dicts.result}
        if not ours_names == {match.resource.name for match in from_texts.result} == from_dicts:
            raise SystemExit(f"{policy}: Costplane from columns, texts and dicts disagree")
        their_names = {d["metadata"]["name"] for d in custodian.result}
        cases[policy] = {
            "costplane_per_s": round(args.resources / ours.cpu),
            "custodian_per_s": round(args.resources / custodian.cpu),
            "ratio": round(custodian.cpu / ours.cpu, 1),
            "wall_ratio": round(custodian.wall / ours.wall, 1),
            "texts_per_s": round(args.resources / from_texts.cpu),
            "texts_ratio": round(custodian.cpu / from_texts.cpu, 1),
            "dicts_per_s": round(args.resources / dicts.cpu),
            "dicts_ratio": round(custodian.cpu / dicts.cpu, 1),
            "walk_per_s": round(args.resources / walk.cpu),
            "ceiling_ratio": round(custodian.cpu / walk.cpu, 1),
            "custodian_from_texts_per_s": round(args.resources / parsed.cpu),
            "end_to_end_ratio": round(parsed.cpu / from_texts.cpu, 1),
            "columns_build_per_s": round(args.resources / build.cpu),
            "json_loads_per_s": round(args.resources / loads.cpu),
            "costplane_matches": len(ours_names),
            "custodian_matches": len(their_names),
            **agreement(objects, ours_names, their_names, keys),
        }
        print(f"{policy}: {json.dumps(cases[policy])}", file=sys.stderr)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    cases = compare(args)
    pack_objects = mixed(args.resources, args.seed)
    started = time.perf_counter()
    pack = PolicyEngine(parse_policies(pack_yaml(), "pack"))
    compile_seconds = time.perf_counter() - started
    timed = best(args.repeat, lambda: pack.evaluate(Inventory.from_objects(pack_objects), now=NOW))
    pack_texts, pack_refs = as_texts(pack_objects), identities(pack_objects)
    from_texts = best(
        args.repeat, lambda: pack.evaluate(texts_inventory(pack_texts, pack_refs), now=NOW)
    )
    pack_stored, pack_by_kind = stored_columns(pack_texts, pack_refs), by_kind(pack_refs)
    from_columns = best(
        args.repeat, lambda: pack.evaluate(columns_inventory(pack_stored, pack_by_kind), now=NOW)
    )
    counts = [[r.match_count for r in run.result] for run in (timed, from_texts, from_columns)]
    if not counts[0] == counts[1] == counts[2]:
        raise SystemExit("the pack finds different resources from dicts, texts and columns")
    slower = min(cases.values(), key=lambda case: case["ratio"])
    summary = {
        "resources": args.resources,
        "costplane_per_s": slower["costplane_per_s"],
        "custodian_per_s": slower["custodian_per_s"],
        "ratio": slower["ratio"],
        "cases": {name: {key: case[key] for key in SUMMARY_KEYS} for name, case in cases.items()},
        "pack_policies": len(pack.compiled),
        "pack_seconds": round(timed.wall, 3),
        "pack_cpu_seconds": round(timed.cpu, 3),
        "pack_texts_seconds": round(from_texts.wall, 3),
        "pack_columns_seconds": round(from_columns.wall, 3),
        "pack_compile_seconds": round(compile_seconds, 3),
        "pack_matches": sum(result.match_count for result in timed.result),
    }
    print(json.dumps(summary))


SUMMARY_KEYS = ("costplane_per_s", "custodian_per_s", "ratio", "wall_ratio", "texts_ratio",
                "dicts_ratio", "walk_per_s", "ceiling_ratio", "end_to_end_ratio",
                "columns_build_per_s", "json_loads_per_s", "compared",
                "custodian_wrong")  # fmt: skip

if __name__ == "__main__":
    main()
