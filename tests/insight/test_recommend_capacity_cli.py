"""`costplane recommend nodes|commitments` on the demo project: the issue's JSON shapes,
money that adds up, and bad flags refused with exit 2."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.conftest import Run

NODE_FIELDS = [
    "cluster",
    "pool",
    "node_type",
    "nodes_now",
    "nodes_recommended",
    "monthly_cost_now",
    "monthly_cost_recommended",
    "saving",
]
COMMITMENT_FIELDS = [
    "resource_type",
    "baseline_units",
    "commit_units",
    "term",
    "discount",
    "monthly_saving",
    "break_even_utilisation",
]


def test_nodes_json(cli: Run, demo_home: Path) -> None:
    done = cli("--home", str(demo_home), "recommend", "nodes", "--output", "json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert list(document)[:2] == ["currency", "clusters"]
    assert document["currency"] == "EUR"
    pools = document["clusters"]
    assert {(p["cluster"], p["pool"]) for p in pools} >= {
        ("eu-shared-1", "prod"),
        ("eu-dedicated-1", "system"),
    }
    for pool in pools:
        assert list(pool)[: len(NODE_FIELDS)] == NODE_FIELDS
        now, then = Decimal(pool["monthly_cost_now"]), Decimal(pool["monthly_cost_recommended"])
        assert Decimal(pool["saving"]) == now - then
        assert pool["nodes_recommended"] <= pool["nodes_now"] or pool["saving"] != "0.00"
    # the demo's pools are sized for their requests, three zones for system and production:
    # with the defaults nothing is spare (docs/rightsizing.md, "On the demo")
    assert {p["saving"] for p in pools} == {"0.00"}
    spread = cli("--home", str(demo_home), "recommend", "nodes", "--ignore-zones", "-o", "json")
    pools = json.loads(spread.stdout)["clusters"]
    # without the zone floor the system pools' 20 small pods fit one of their 8-core nodes
    system = next(p for p in pools if p["pool"] == "system" and p["cluster"] == "eu-shared-1")
    assert (system["nodes_now"], system["nodes_recommended"]) == (3, 1)
    assert system["nodes_spare"] == "2.00"


def test_nodes_refuses_a_bad_headroom(cli: Run, demo_home: Path) -> None:
    done = cli("--home", str(demo_home), "recommend", "nodes", "--headroom", "100")
    assert done.exit_code == 2
    assert "--headroom" in done.stderr


def test_commitments_json(cli: Run, demo_home: Path) -> None:
    done = cli("--home", str(demo_home), "recommend", "commitments", "--output", "json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert list(document)[:2] == ["currency", "recommendations"]
    assert document["recommendations"], "the demo's VMs run all month: a baseline to commit"
    for line in document["recommendations"]:
        assert list(line)[: len(COMMITMENT_FIELDS)] == COMMITMENT_FIELDS
        assert Decimal(line["break_even_utilisation"]) == 1 - Decimal(line["discount"])
        assert line["commit_units"] <= Decimal(line["baseline_units"])


def test_nodes_with_the_recommended_requests_pack_tighter(cli: Run, demo_home: Path) -> None:
    """The demo's requests are above what the pods use (the 29 % idle inside requests):
    packed at rightsizing's requests, the pools need less and save more."""

    def packed(requests: str) -> tuple[Decimal, Decimal]:
        done = cli(
            "--home", str(demo_home), "recommend", "nodes", "--requests", requests,
            "--ignore-zones", "--any-type", "-o", "json",
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
        pools = json.loads(done.stdout)["clusters"]
        peak = sum(Decimal(p["peak_cpu_requested_cores"]) for p in pools)
        return peak, sum(Decimal(p["saving"]) for p in pools)

    (peak_now, saving_now), (peak_then, saving_then) = packed("current"), packed("recommended")
    assert peak_then < peak_now
    assert saving_then > saving_now
