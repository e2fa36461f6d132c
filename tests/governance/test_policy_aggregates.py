"""`aggregate` on a value filter: one number per resource from every element of a list,
as a pod's request is the sum of its containers'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.governance.conftest import deployment, policy_yaml, run_policy

from costplane.errors import InputProblemsError
from costplane.governance import InMemoryFacts, ResourceRef, parse_policies

Matching = Callable[..., list[str]]
CPUS = "spec.template.spec.containers[*].resources.requests.cpu"
MEMORIES = "spec.template.spec.containers[*].resources.requests.memory"


def pod(name: str, *requests: dict[str, Any]) -> dict[str, Any]:
    containers = [
        {"name": f"c{n}", "image": "odoo:18.0", "resources": {"requests": r}}
        for n, r in enumerate(requests)
    ]
    return deployment(name, containers=containers)


PODS = [
    pod("one-big", {"cpu": "3"}),
    pod("two-small", {"cpu": "1500m"}, {"cpu": "1"}),  # 2.5 together, neither above 2
    pod("sidecar-without", {"cpu": "1"}, {}),  # a container with no request adds none
    pod("none"),
    pod("null", {"cpu": None}, {"cpu": "2"}),
]


def test_sum_compares_the_pods_total_not_each_container(matching: Matching) -> None:
    total = f"  - {{key: '{CPUS}', value_type: quantity, aggregate: sum, op: gt, value: 2}}"
    each = f"  - {{key: '{CPUS}', value_type: quantity, op: gt, value: 2}}"
    assert matching(total, PODS) == ["one-big", "two-small"]
    assert matching(each, PODS) == ["one-big"]


def test_max_min_and_count(matching: Matching) -> None:
    def run(how: str, op: str, value: object, value_type: str = "quantity") -> list[str]:
        typed = f"value_type: {value_type}, " if value_type else ""
        return matching(
            f"  - {{key: '{CPUS}', {typed}aggregate: {how}, op: {op}, value: {value}}}", PODS
        )

    assert run("max", "ge", 2) == ["one-big", "null"]
    # the container without a request is not a 0 for min; no containers: no min at all
    assert run("min", "ge", 1) == ["one-big", "two-small", "sidecar-without", "null"]
    assert run("count", "eq", 2, value_type="") == ["two-small"]  # null and missing: not counted
    assert run("count", "eq", 0, value_type="") == ["none"]  # no containers: count 0


def test_no_value_has_no_max_and_matches_no_comparison(matching: Matching) -> None:
    condition = f"  - {{key: '{CPUS}', value_type: quantity, aggregate: max, op: lt, value: 1}}"
    assert matching(condition, [pod("none"), pod("empty", {})]) == []
    summed = f"  - {{key: '{CPUS}', value_type: quantity, aggregate: sum, op: eq, value: 0}}"
    assert matching(summed, [pod("none"), pod("empty", {})]) == ["none", "empty"]


def test_an_unreadable_element_is_reported_not_summed_around() -> None:
    objects = [pod("typo", {"cpu": "1"}, {"cpu": "3 cores"}), pod("fine", {"cpu": "3"})]
    text = policy_yaml(
        f"  - {{key: '{CPUS}', value_type: quantity, aggregate: sum, op: gt, value: 2}}"
    )
    result = run_policy(text, objects)
    assert [m.resource.name for m in result.matches] == ["fine"]
    [problem] = result.unreadable
    assert (problem.resource.name, problem.value, problem.where) == ("typo", "3 cores", CPUS)


def test_an_aggregate_against_a_fact() -> None:
    objects = [pod("over", {"memory": "3Gi"}, {"memory": "2Gi"}), pod("under", {"memory": "1Gi"})]
    text = policy_yaml(
        f"  - key: '{MEMORIES}'\n"
        "    value_type: bytes\n"
        "    aggregate: sum\n"
        "    op: gt\n"
        "    value: {fact: memory_peak_bytes, window: 14d, times: 2}"
    )
    facts = InMemoryFacts()
    for name in ("over", "under"):
        ref = ResourceRef("Deployment", name, "acme-prod")
        facts.set("memory_peak_bytes", "1Gi", resource=ref, window="14d")
    result = run_policy(text, objects, facts=facts)
    assert [m.resource.name for m in result.matches] == ["over"]  # 5Gi > 2 x 1Gi; 1Gi is not


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("{key: spec.replicas, aggregate: sum, op: gt, value: 1}", "only to a key with [*]"),
        (
            f"{{key: '{CPUS}', value_type: quantity, aggregate: sum, match: all, op: gt,"
            " value: 1}",
            "match and aggregate do not go together",
        ),
        (f"{{key: '{CPUS}', aggregate: sum, op: regex, value: x}}", "not regex"),
        (
            f"{{key: '{CPUS}', value_type: quantity, aggregate: count, op: gt, value: 1}}",
            "takes no value_type",
        ),
        (
            "{key: 'metadata.x[*]', value_type: age, aggregate: max, op: gt, value: 1d}",
            "quantity, bytes, percent or none",
        ),
        (f"{{key: '{CPUS}', aggregate: sum, op: gt, value: 1}}", "add value_type: quantity"),
        (f"{{key: '{CPUS}', aggregate: mean, op: gt, value: 1}}", "aggregate"),
    ],
)
def test_an_aggregate_that_cannot_work_is_refused_at_load(condition: str, message: str) -> None:
    with pytest.raises(InputProblemsError) as error:
        parse_policies(policy_yaml(f"  - {condition}"), "p.yaml")
    assert any(message in str(problem) for problem in error.value.problems), [
        str(p) for p in error.value.problems
    ]
