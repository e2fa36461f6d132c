"""A cluster's objects as one `inventory_snapshots` load, from the live API or from files.

One snapshot per run: scope = the cluster's name, period = the instant it was
taken (as the fleet's inventory is loaded), so each run adds a snapshot and
readers take the latest. The summary counts objects per kind and names the
tenants the catalog's label keys resolved.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from costplane.catalog import LabelKeys
from costplane.errors import ServiceUnavailableError
from costplane.kubernetes_kinds import KINDS
from costplane.sources.collector import Collected
from costplane.sources.inventory import inventory_loads
from costplane.sources.kubernetes.files import read_directory

SOURCE = "kubernetes"


def collect_live(
    labels: LabelKeys,
    *,
    kubeconfig: Path | None = None,
    context: str | None = None,
    in_cluster: bool = False,
    cluster: str | None = None,
    taken_at: dt.datetime | None = None,
) -> Collected:
    """Read every kind from the API server; skipped kinds make the run partial."""
    from costplane.sources.kubernetes.live import connect, read_kinds  # the client: 0.4 s

    connection = connect(
        kubeconfig=kubeconfig, context=context, in_cluster=in_cluster, name=cluster
    )
    taken_at = taken_at or _now()
    objects: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    missing: list[str] = []
    try:
        for read in read_kinds(connection):
            if read.skipped is not None:
                missing.append(read.skipped)
                continue
            objects += read.objects
            counts[read.kind.kind] = len(read.objects)
    finally:
        connection.api.close()  # type: ignore[no-untyped-call]
    if not counts:
        raise ServiceUnavailableError(
            f"cluster {connection.target}: could not read any kind ({missing[0]})"
        )
    extra = {"from": "live", "server": connection.server}
    return _collected(
        connection.name, connection.target, objects, counts, labels, taken_at, missing, extra
    )


def collect_manifests(
    directory: Path,
    labels: LabelKeys,
    *,
    cluster: str | None = None,
    taken_at: dt.datetime | None = None,
) -> Collected:
    """Read the objects in a directory of manifests as if listed from the cluster."""
    read = read_directory(directory)
    name = cluster or directory.resolve().name
    found = Counter(str(obj["kind"]) for obj in read.objects)
    counts = {k.kind: found[k.kind] for k in KINDS if found[k.kind]}
    extra = {
        "from": "manifests",
        "directory": str(directory),
        "files": read.files,
        "ignored": dict(sorted(read.ignored.items())),
    }
    return _collected(
        name,
        f"{name} (manifests {directory})",
        read.objects,
        counts,
        labels,
        taken_at or _now(),
        (),
        extra,
    )


def _collected(
    cluster: str,
    target: str,
    objects: Iterable[Mapping[str, Any]],
    counts: dict[str, int],
    labels: LabelKeys,
    taken_at: dt.datetime,
    missing: Sequence[str],
    extra: dict[str, Any],
) -> Collected:
    loads = inventory_loads(
        objects, source=SOURCE, cluster=cluster, taken_at=taken_at, labels=labels
    )
    rows = loads[0].data
    assert isinstance(rows, pa.Table)
    summary = {
        "cluster": cluster,
        **extra,
        "taken_at": taken_at,
        "objects": rows.num_rows,
        "kinds": counts,
        "tenants": _tenants(rows),
        "namespaced_without_tenant": _without_tenant(rows),
    }
    return Collected(SOURCE, target, loads, summary, tuple(missing))


def _tenants(rows: pa.Table) -> list[str]:
    return sorted(str(t) for t in pc.unique(rows["tenant"]).to_pylist() if t is not None)


def _without_tenant(rows: pa.Table) -> int:
    unassigned = pc.and_(pc.is_valid(rows["namespace"]), pc.is_null(rows["tenant"]))
    return int(pc.sum(pc.cast(unassigned, pa.int64())).as_py() or 0)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
