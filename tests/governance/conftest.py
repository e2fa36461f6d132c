"""Build small inventories and policies, run them, and read what matched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from costplane.governance import (
    Facts,
    Inventory,
    PolicyResult,
    Prices,
    evaluate_policies,
    parse_policies,
)

NOW = dt.datetime(2025, 5, 31, tzinfo=dt.UTC)

Run = Callable[..., PolicyResult]


def deployment(
    name: str,
    *,
    cpu: object = "500m",
    memory: object = "1Gi",
    replicas: object = 1,
    namespace: str = "acme-prod",
    containers: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
    created: str = "2025-01-01T00:00:00Z",
) -> dict[str, Any]:
    """A Deployment as the API server returns it, with one container unless given."""
    if containers is None:
        containers = [
            {
                "name": "odoo",
                "image": "odoo:18.0",
                "resources": {"requests": {"cpu": cpu, "memory": memory}},
            }
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels or {},
            "creationTimestamp": created,
        },
        "spec": {"replicas": replicas, "template": {"spec": {"containers": containers}}},
    }


def policy_yaml(filters: str, *, resource: str = "Deployment", extra: str = "") -> str:
    """One policy whose `filters:` block is `filters` (YAML, indented by the caller's text)."""
    return (
        "id: under-test\n"
        "description: a policy under test\n"
        f"resource: {resource}\n"
        "severity: high\n"
        f"filters:\n{filters}\n{extra}"
    )


def run_policy(
    text: str,
    objects: list[dict[str, Any]],
    *,
    facts: Facts | None = None,
    prices: Prices | None = None,
    now: dt.datetime = NOW,
) -> PolicyResult:
    [policy] = parse_policies(text, "test.yaml")
    [result] = evaluate_policies(
        [policy], Inventory.from_objects(objects), now=now, facts=facts, prices=prices
    )
    return result


def names(result: PolicyResult) -> list[str]:
    return [match.resource.name for match in result.matches]


@pytest.fixture
def matching() -> Callable[..., list[str]]:
    """Names the filters (YAML list items) match among `objects`."""

    def run(filters: str, objects: list[dict[str, Any]], **options: Any) -> list[str]:
        return names(run_policy(policy_yaml(filters), objects, **options))

    return run
