"""Fact filters: a resource joined to what the warehouse and catalog know about it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.governance.conftest import NOW, deployment, names, policy_yaml, run_policy

from costplane.catalog import load_catalog
from costplane.errors import InputProblemsError
from costplane.governance import (
    CatalogFacts,
    FactRequest,
    FactSources,
    InMemoryFacts,
    ResourceRef,
    parse_policies,
)

ROOT = Path(__file__).resolve().parents[2]
CPU = "spec.template.spec.containers[0].resources.requests.cpu"


def ref(name: str, tenant: str | None = None, environment: str | None = None) -> ResourceRef:
    return ResourceRef("Deployment", name, "acme-prod", None, tenant, environment)


class CountingFacts(InMemoryFacts):
    """In-memory facts that remember which resources they were asked about."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        self.asked += [subject.name for subject in subjects]
        return super().values(request, subjects)


def test_a_fact_compares_as_its_type_over_its_window() -> None:
    facts = InMemoryFacts()
    facts.set("cpu_p95_cores", "50m", resource=ref("idle"), window="14d")
    facts.set("cpu_p95_cores", "1500m", resource=ref("busy"), window="14d")
    facts.set("cpu_p95_cores", "10m", resource=ref("idle-last-week"), window="7d")
    objects = [deployment(n) for n in ("idle", "busy", "idle-last-week", "unknown")]
    text = policy_yaml("  - {fact: cpu_p95_cores, window: 14d, op: lt, value: 100m}")
    assert names(run_policy(text, objects, facts=facts)) == ["idle"]


def test_a_fact_as_the_value_differs_per_resource() -> None:
    facts = InMemoryFacts()
    facts.set("cpu_p95_cores", "200m", resource=ref("oversized"), window="14d")
    facts.set("cpu_p95_cores", "400m", resource=ref("fitting"), window="14d")
    objects = [deployment("oversized", cpu="1"), deployment("fitting", cpu="500m")]
    text = policy_yaml(
        f"  - {{key: '{CPU}', value_type: quantity, op: gt,"
        " value: {fact: cpu_p95_cores, window: 14d, times: 2}}"
    )
    assert names(run_policy(text, objects, facts=facts)) == ["oversized"]  # 1 > 0.4; 0.5 < 0.8


def test_timestamps_compare_by_age_against_an_entitlement() -> None:
    facts = InMemoryFacts()
    for tenant, days in (("acme", 7), ("beta", 30)):
        facts.set("entitled_restore_test_interval", f"{days}d", tenant=tenant)
    facts.set("last_verified_restore", "2025-05-10T00:00:00Z", resource=ref("acme-db"))
    facts.set("last_verified_restore", "2025-05-10T00:00:00Z", resource=ref("beta-db"))
    objects = [
        deployment("acme-db", labels={"costplane.io/tenant": "acme"}),
        deployment("beta-db", labels={"costplane.io/tenant": "beta"}),
        deployment("never", labels={"costplane.io/tenant": "acme"}),
    ]
    stale = (
        "  - {fact: last_verified_restore, op: gt, value: {fact: entitled_restore_test_interval}}"
    )
    never = "  - {fact: last_verified_restore, op: absent}"
    either = f"  - or:\n    {stale}\n    {never}"
    assert names(run_policy(policy_yaml(stale), objects, facts=facts)) == ["acme-db"]
    assert names(run_policy(policy_yaml(either), objects, facts=facts)) == ["acme-db", "never"]


def test_facts_are_asked_only_about_resources_the_cheap_filters_left() -> None:
    facts = CountingFacts()
    facts.set("requests", 0, resource=ref("quiet"), window="7d")
    objects = [deployment("quiet", replicas=1), deployment("off", replicas=0)]
    text = policy_yaml(
        "  - {fact: requests, window: 7d, op: eq, value: 0}\n"
        "  - {key: spec.replicas, op: gt, value: 0}"
    )
    assert names(run_policy(text, objects, facts=facts)) == ["quiet"]
    assert facts.asked == ["quiet"]


def test_a_policy_needing_a_fact_nobody_provides_is_skipped_with_the_reason() -> None:
    text = policy_yaml("  - {fact: memory_peak_bytes, window: 14d, op: lt, value: 1Gi}")
    result = run_policy(text, [deployment("a")], facts=InMemoryFacts())
    assert result.matches == ()
    assert result.skipped == "needs facts no source provides: memory_peak_bytes"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("{fact: cpu_p99, window: 14d, op: lt, value: 1}", "unknown fact 'cpu_p99'"),
        ("{fact: last_backup, window: 1d, op: gt, value: 1d}", "takes no window"),
        ("{fact: last_backup, op: gt, value: 1Gi}", "not a duration: '1Gi'"),
        (
            "{fact: cpu_p95_cores, window: 14d, value_type: age, op: gt, value: 1d}",
            "fact cpu_p95_cores is a quantity; value_type age does not apply",
        ),
        ("{fact: entitlements, op: gt, value: 1}", "name the part to test with key"),
        (
            "{key: spec.replicas, op: gt, value: {fact: last_backup}}",
            "fact last_backup is a timestamp: it does not compare as none",
        ),
    ],
)
def test_fact_mistakes_fail_when_the_policy_loads(condition: str, message: str) -> None:
    with pytest.raises(InputProblemsError) as error:
        parse_policies(policy_yaml(f"  - {condition}"), "t.yaml")
    assert message in str(error.value)


def test_catalog_entitlements_per_tenant_and_environment() -> None:
    catalog = load_catalog(ROOT / "examples" / "distribution-saas" / "costplane.yaml")
    tenant = catalog.tenants[0]
    service_class = catalog.service_classes[tenant.service_class]
    facts = CatalogFacts(catalog)
    subjects = [ref("a", tenant.id, "production"), ref("b", "no-such-tenant", "production")]

    def ask(name: str) -> Sequence[object]:
        return facts.values(FactRequest(name, None, NOW), subjects)

    assert ask("entitled_snapshot_retention") == [
        service_class.snapshot_retention_days * 86400,
        None,
    ]
    assert ask("entitled_cpu") == [service_class.quota["production"].cpu, None]  # type: ignore[index]
    entitlements = ask("entitlements")[0]
    assert isinstance(entitlements, dict)
    assert entitlements["log_retention_days"] == service_class.log_retention_days


def test_sources_combine_first_provider_answers() -> None:
    catalog = load_catalog(ROOT / "examples" / "distribution-saas" / "costplane.yaml")
    tenant = catalog.tenants[0]
    rpo = dt.timedelta(minutes=catalog.service_classes[tenant.service_class].backup.rpo_minutes)
    minute = dt.timedelta(minutes=1)
    memory = InMemoryFacts()
    memory.set("last_backup", (NOW - rpo - minute).isoformat(), resource=ref("late"))
    memory.set("last_backup", (NOW - rpo + minute).isoformat(), resource=ref("on-time"))
    sources = FactSources(memory, CatalogFacts(catalog))
    assert sources.provides("last_backup")
    assert sources.provides("entitled_rpo")
    assert not sources.provides("cpu_p95_cores")
    labels = {"costplane.io/tenant": tenant.id}
    objects = [deployment("late", labels=labels), deployment("on-time", labels=labels)]
    rpo_exceeded = "  - {fact: last_backup, op: gt, value: {fact: entitled_rpo}}"
    assert names(run_policy(policy_yaml(rpo_exceeded), objects, facts=sources)) == ["late"]


def test_in_memory_facts_check_their_keys() -> None:
    facts = InMemoryFacts()
    with pytest.raises(ValueError, match="needs window"):
        facts.set("cpu_p95_cores", 1, resource=ref("a"))
    with pytest.raises(ValueError, match="per tenant"):
        facts.set("entitled_rpo", "1h", resource=ref("a"))


def test_with_unit_d_a_duration_fact_keeps_its_seconds() -> None:
    """`unit: d` reads bare numbers in the policy and the resource as days; a duration fact
    (entitled_log_retention: 14 days, in seconds) is not read as 1,209,600 days."""
    facts = InMemoryFacts().set("entitled_log_retention", "14d", tenant="acme")
    retention = 'metadata.annotations."costplane.io/log-retention-days"'
    objects = [
        deployment("month", labels={"costplane.io/tenant": "acme"}),
        deployment("week", labels={"costplane.io/tenant": "acme"}),
        deployment("fortnight", labels={"costplane.io/tenant": "acme"}),
    ]
    for obj, days in zip(objects, ("30", "7", "14"), strict=True):
        obj["metadata"]["annotations"] = {"costplane.io/log-retention-days": days}
    longer = policy_yaml(
        f"  - {{key: '{retention}', value_type: duration, unit: d, op: gt,"
        " value: {fact: entitled_log_retention}}"
    )
    assert names(run_policy(longer, objects, facts=facts)) == ["month"]
    shorter = policy_yaml("  - {fact: entitled_log_retention, unit: d, op: lt, value: 30}")
    assert names(run_policy(shorter, objects, facts=facts)) == ["month", "week", "fortnight"]
    exact = policy_yaml("  - {fact: entitled_log_retention, unit: d, value: 14}")
    assert names(run_policy(exact, objects, facts=facts)) == ["month", "week", "fortnight"]
