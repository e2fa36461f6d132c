"""nonprod-idle on a namespace that is already asleep: its workloads at 0 replicas at the
instant judged. Sleeping it would change nothing (`act run sleep` says "already at 0
replicas"), so it is not idle waste; the same namespace awake is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import govern_warehouse
from costplane.warehouse import connect_warehouse

from .scenario import END, catalog, container, deployment, found, load_objects, rows_load
from .test_pack_warehouse import OBJECTS, START, service_rows, usage


def idle_dev(tmp_path: Path, replicas: int) -> set[tuple[str, str | None, str]]:
    """What nonprod-idle finds when acme-dev's only workload has `replicas` now."""
    objects: list[dict[str, Any]] = [
        o
        for o in OBJECTS
        if not (o["kind"] == "Deployment" and o["metadata"]["namespace"] == "acme-dev")
    ]
    objects.append(deployment("acme-dev", "web", container("1", "2Gi"), replicas=replicas))
    [policy] = [p.policy for p in pack_policies() if p.policy.id == "nonprod-idle"]
    with connect_warehouse(f"duckdb:///{tmp_path / f'w{replicas}.duckdb'}") as warehouse:
        load_objects(warehouse, objects, catalog(), columns=True)
        warehouse.ingest(
            [
                rows_load("usage_samples", usage(), START, END),
                rows_load("service_usage", service_rows(), START, END),
            ]
        )
        review = govern_warehouse(warehouse, catalog(), [policy])
    assert review.at == END.replace(tzinfo=dt.UTC)
    return set(found(review, "nonprod-idle"))


@pytest.mark.parametrize(
    ("replicas", "expected"), [(1, {("Namespace", None, "acme-dev")}), (0, set())]
)
def test_a_namespace_already_asleep_is_not_idle_waste(
    tmp_path: Path, replicas: int, expected: set[tuple[str, str | None, str]]
) -> None:
    assert idle_dev(tmp_path, replicas) == expected
