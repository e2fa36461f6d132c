"""Savings: exact arithmetic over the resource, its facts and prices; never Python's eval."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from tests.governance.conftest import deployment, policy_yaml, run_policy

from costplane.catalog import load_catalog
from costplane.errors import InputProblemsError
from costplane.governance import InMemoryFacts, PriceSheetPrices, ResourceRef
from costplane.governance.savings.expression import parse_expression

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "examples" / "distribution-saas" / "costplane.yaml"


def test_expressions_are_exact_and_unknowns_propagate() -> None:
    expression = parse_expression("a * (b - 0.1) / 2 + max(0, -c, min(1, 2))")
    assert expression.names == {"a", "b", "c"}
    values = {"a": Decimal(3), "b": Decimal("0.3"), "c": Decimal(5)}
    assert expression.evaluate(values) == Decimal("1.3")  # 3 * 0.2 / 2 + max(0, -5, 1)
    assert expression.evaluate({**values, "b": None}) is None
    assert parse_expression("1 / (a - a)").evaluate({"a": Decimal(1)}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "unexpected"),
        ("a ** 2", "expected a number, a name or '('"),
        ("open(a)", "unknown function 'open'"),
        ("max(1)", "needs at least two arguments"),
        ("(1 + 2", "expected ')'"),
        ("a; b", "unexpected ';'"),
    ],
)
def test_anything_but_arithmetic_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_expression(text)


def test_savings_of_an_oversized_request_from_facts_and_prices() -> None:
    catalog = load_catalog(CATALOG)
    prices = PriceSheetPrices(catalog.price_sheet)
    facts = InMemoryFacts()
    subject = ResourceRef("Deployment", "odoo", "acme-prod")
    facts.set("cpu_p95_cores", "250m", resource=subject, window="14d")
    objects = [
        deployment(
            "odoo",
            replicas=3,
            containers=[
                {"resources": {"requests": {"cpu": "1"}}},
                {"resources": {"requests": {"cpu": "500m"}}},
            ],
        )
    ]
    extra = """savings:
  monthly: replicas * max(0, cpu_request - cpu_p95) * price.cpu * HOURS_PER_MONTH
  where:
    replicas: {key: spec.replicas}
    cpu_request: {key: "spec.template.spec.containers[*].resources.requests.cpu",
                  value_type: quantity, aggregate: sum}
    cpu_p95: {fact: cpu_p95_cores, window: 14d}
"""
    result = run_policy(
        policy_yaml("  - {spec.replicas: 3}", extra=extra), objects, facts=facts, prices=prices
    )
    [match] = result.matches
    per_core_month = catalog.price_sheet.cpu.per_month
    assert match.monthly_waste == 3 * Decimal("1.25") * per_core_month


def test_storage_price_by_the_resource_class_and_a_missing_value() -> None:
    catalog = load_catalog(CATALOG)
    storage_class, price = next(iter(catalog.price_sheet.storage.items()))
    claims = [
        {
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name},
            "spec": {"storageClassName": cls, "resources": {"requests": {"storage": size}}},
        }
        for name, cls, size in (("known", storage_class, "10Gi"), ("odd", "nope", "10Gi"))
    ]
    extra = """savings:
  monthly: size / GiB * gib_hour * HOURS_PER_MONTH
  where:
    size: {key: spec.resources.requests.storage, value_type: bytes}
    gib_hour: {price: storage, class_key: spec.storageClassName}
"""
    text = policy_yaml(
        "  - {key: spec.resources, op: present}", resource="PersistentVolumeClaim", extra=extra
    )
    result = run_policy(text, claims, prices=PriceSheetPrices(catalog.price_sheet))
    waste = {m.resource.name: m.monthly_waste for m in result.matches}
    assert waste == {"known": 10 * price.per_month, "odd": None}


@pytest.mark.parametrize(
    ("savings", "message"),
    [
        ("savings: replicas * 2", "unknown name 'replicas'"),
        ("savings:\n  monthly: 1\n  where:\n    unused: {key: spec.replicas}", "not used"),
        ("savings:\n  monthly: x\n  where:\n    x: {key: 'spec.a[*].b'}", "add aggregate"),
        ("savings:\n  monthly: x\n  where:\n    x: {price: storage}", "needs storage_class"),
        ("savings:\n  monthly: x\n  where:\n    x: {fact: last_backup}", "not an amount"),
        ("savings:\n  monthly: x\n  where:\n    x: {flavour: 1}", "a where entry is"),
    ],
)
def test_savings_mistakes_fail_at_load(savings: str, message: str) -> None:
    from costplane.governance import parse_policies

    with pytest.raises(InputProblemsError) as error:
        parse_policies(policy_yaml("  - {spec.replicas: 1}", extra=savings), "t.yaml")
    assert message in str(error.value)


def test_no_savings_means_zero() -> None:
    [match] = run_policy(policy_yaml("  - {spec.replicas: 1}"), [deployment("a")]).matches
    assert match.monthly_waste == 0
