"""and, or, not; [*] with any and all; the same answers from a list and an Arrow table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.governance.conftest import NOW, deployment, policy_yaml

from costplane.catalog import LabelKeys
from costplane.governance import Inventory, PolicyEngine, parse_policies
from costplane.sources.inventory import inventory_table

Matching = Callable[..., list[str]]
REQUESTS = "spec.template.spec.containers[*].resources.requests"


def pod_spec(name: str, *cpus: str | None) -> dict[str, object]:
    containers = [
        {"name": f"c{i}", "resources": {"requests": {"cpu": cpu}} if cpu else {}}
        for i, cpu in enumerate(cpus)
    ]
    return deployment(name, containers=containers)


def test_top_level_filters_are_all_required(matching: Matching) -> None:
    objects = [
        deployment("big-replicated", cpu="3", replicas=2),
        deployment("big-single", cpu="3", replicas=1),
        deployment("small-replicated", cpu="1", replicas=2),
    ]
    filters = (
        f"  - {{key: '{REQUESTS}.cpu', value_type: quantity, op: gt, value: 2}}\n"
        "  - {key: spec.replicas, op: gt, value: 1}"
    )
    assert matching(filters, objects) == ["big-replicated"]


def test_or_and_not(matching: Matching) -> None:
    objects = [
        deployment("zero", replicas=0),
        deployment("one", replicas=1),
        deployment("five", replicas=5),
    ]
    either = (
        "  - or:\n      - {key: spec.replicas, value: 0}\n"
        "      - {key: spec.replicas, op: gt, value: 3}"
    )
    assert matching(either, objects) == ["zero", "five"]
    assert matching("  - not: {key: spec.replicas, value: 1}", objects) == ["zero", "five"]
    none_of_both = (
        "  - not:\n      - {key: spec.replicas, op: ge, value: 1}\n"
        "      - {key: spec.replicas, op: le, value: 1}"
    )
    assert matching(none_of_both, objects) == ["zero", "five"]  # not (>= 1 and <= 1)


def test_wildcard_any_and_all(matching: Matching) -> None:
    objects = [
        pod_spec("all-big", "3", "4"),
        pod_spec("one-big", "3", "100m"),
        pod_spec("none-big", "1", "100m"),
        pod_spec("no-containers"),
        pod_spec("big-and-missing", "3", None),
    ]
    any_big = f"  - {{key: '{REQUESTS}.cpu', value_type: quantity, op: gt, value: 2}}"
    all_big = f"  - {{key: '{REQUESTS}.cpu', value_type: quantity, op: gt, value: 2, match: all}}"
    missing = f"  - {{key: '{REQUESTS}.cpu', op: absent}}"
    assert matching(any_big, objects) == ["all-big", "one-big", "big-and-missing"]
    assert matching(all_big, objects) == ["all-big"]  # a missing request is not > 2
    assert matching(missing, objects) == ["big-and-missing"]  # no element: no match


def test_nested_wildcards_flatten(matching: Matching) -> None:
    def with_ports(name: str, *ports: list[int]) -> dict[str, object]:
        containers = [{"ports": [{"containerPort": p} for p in group]} for group in ports]
        return deployment(name, containers=containers)

    objects = [with_ports("web", [8069], [80]), with_ports("odd", [8069, 8072], [9000])]
    filters = (
        "  - {key: 'spec.template.spec.containers[*].ports[*].containerPort',"
        " op: in, value: [80, 443], match: all}"
    )
    assert matching(filters, objects) == []
    filters = filters.replace("match: all", "match: any")
    assert matching(filters, objects) == ["web"]


def test_labels_inherited_from_the_namespace_name_the_tenant() -> None:
    namespace = {
        "kind": "Namespace",
        "metadata": {"name": "acme-prod", "labels": {"costplane.io/tenant": "acme"}},
    }
    objects = [namespace, deployment("odoo", replicas=0)]
    [policy] = parse_policies(policy_yaml("  - {spec.replicas: 0}"), "t.yaml")
    [result] = PolicyEngine([policy]).evaluate(Inventory.from_objects(objects), now=NOW)
    [match] = result.matches
    assert (match.resource.tenant, match.resource.namespace) == ("acme", "acme-prod")


def test_an_arrow_inventory_gives_the_same_matches_as_the_objects() -> None:
    objects = [
        deployment(f"d{i}", cpu=cpu, replicas=i % 3)
        for i, cpu in enumerate(["100m", "3", "2500m", "2", "4"])
    ]
    table = inventory_table(
        objects, cluster="eu-1", taken_at=dt.datetime(2025, 5, 31), labels=LabelKeys()
    )
    text = policy_yaml(
        f"  - {{key: '{REQUESTS}.cpu', value_type: quantity, op: gt, value: 2}}\n"
        "  - {key: spec.replicas, op: ge, value: 1}"
    )
    engine = PolicyEngine(parse_policies(text, "t.yaml"))
    [from_table] = engine.evaluate(Inventory.from_arrow(table), now=NOW)
    [from_list] = engine.evaluate(Inventory.from_objects(objects, cluster="eu-1"), now=NOW)
    assert [m.resource for m in from_table.matches] == [m.resource for m in from_list.matches]
    assert [m.resource.name for m in from_table.matches] == ["d1", "d2", "d4"]
    assert {m.resource.cluster for m in from_table.matches} == {"eu-1"}


def test_policies_only_see_their_kind(matching: Matching) -> None:
    objects = [
        deployment("deployment"),
        {"kind": "StatefulSet", "metadata": {"name": "statefulset"}, "spec": {"replicas": 1}},
    ]
    assert matching("  - {spec.replicas: 1}", objects) == ["deployment"]
