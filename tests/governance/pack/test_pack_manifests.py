"""The pack's policies that need only Kubernetes objects and the catalog, on a directory of
manifests (the GitOps pull-request check): each fixture that must trigger does, and each
near-miss beside it does not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import Review, govern_manifests

from .scenario import (
    AT,
    CPU_HOUR,
    GIB_HOUR,
    MONTH,
    catalog,
    container,
    cronjob,
    deployment,
    found,
    hpa,
    ingress_route,
    limit_range,
    middleware,
    namespace,
    pod,
    pv,
    pvc,
    quota,
    skipped,
    sleep_info,
    snapshot,
    statefulset,
    write_manifests,
)

RATE_LIMIT = {"rateLimit": {"average": 100, "burst": 200}}

OBJECTS = [
    # namespaces: two tenants, a platform namespace, an unlabelled one, one only the catalog names
    namespace(
        "acme-prod", "acme", "production", annotations={"costplane.io/log-retention-days": "30"}
    ),
    namespace("acme-dev", "acme", "development"),
    namespace("bolt-prod", "bolt", "production"),
    namespace("bolt-staging"),  # in the catalog, no labels
    namespace("traefik", shared=True),
    namespace("acme-migration"),  # unlabelled, runs a deployment
    namespace("scratch"),  # unlabelled, runs nothing
    # quotas and limit ranges
    quota("acme-prod", "4", "4Gi"),  # cpu above the standard class's 2
    quota("acme-dev", "1", "2Gi"),  # exactly the entitlement
    quota("bolt-staging", "2", "8Gi"),
    limit_range("acme-dev"),
    sleep_info("acme-dev"),
    # workloads
    deployment("acme-prod", "web", container(image="registry.example.com/odoo:latest")),
    deployment("acme-prod", "cron", container(limits=False)),
    deployment("acme-dev", "web", container(limits=False)),  # its LimitRange sets limits
    deployment("acme-dev", "pinned", container(image="odoo@sha256:" + "ab" * 32)),
    statefulset("bolt-prod", "redis", "data"),
    cronjob("bolt-prod", "report", container(image="localhost:5000/report")),
    cronjob("bolt-prod", "mailer", container(image="localhost:5000/mailer:2.1")),
    deployment("bolt-staging", "web", container("1", "2Gi"), replicas=2),
    deployment("acme-migration", "migrate", container(image="odoo:18.0")),
    deployment("bolt-prod", "web", container("1", "2Gi"), claims=["files"]),
    hpa("bolt-prod", "web", "web", max_replicas=10),  # 10 cores > 8 entitled
    hpa("bolt-staging", "web", "web", max_replicas=2),  # 2 cores = 2 entitled
    # volumes
    pvc("acme-prod", "old-files", "50Gi"),
    pvc("bolt-prod", "files", "20Gi"),
    pvc("bolt-prod", "data-redis-0", "10Gi"),
    pvc("acme-dev", "fresh", "5Gi", created="2026-10-28T00:00:00Z"),
    pvc("acme-dev", "pending", "5Gi", phase="Pending"),
    pvc("acme-dev", "by-pod", "5Gi"),
    pod("acme-dev", "debug", claims=["by-pod"]),
    pvc("acme-dev", "by-finished-pod", "8Gi", storage_class="fast"),
    pod("acme-dev", "done", claims=["by-finished-pod"], phase="Succeeded"),
    pv("pvc-released", "30Gi", "Released", ("bolt-prod", "gone"), storage_class="fast"),
    pv("pvc-bound", "20Gi", "Bound", ("bolt-prod", "files")),
    snapshot("acme-prod", "daily-old", days_old=9, size="40Gi"),
    snapshot("acme-prod", "daily-new", days_old=6),
    snapshot("bolt-prod", "weekly", days_old=20),  # premium keeps 30 days
    snapshot("scratch", "unowned", days_old=300),  # no tenant: no retention to exceed
    # ingress
    middleware("acme-prod", "ratelimit", RATE_LIMIT),
    middleware("acme-prod", "headers", {"headers": {"frameDeny": True}}),
    middleware("bolt-prod", "chain", {"chain": {"middlewares": [{"name": "limit"}]}}),
    middleware("bolt-prod", "limit", RATE_LIMIT),
    middleware("traefik", "shared-limit", RATE_LIMIT),
    ingress_route("acme-prod", "odoo", middlewares=[{"name": "ratelimit"}, {"name": "headers"}]),
    ingress_route("acme-dev", "odoo", entry_points=["web"], tls=False),  # clear text, no limit
    ingress_route(
        "acme-dev", "api", tls=False, middlewares=[{"name": "shared-limit", "namespace": "traefik"}]
    ),
    ingress_route("bolt-prod", "odoo", middlewares=[{"name": "chain"}]),
    ingress_route(
        "bolt-staging", "odoo", middlewares=[{"name": "headers"}]
    ),  # not in its namespace
]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Review:
    directory = write_manifests(tmp_path_factory.mktemp("repo") / "manifests", OBJECTS)
    policies = [loaded.policy for loaded in pack_policies()]
    return govern_manifests(directory, catalog(), policies, at=AT)


def names(review: Review, policy: str) -> set[tuple[str, str | None, str]]:
    return set(found(review, policy))


def test_warehouse_policies_are_skipped_with_the_reason(review: Review) -> None:
    reasons = skipped(review)
    assert set(reasons) == {
        "requests-oversized",
        "nonprod-idle",
        "pvc-oversized",
        "backup-older-than-rpo",
        "restore-unverified",
        "backup-not-isolated",
        "redis-maxmemory-unset",
        "redis-evicting",
        "database-over-band",
        "database-unused-indexes",
        "odoo-attachments-in-database",
        "odoo-failed-mail-backlog",
        "cluster-idle-capacity",
    }
    assert "cpu_recommended_cores" in reasons["requests-oversized"]


def test_a_policy_whose_money_needs_the_warehouse_finds_with_an_unknown_amount(
    review: Review,
) -> None:
    findings = found(review, "log-retention-exceeds-class")
    assert set(findings) == {("Namespace", None, "acme-prod")}  # 30 days, the class keeps 14
    finding = findings[("Namespace", None, "acme-prod")]
    assert finding.monthly_waste is None
    assert finding.as_json()["monthly_waste"] is None
    assert (
        "log-retention-exceeds-class: monthly waste unknown: needs facts no source provides: "
        "log_bytes_per_day" in review.notes
    )
    unknown = [f.monthly_waste is None for f in review.findings]
    assert unknown == sorted(unknown)  # after every known amount


def test_labels_missing_finds_unowned_namespaces_that_run_something(review: Review) -> None:
    findings = found(review, "labels-missing")
    assert set(findings) == {("Namespace", None, "acme-migration")}
    finding = findings[("Namespace", None, "acme-migration")]
    assert finding.tenant == "acme"  # by its name
    assert "acme" in finding.message
    assert finding.monthly_waste == 0


def test_quota_missing_only_for_tenant_namespaces(review: Review) -> None:
    assert names(review, "quota-missing") == {("Namespace", None, "bolt-prod")}


def test_limits_missing_unless_a_limit_range_gives_them(review: Review) -> None:
    assert names(review, "limits-missing") == {("Deployment", "acme-prod", "cron")}


def test_image_tag_mutable_on_every_workload_kind(review: Review) -> None:
    assert names(review, "image-tag-mutable") == {
        ("Deployment", "acme-prod", "web"),
        ("CronJob", "bolt-prod", "report"),
    }


def test_volume_orphaned_claims_and_released_volumes(review: Review) -> None:
    findings = found(review, "volume-orphaned")
    assert set(findings) == {
        ("PersistentVolumeClaim", "acme-prod", "old-files"),
        ("PersistentVolumeClaim", "acme-dev", "by-finished-pod"),
        ("PersistentVolume", None, "pvc-released"),
    }
    claim = findings[("PersistentVolumeClaim", "acme-prod", "old-files")]
    assert claim.rounded_waste == Decimal("5.00")  # 50 GiB of standard at 0.10 a GiB-month
    released = findings[("PersistentVolume", None, "pvc-released")]
    assert released.rounded_waste == Decimal("6.00")  # 30 GiB of fast at 0.20
    assert (released.tenant, released.environment) == ("bolt", "production")  # its claim's


def test_snapshot_stale_against_the_class_retention(review: Review) -> None:
    findings = found(review, "snapshot-stale")
    assert set(findings) == {("VolumeSnapshot", "acme-prod", "daily-old")}
    stale = findings[("VolumeSnapshot", "acme-prod", "daily-old")]
    assert stale.rounded_waste == Decimal("2.00")  # 40 GiB at 0.05 a GiB-month


def test_quota_beyond_entitlement_with_its_money(review: Review) -> None:
    findings = found(review, "quota-beyond-entitlement")
    assert set(findings) == {("ResourceQuota", "acme-prod", "tenant-quota")}
    excess = findings[("ResourceQuota", "acme-prod", "tenant-quota")]
    assert excess.rounded_waste == 2 * CPU_HOUR * MONTH  # 2 cores over: 43.80


def test_hpa_beyond_entitlement_at_max_replicas(review: Review) -> None:
    findings = found(review, "hpa-beyond-entitlement")
    assert set(findings) == {("HorizontalPodAutoscaler", "bolt-prod", "web")}
    # 10 replicas x (1 core, 2 GiB) against 8 cores and 32 GiB: 2 cores over, memory fits
    excess = findings[("HorizontalPodAutoscaler", "bolt-prod", "web")]
    assert excess.rounded_waste == 2 * CPU_HOUR * MONTH


def test_nonprod_no_sleep_schedule_only_where_the_class_sleeps(review: Review) -> None:
    # acme-dev has its SleepInfo; bolt-staging's class never sleeps; production is exempt
    assert names(review, "nonprod-no-sleep-schedule") == set()


def test_nonprod_no_sleep_schedule_money(tmp_path: Path) -> None:
    objects = [
        namespace("acme-dev", "acme", "development"),
        deployment("acme-dev", "web", container("500m", "1Gi"), replicas=2),
    ]
    directory = write_manifests(tmp_path / "repo", objects)
    policies = [p.policy for p in pack_policies() if p.policy.id == "nonprod-no-sleep-schedule"]
    findings = found(govern_manifests(directory, catalog(), policies, at=AT), policies[0].id)
    asleep = Decimal(168 - 5 * 12) / 168  # weekday nights and weekends
    hourly = 2 * (Decimal("0.5") * CPU_HOUR + 1 * GIB_HOUR)
    waste = findings[("Namespace", None, "acme-dev")].monthly_waste
    assert waste is not None
    assert abs(waste - hourly * MONTH * asleep) < Decimal("1e-12")


def test_ingress_no_tls(review: Review) -> None:
    assert names(review, "ingress-no-tls") == {("IngressRoute", "acme-dev", "odoo")}


def test_ingress_no_rate_limit_follows_chains_and_namespaces(review: Review) -> None:
    assert names(review, "ingress-no-rate-limit") == {
        ("IngressRoute", "acme-dev", "odoo"),
        ("IngressRoute", "bolt-staging", "odoo"),
    }


def test_without_a_catalog_entitlement_policies_are_skipped(tmp_path: Path) -> None:
    directory = write_manifests(tmp_path / "repo", OBJECTS)
    review = govern_manifests(directory, None, [p.policy for p in pack_policies()], at=AT)
    reasons = skipped(review)
    assert "entitled_snapshot_retention" in reasons["snapshot-stale"]
    assert "entitled_cpu" in reasons["quota-beyond-entitlement"]
    assert names(review, "image-tag-mutable") == {
        ("Deployment", "acme-prod", "web"),
        ("CronJob", "bolt-prod", "report"),
    }
    assert all(f.currency == "EUR" for f in review.findings)
