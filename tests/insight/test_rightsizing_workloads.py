"""Rightsizing reads a pod's workload from its usage rows (`workload_kind`,
`workload_name`, as the collector stores them from kube_pod_owner) and falls back to the
pod's name only for rows without it: on DuckDB and PostgreSQL, the small platform gives
the same recommendations (both strategies) and the same policy facts whether its rows
name their workloads, some do, or none do; and a pod whose name fits no controller
pattern counts for the workload its rows name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from costplane.insight.rightsizing import (
    StrategyOptions,
    recommend_containers,
    size_containers,
    strategy_named,
)
from costplane.service import to_document
from costplane.sources.inventory import inventory_loads
from costplane.warehouse import FACT_TABLES, Load, Warehouse, connect_warehouse

from .platform import CLUSTER, END, OBJECTS, PODS, START, catalog, usage_rows
from .test_rightsizing import price

KINDS = {"web": "Deployment", "api": "Deployment", "db": "StatefulSet", "new": "Deployment"}

Rows = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def nameless(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return rows


def named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_owned(row) for row in rows]


def half_named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every other hour of each pod names its workload (the collector missed the rest)."""
    return [_owned(row) if row["hour"].hour % 2 else row for row in rows]


def renamed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """db-0 is called `primary` (no controller names pods so): only its rows say db's."""
    return [
        {**_owned(row), "pod": "primary"} if row["pod"] == "db-0" else _owned(row) for row in rows
    ]


def _owned(row: dict[str, Any]) -> dict[str, Any]:
    prefix = PODS[row["pod"]][0]
    return {**row, "workload_kind": KINDS[prefix], "workload_name": prefix}


def _load(warehouse: Warehouse, rows: list[dict[str, Any]]) -> None:
    schema = FACT_TABLES["usage_samples"].schema.to_pyarrow()
    data = pa.Table.from_pylist(rows, schema)
    warehouse.ingest([Load("usage_samples", "test", f"{CLUSTER}-usage", START, END, data)])
    warehouse.ingest(
        inventory_loads(
            OBJECTS, source="test", cluster=CLUSTER, taken_at=END, labels=catalog().labels
        )
    )


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Rows], Any]:
    """Loads the platform's rows, shaped by a `Rows`, into a fresh DuckDB file (on
    PostgreSQL: the test's database, the load replacing the last one's rows under the
    same key); returns its recommendations (simple, pooled) and the policy facts'
    sizing as documents."""
    count = iter(range(10))

    def run(shape: Rows) -> Any:
        if request.param == "duckdb":
            url = f"duckdb:///{tmp_path / f'w{next(count)}.duckdb'}"
        else:
            url = request.getfixturevalue("postgres_url")
        with connect_warehouse(url) as warehouse:
            _load(warehouse, shape(usage_rows()))
            found = {
                name: to_document(
                    recommend_containers(
                        warehouse, strategy_named(name), StrategyOptions(), price, "EUR", end=END
                    )
                )
                for name in ("simple", "pooled")
            }
            facts = size_containers(
                warehouse,
                START,
                END,
                strategy_named("simple"),
                StrategyOptions(),
                every_candidate=True,
            )
            found["facts"] = {(*c.workload_key[2:], c.container): to_document(c) for c in facts}
            return found

    return run


def test_named_rows_give_the_same_numbers(engine: Callable[[Rows], Any]) -> None:
    before = engine(nameless)
    assert len(before["simple"]["containers"]) == 5
    for shape in (named, half_named, renamed):
        after = engine(shape)
        assert after["simple"] == before["simple"], shape.__name__
        assert after["pooled"] == before["pooled"], shape.__name__
        # the policy looks workloads up by kind and name: the real ones are the same (named
        # rows count for their workload only, not for every workload the name could fit)
        real = {key for key in before["facts"] if KINDS.get(key[1]) == key[0]}
        assert len(real) == 5
        for key in real:
            assert after["facts"][key] == before["facts"][key], (shape.__name__, key)
        if shape is named:
            assert set(after["facts"]) == real


def newest_requests_no_cpu(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """web's newest running pod (ccccc, the greatest name of the two running at the end)
    requests no CPU; its older sibling aaaaa requests 2 cores."""
    return [
        {**_owned(row), "cpu_request_cores": None} if row["pod"].endswith("ccccc") else _owned(row)
        for row in rows
    ]


def test_the_newest_pods_missing_request_is_not_filled_from_an_older_pod(
    engine: Callable[[Rows], Any],
) -> None:
    """The running pods' current request is the newest pod's, even when it has none: the
    container then shows no CPU request (not the sibling's 2 cores), saves nothing on CPU
    and risks throttling, its memory request still the newest pod's."""
    found = engine(newest_requests_no_cpu)
    for strategy in ("simple", "pooled"):
        (web,) = [
            c
            for c in found[strategy]["containers"]
            if (c["workload"], c["container"]) == ("web", "odoo")
        ]
        assert (web["pods"], web["cpu_request"], web["memory_request"]) == (2, None, "4Gi")
        assert web["cpu_recommended"] is not None
        assert web["risk"] == "throttling"
    assert found["facts"][("Deployment", "web", "odoo")]["cpu_request"] is None
