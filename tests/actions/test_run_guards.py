"""`costplane act run` as the issue asks: suppressed findings left alone (a webhook never
hears of them), production refused without --allow-production, a namespace that is not
there refused, a missing cluster explained, a namespace finding slept workload by
workload, and every saving change priced with its currency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.actions.conftest import RunCli, cronjob, deployment, snapshot
from tests.actions.test_notify import Webhook, webhook  # noqa: F401  (the fixture)
from tests.price_sheet import PRICE_SHEET

CATALOG = (
    """
currency: EUR
service_classes:
  standard:
    tenancy: shared
    quota:
      production: {cpu: "2", memory: 4Gi}
      development: {cpu: "1", memory: 2Gi}
    database_band_gib: {min_gib: 0, max_gib: 20}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: 500
"""
    + PRICE_SHEET
    + """tenants:
  - id: acme
    name: Acme Wholesale
    service_class: standard
    region: eu-central-1
    contracts: [{start: 2026-01-01}]
    environments:
      production: {namespaces: [acme-prod]}
      development: {namespaces: [acme-dev]}
"""
)
NIGHT = "2026-01-06T19:00:00+00:00"


def sized(obj: dict[str, Any], cpu: str, memory: str) -> dict[str, Any]:
    """The workload with one container requesting `cpu` and `memory`."""
    [container] = obj["spec"]["template"]["spec"]["containers"]
    container["resources"] = {"requests": {"cpu": cpu, "memory": memory}}
    return obj


def manifests(tmp_path: Path) -> Path:
    """acme-dev: web (2 x 500m, 1Gi) and cron; acme-prod: web (1 x 1, 2Gi) and a snapshot."""
    directory = tmp_path / "gitops"
    directory.mkdir()
    items = [
        sized(deployment("odoo-web", 2, "acme-dev"), "500m", "1Gi"),
        cronjob("odoo-cron", namespace="acme-dev"),
        sized(deployment("odoo-web", 1, "acme-prod"), "1", "2Gi"),
        snapshot("filestore-old", "acme-prod"),
    ]
    for index, item in enumerate(items):
        (directory / f"{index}.json").write_text(json.dumps(item))
    return directory


@pytest.fixture
def project(cli: RunCli) -> RunCli:
    (cli.home / "costplane.yaml").write_text(CATALOG)  # type: ignore[attr-defined]
    return cli


def finding(kind: str, namespace: str | None, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "policy": "nonprod-idle",
        "severity": "high",
        "resource": {"kind": kind, "namespace": namespace, "name": name},
        "tenant": "acme",
        "environment": "development",
        "monthly_waste": "30.00",
        "currency": "EUR",
        "message": "unused for 7 days",
        "fix": "sleep it",
        "fingerprint": f"fp-{name}",
        "status": "open",
        "suppressed_until": None,
        **extra,
    }


def write(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(items))
    return path


def test_a_namespace_plan_prices_each_saving_change_with_its_currency(
    project: RunCli, tmp_path: Path
) -> None:
    """2 replicas x (0.5 core x 0.03 + 1 GiB x 0.004) x 730 h = 27.74 EUR a month."""
    result = project(
        "act", "run", "sleep", "-n", "acme-dev", "--manifests", str(manifests(tmp_path)),
        "--now", NIGHT, "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    changes = {c["kind"]: c for c in plan["changes"]}
    web = changes["Deployment"]
    assert (web["change"], web["monthly_amount"], web["currency"]) == (
        "replicas 2 → 0",
        "27.74",
        "EUR",
    )
    assert plan["monthly_amount"] == "27.74"
    table = project(
        "act", "run", "sleep", "-n", "acme-dev", "--manifests", str(tmp_path / "gitops"),
        "--now", NIGHT,
    )  # fmt: skip
    assert "27.74 EUR a month" in table.stderr


def test_a_namespace_finding_is_slept_workload_by_workload(project: RunCli, tmp_path: Path) -> None:
    path = write(tmp_path, [finding("Namespace", None, "acme-dev")])
    result = project(
        "act", "run", "sleep", str(path), "--manifests", str(manifests(tmp_path)),
        "--now", NIGHT, "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert sorted((c["kind"], c["namespace"], c["name"]) for c in plan["changes"]) == [
        ("CronJob", "acme-dev", "odoo-cron"),
        ("Deployment", "acme-dev", "odoo-web"),
    ]
    assert {c["currency"] for c in plan["changes"]} == {"EUR"}
    assert plan["monthly_amount"] == "27.74"


def test_a_suppressed_finding_is_left_alone_and_never_sent(
    project: RunCli,
    tmp_path: Path,
    webhook: Webhook,  # noqa: F811
) -> None:
    path = write(
        tmp_path,
        [
            finding("Deployment", "acme-dev", "odoo-web"),
            finding(
                "CronJob", "acme-dev", "odoo-cron", status="suppressed",
                suppressed_until="2099-12-31",
            ),
        ],
    )  # fmt: skip
    sleep = project(
        "act", "run", "sleep", str(path), "--manifests", str(manifests(tmp_path)),
        "--now", NIGHT, "-o", "json",
    )  # fmt: skip
    assert sleep.exit_code == 0, sleep.stderr
    plan = json.loads(sleep.stdout)
    assert [c["name"] for c in plan["changes"]] == ["odoo-web"]
    assert plan["skipped"] == [
        {
            "kind": "CronJob",
            "namespace": "acme-dev",
            "name": "odoo-cron",
            "reason": "suppressed finding (until 2099-12-31)",
        }
    ]
    notify = project(
        "act", "run", "notify", str(path), "--manifests", str(tmp_path / "gitops"),
        "-p", f"url={webhook.url}", "--apply",
    )  # fmt: skip
    assert notify.exit_code == 0, notify.stderr
    [request] = webhook.received
    assert [f["fingerprint"] for f in request["body"]["findings"]] == ["fp-odoo-web"]


def test_production_is_refused_without_allow_production(project: RunCli, tmp_path: Path) -> None:
    gitops = manifests(tmp_path)
    refused = project("act", "run", "sleep", "-n", "acme-prod", "--manifests", str(gitops))
    assert refused.exit_code == 2
    assert "production namespace acme-prod" in refused.stderr
    assert "--allow-production" in refused.stderr
    assert refused.stdout == ""

    path = write(tmp_path, [finding("VolumeSnapshot", "acme-prod", "filestore-old")])
    by_file = project("act", "run", "delete-snapshot", str(path), "--manifests", str(gitops))
    assert by_file.exit_code == 2
    assert "production namespace acme-prod" in by_file.stderr

    allowed = project(
        "act", "run", "sleep", "-n", "acme-prod", "--manifests", str(gitops),
        "--allow-production", "-o", "json",
    )  # fmt: skip
    assert allowed.exit_code == 0, allowed.stderr
    [change] = json.loads(allowed.stdout)["changes"]
    assert (change["namespace"], change["monthly_amount"], change["currency"]) == (
        "acme-prod",
        "27.74",  # 1 x (1 x 0.03 + 2 x 0.004) x 730
        "EUR",
    )
    report = project("act", "run", "report", str(path), "--manifests", str(gitops))
    assert report.exit_code == 0, "a report changes nothing: production is not refused"


def test_a_namespace_that_does_not_exist_is_exit_2(project: RunCli, tmp_path: Path) -> None:
    gitops = manifests(tmp_path)
    result = project("act", "run", "sleep", "-n", "acme-staging", "--manifests", str(gitops))
    assert result.exit_code == 2
    assert "namespace 'acme-staging' does not exist" in result.stderr
    assert str(gitops) in result.stderr


def test_without_manifests_or_kubeconfig_the_error_says_how_to_point_at_one(
    project: RunCli, tmp_path: Path
) -> None:
    empty_home = tmp_path / "nobody"
    empty_home.mkdir()
    result = project(
        "act", "run", "sleep", "-n", "acme-dev",
        env={"HOME": str(empty_home), "KUBECONFIG": ""},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--manifests DIR" in result.stderr
    assert "--kubeconfig FILE" in result.stderr
