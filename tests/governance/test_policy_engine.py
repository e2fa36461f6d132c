"""The bulk engine against a straightforward evaluation, one resource at a time.

The reference below walks each document itself and applies its own small set of
operators, so the engine's columns, per-value memo, shared prefixes, cached filters,
row subsets and `and`/`or`/`not` ordering are checked against plain code."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.governance.conftest import NOW, deployment, policy_yaml, run_policy

from costplane.governance import (
    InMemoryFacts,
    Inventory,
    PolicyEngine,
    ResourceRef,
    parse_policies,
)
from costplane.quantity import parse_quantity

MISSING = object()

REPLICAS = st.one_of(
    st.just(MISSING),
    st.none(),
    st.integers(0, 4),
    st.booleans(),
    st.sampled_from(["2", "x"]),
    st.sampled_from([1.0, 2.5]),
)
CPUS = st.one_of(st.just(MISSING), st.sampled_from(["100m", "2", "2500m", "3", "abc", 3, 0.5]))
TEAMS = st.one_of(st.just(MISSING), st.sampled_from(["a", "b", ""]))


@st.composite
def documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for index in range(draw(st.integers(0, 30))):
        spec: dict[str, Any] = {}
        replicas = draw(REPLICAS)
        if replicas is not MISSING:
            spec["replicas"] = replicas
        containers = []
        for _ in range(draw(st.integers(0, 3))):
            cpu = draw(CPUS)
            containers.append({"resources": {"requests": {} if cpu is MISSING else {"cpu": cpu}}})
        if draw(st.booleans()):
            spec["template"] = {"spec": {"containers": containers}}
        labels = {} if (team := draw(TEAMS)) is MISSING else {"team": team}
        found.append(
            {
                "kind": "Deployment",
                "metadata": {"name": f"d{index}", "labels": labels},
                "spec": spec,
            }
        )
    return found


LEAVES = [
    {"key": "spec.replicas", "op": "gt", "value": 1},
    {"key": "spec.replicas", "op": "eq", "value": 2},
    {"key": "spec.replicas", "op": "ne", "value": 0},
    {"key": "spec.replicas", "op": "in", "value": [0, 1]},
    {"key": "spec.replicas", "op": "absent"},
    {"key": "spec.replicas", "op": "eq", "value": True},
    {"key": "metadata.labels.team", "op": "eq", "value": "a"},
    {"key": "metadata.labels.team", "op": "empty"},
    {
        "key": "spec.template.spec.containers[0].resources.requests.cpu",
        "op": "gt",
        "value": 2,
        "value_type": "quantity",
    },
    {
        "key": "spec.template.spec.containers[*].resources.requests.cpu",
        "op": "gt",
        "value": 2,
        "value_type": "quantity",
    },
    {
        "key": "spec.template.spec.containers[*].resources.requests.cpu",
        "op": "le",
        "value": "2",
        "value_type": "quantity",
        "match": "all",
    },
    {"key": "spec.template.spec.containers[*].resources.requests.cpu", "op": "absent"},
]


def filters() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        st.sampled_from(LEAVES),
        lambda inner: st.one_of(
            st.builds(lambda fs: {"and": fs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda fs: {"or": fs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda f: {"not": f}, inner),
        ),
        max_leaves=6,
    )


# --- the reference -------------------------------------------------------------------------


def walk(document: Any, key: str) -> list[Any] | Any:
    """The value at `key`, MISSING, or (with [*]) the list of element values."""
    head, star, tail = key.partition("[*].")
    value = document
    for part in head.replace("[0]", ".0").split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif part == "0" and isinstance(value, list) and value:
            value = value[0]
        else:
            return [] if star else MISSING
    if not star:
        return value
    if not isinstance(value, list):
        return []
    return [walk(element, tail) for element in value]


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def holds(leaf: dict[str, Any], value: Any) -> bool:
    op = leaf["op"]
    absent = value is MISSING or value is None
    if op == "absent":
        return absent
    if op == "empty":
        return absent or value in ("", [], {})
    if absent:
        return False
    if leaf.get("value_type") == "quantity":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return False
        try:
            amount = parse_quantity(str(value)) if not isinstance(value, float) else number(value)
        except ValueError:
            return False
        wanted = parse_quantity(str(leaf["value"]))
        assert amount is not None
        return amount > wanted if op == "gt" else amount <= wanted
    wanted = leaf["value"]
    if op == "in":
        return any(same(value, w) for w in wanted)
    if op == "eq":
        return same(value, wanted)
    if op == "ne":
        return not same(value, wanted)
    amount = number(value)
    return amount is not None and amount > wanted


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    left, right = number(a), number(b)
    if left is not None and right is not None:
        return left == right
    return bool(a == b) and type(a) is type(b)


def reference(spec: dict[str, Any], document: dict[str, Any]) -> bool:
    if "and" in spec:
        return all(reference(child, document) for child in spec["and"])
    if "or" in spec:
        return any(reference(child, document) for child in spec["or"])
    if "not" in spec:
        return not reference(spec["not"], document)
    values = walk(document, spec["key"])
    if "[*]" not in spec["key"]:
        return holds(spec, values)
    answers = [holds(spec, value) for value in values]
    if spec.get("match") == "all":
        return bool(answers) and all(answers)
    return any(answers)


def policies_text(specs: list[dict[str, Any]]) -> str:
    policies = [
        {
            "id": f"p{n}",
            "description": "generated",
            "resource": "Deployment",
            "severity": "low",
            "filters": [spec],
        }
        for n, spec in enumerate(specs)
    ]
    return json.dumps({"policies": policies})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects=documents(), specs=st.lists(filters(), min_size=1, max_size=4))
def test_the_engine_agrees_with_the_reference(
    objects: list[dict[str, Any]], specs: list[dict[str, Any]]
) -> None:
    engine = PolicyEngine(parse_policies(policies_text(specs), "generated.json"))
    together = engine.evaluate(Inventory.from_objects(objects), now=NOW)
    for spec, result in zip(specs, together, strict=True):
        expected = [d["metadata"]["name"] for d in objects if reference(spec, d)]
        assert [m.resource.name for m in result.matches] == expected, spec
        [alone] = PolicyEngine([result.policy]).evaluate(Inventory.from_objects(objects), now=NOW)
        assert alone.matches == result.matches
    as_texts = engine.evaluate(texts_inventory(objects), now=NOW)
    assert [r.matches for r in as_texts] == [r.matches for r in together]


def texts_inventory(objects: list[dict[str, Any]]) -> Inventory:
    """The objects as the warehouse keeps them: JSON texts, named by their own columns."""
    inventory = Inventory()
    texts = pa.array([json.dumps(o) for o in objects], pa.string())
    refs = [ResourceRef("Deployment", o["metadata"]["name"]) for o in objects]
    inventory.add_texts("Deployment", texts, refs=refs)
    return inventory


def test_many_policies_share_one_pass_without_mixing_answers() -> None:
    objects = [
        {"kind": "Deployment", "metadata": {"name": f"d{i}"}, "spec": {"replicas": i % 4}}
        for i in range(40)
    ]
    specs = [{"key": "spec.replicas", "op": "gt", "value": 1}] * 3 + [
        {"not": {"key": "spec.replicas", "op": "gt", "value": 1}}
    ]
    results = PolicyEngine(parse_policies(policies_text(specs), "g.json")).evaluate(
        Inventory.from_objects(objects), now=NOW
    )
    counts = [r.match_count for r in results]
    assert counts == [20, 20, 20, 20]
    assert results[0].evaluated == 40


def test_a_list_of_kinds_runs_over_each_and_names_the_real_kind() -> None:
    containers = {"template": {"spec": {"containers": [{"image": "odoo:latest"}]}}}
    objects = [
        {"kind": "Deployment", "metadata": {"name": "web", "namespace": "a"}, "spec": containers},
        {"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "a"}, "spec": containers},
        {"kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "a"}, "spec": containers},
        {"kind": "Deployment", "metadata": {"name": "pinned"}, "spec": {"replicas": 1}},
    ]
    text = """
policies:
  - id: latest
    description: latest tag
    resource: [StatefulSet, Deployment, CronJob]
    severity: low
    filters:
      - {key: 'spec.template.spec.containers[*].image', op: regex, value: ':latest$'}
  - id: deployments
    description: every deployment
    resource: Deployment
    severity: low
    filters:
      - {key: 'spec.template.spec.containers[*].image', op: regex, value: ':latest$'}
"""
    latest, deployments = PolicyEngine(parse_policies(text)).evaluate(
        Inventory.from_objects(objects), now=NOW
    )
    assert [(m.resource.kind, m.resource.name) for m in latest.matches] == [
        ("StatefulSet", "db"),  # kind by kind, in the order written
        ("Deployment", "web"),
    ]
    assert latest.evaluated == 3  # no CronJob in the inventory: nothing to test there
    assert [d["metadata"]["name"] for d in latest.documents] == ["db", "web"]
    assert [m.resource.name for m in deployments.matches] == ["web"]  # the shared filter


def test_a_fact_only_the_savings_need_leaves_the_amount_unknown() -> None:
    cpu = "spec.template.spec.containers[0].resources.requests.cpu"
    big = ResourceRef("Deployment", "big", "acme-prod")
    objects = [deployment("big", cpu="2"), deployment("small", cpu="100m")]
    filters = f"  - {{key: '{cpu}', value_type: quantity, op: gt, value: 1}}"
    savings = """savings:
  monthly: (request - max(used, 0)) * 10
  where:
    request: {key: 'spec.template.spec.containers[0].resources.requests.cpu',
              value_type: quantity}
    used: {fact: cpu_p95_cores, window: 14d, default: 0}
"""
    text = policy_yaml(filters, extra=savings)
    unpriced = run_policy(text, objects, facts=InMemoryFacts())
    assert unpriced.skipped is None
    assert [(m.resource.name, m.monthly_waste) for m in unpriced.matches] == [("big", None)]
    assert unpriced.waste_unknown == "needs facts no source provides: cpu_p95_cores"
    facts = InMemoryFacts().set("cpu_p95_cores", "500m", resource=big, window="14d")
    priced = run_policy(text, objects, facts=facts)
    assert [m.monthly_waste for m in priced.matches] == [Decimal(15)]
    assert priced.waste_unknown is None
    in_a_filter = policy_yaml(
        f"{filters}\n  - {{fact: cpu_p95_cores, window: 14d, op: lt, value: 2}}"
    )
    skipped = run_policy(in_a_filter, objects, facts=InMemoryFacts())
    assert (skipped.skipped, skipped.matches) == (
        "needs facts no source provides: cpu_p95_cores",
        (),
    )
