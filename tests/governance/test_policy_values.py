"""Each operator and value type, against the mistakes Cloud Custodian makes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.governance.conftest import deployment

Matching = Callable[..., list[str]]
CPU = "spec.template.spec.containers[0].resources.requests.cpu"
MEMORY = "spec.template.spec.containers[0].resources.requests.memory"


def test_quantities_compare_as_the_amount_they_mean(matching: Matching) -> None:
    objects = [
        deployment("half", cpu="500m"),  # Custodian: "500m" > 2 is a str/int TypeError: no match
        deployment("four-thousand-milli", cpu="4000m"),  # Custodian's float type: 0.0
        deployment("three", cpu="3"),
        deployment("two", cpu=2),
        deployment("two-and-a-bit", cpu="2001m"),
    ]
    found = matching(f"  - {{key: '{CPU}', value_type: quantity, op: gt, value: 2}}", objects)
    assert found == ["four-thousand-milli", "three", "two-and-a-bit"]


def test_a_quantity_value_is_read_as_a_quantity(matching: Matching) -> None:
    objects = [deployment("small", cpu="250m"), deployment("big", cpu="1500m")]
    found = matching(f"  - {{key: '{CPU}', value_type: quantity, op: lt, value: 500m}}", objects)
    assert found == ["small"]


@pytest.mark.parametrize("value", ["4Gi", "4GiB", "4 GiB", 4294967296])
def test_bytes_compare_in_bytes_whatever_the_unit(matching: Matching, value: object) -> None:
    objects = [
        deployment("eight", memory="8Gi"),
        deployment("exactly-four", memory="4096Mi"),
        deployment("five-gb", memory="5G"),  # 5e9 bytes > 4 GiB
        deployment("three-gb", memory="3Gi"),
    ]
    found = matching(f"  - {{key: '{MEMORY}', value_type: bytes, op: gt, value: {value}}}", objects)
    assert found == ["eight", "five-gb"]


def test_eq_on_quantities_is_the_amount_not_the_spelling(matching: Matching) -> None:
    objects = [deployment("a", cpu="0.5"), deployment("b", cpu="500m"), deployment("c", cpu="1")]
    assert matching(f"  - {{key: '{CPU}', value_type: quantity, value: 500m}}", objects) == [
        "a",
        "b",
    ]


def test_age_of_a_timestamp_against_a_duration(matching: Matching) -> None:
    objects = [
        deployment("old", created="2025-05-01T00:00:00Z"),  # 30 days before NOW
        deployment("edge", created="2025-05-17T00:00:00Z"),  # exactly 14 days
        deployment("new", created="2025-05-30T12:00:00+02:00"),
    ]
    filters = "  - {key: metadata.creationTimestamp, value_type: age, op: gt, value: 14d}"
    assert matching(filters, objects) == ["old"]
    filters = "  - {key: metadata.creationTimestamp, value_type: age, op: ge, value: 14d}"
    assert matching(filters, objects) == ["old", "edge"]


def test_durations_read_go_forms_and_a_unit_for_bare_numbers(matching: Matching) -> None:
    objects = [
        {"kind": "Deployment", "metadata": {"name": "go", "annotations": {"t": "1h30m0s"}}},
        {"kind": "Deployment", "metadata": {"name": "days", "annotations": {"t": "2"}}},
        {"kind": "Deployment", "metadata": {"name": "short", "annotations": {"t": "300ms"}}},
    ]
    filters = "  - {key: metadata.annotations.t, value_type: duration, op: gt, value: 1h}"
    assert matching(filters, objects) == ["go"]  # a bare "2" is 2 seconds
    filters = "  - {key: metadata.annotations.t, value_type: duration, unit: d, op: ge, value: 2d}"
    assert matching(filters, objects) == ["days"]


def test_percent_reads_text_with_a_sign_and_numbers(matching: Matching) -> None:
    objects = [
        {"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"maxSurge": "30%"}},
        {"kind": "Deployment", "metadata": {"name": "b"}, "spec": {"maxSurge": 10}},
        {"kind": "Deployment", "metadata": {"name": "c"}, "spec": {"maxSurge": "25%"}},
    ]
    filters = "  - {key: spec.maxSurge, value_type: percent, op: ge, value: 25%}"
    assert matching(filters, objects) == ["a", "c"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("{key: spec.replicas, op: eq, value: 2}", ["two"]),
        ("{key: spec.replicas, value: 2}", ["two"]),
        ("{spec.replicas: 2}", ["two"]),
        ("{key: spec.replicas, op: ne, value: 2}", ["one", "zero", "flag"]),
        ("{key: spec.replicas, op: gt, value: 1}", ["two"]),
        ("{key: spec.replicas, op: ge, value: 1}", ["one", "two"]),
        ("{key: spec.replicas, op: lt, value: 1}", ["zero"]),
        ("{key: spec.replicas, op: le, value: 1}", ["one", "zero"]),
        ("{key: spec.replicas, op: in, value: [0, 2]}", ["two", "zero"]),
        ("{key: spec.replicas, op: not-in, value: [0, 2]}", ["one", "flag"]),
        ("{key: spec.replicas, op: absent}", ["none"]),
        ("{key: spec.replicas, op: present}", ["one", "two", "zero", "flag"]),
        ("{key: spec.replicas, value: true}", ["flag"]),
        ("{key: spec.replicas, value: 1.0}", ["one"]),
    ],
)
def test_each_operator(matching: Matching, condition: str, expected: list[str]) -> None:
    objects = [
        deployment("one", replicas=1),
        deployment("two", replicas=2),
        deployment("zero", replicas=0),
        deployment("flag", replicas=True),  # true is not 1, and 1 is not true
        deployment("none", replicas=None),
    ]
    assert matching(f"  - {condition}", objects) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("{key: metadata.labels.app, op: regex, value: '^odoo'}", ["odoo", "odoo-worker"]),
        ("{key: metadata.labels.app, op: regex, value: 'worker$'}", ["odoo-worker"]),
        ("{key: metadata.labels.app, op: contains, value: work}", ["odoo-worker"]),
        ("{key: metadata.finalizers, op: contains, value: keep}", ["odoo"]),
        ("{key: metadata.labels, op: contains, value: tier}", ["odoo-worker"]),
        ("{key: metadata.finalizers, op: empty}", ["odoo-worker", "redis", "bare"]),
        ("{key: metadata.labels.app, op: empty}", ["bare"]),
    ],
)
def test_text_list_and_mapping_operators(
    matching: Matching, condition: str, expected: list[str]
) -> None:
    def named(name: str, labels: dict[str, str], finalizers: list[str]) -> dict[str, object]:
        meta = {"name": name, "labels": labels, "finalizers": finalizers}
        return {"kind": "Deployment", "metadata": meta}

    objects = [
        named("odoo", {"app": "odoo"}, ["keep", "other"]),
        named("odoo-worker", {"app": "odoo-worker", "tier": "back"}, []),
        named("redis", {"app": "redis"}, []),
        {"kind": "Deployment", "metadata": {"name": "bare", "labels": {"app": ""}}},
    ]
    assert matching(f"  - {condition}", objects) == expected


def test_absent_values_match_no_comparison_not_even_ne(matching: Matching) -> None:
    objects = [
        deployment("labelled", labels={"team": "a"}),
        deployment("other-team", labels={"team": "b"}),
        deployment("unlabelled"),
    ]
    assert matching("  - {key: metadata.labels.team, op: ne, value: a}", objects) == ["other-team"]
    assert matching("  - {key: metadata.labels.team, op: not-in, value: [a]}", objects) == [
        "other-team"
    ]
    either = (
        "  - or:\n      - {key: metadata.labels.team, op: absent}\n"
        "      - {key: metadata.labels.team, op: ne, value: a}"
    )
    assert matching(either, objects) == ["other-team", "unlabelled"]


def test_unreadable_values_are_reported_not_silently_unmatched() -> None:
    from tests.governance.conftest import policy_yaml, run_policy

    objects = [deployment("fine", cpu="3"), deployment("typo", cpu="3 cores")]
    result = run_policy(
        policy_yaml(f"  - {{key: '{CPU}', value_type: quantity, op: gt, value: 2}}"), objects
    )
    assert [m.resource.name for m in result.matches] == ["fine"]
    [problem] = result.unreadable
    assert problem.resource.name == "typo"
    assert problem.where == CPU
    assert problem.value == "3 cores"
    assert "not a Kubernetes quantity" in problem.reason


def test_ordering_text_without_a_value_type_is_unreadable(matching: Matching) -> None:
    from tests.governance.conftest import policy_yaml, run_policy

    objects = [deployment("text", replicas="3"), deployment("number", replicas=3)]
    result = run_policy(policy_yaml("  - {key: spec.replicas, op: gt, value: 2}"), objects)
    assert [m.resource.name for m in result.matches] == ["number"]
    assert [u.resource.name for u in result.unreadable] == ["text"]
