"""`costplane govern` and `costplane findings`, run as a user runs them (CliRunner on a small
app holding the two commands, with the real error handling): the GitOps pull-request
check without a warehouse, the JSON shape, bad policy files, and the findings lifecycle
through the commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.price_sheet import PRICE_SHEET
from typer.testing import CliRunner

from costplane.service import Project
from costplane.settings import Settings
from costplane.sources import inventory_table
from costplane.surfaces.cli import findings, govern
from costplane.surfaces.cli.app import CostplaneGroup
from costplane.warehouse import Load, connect_warehouse

CATALOG = (
    """
currency: EUR
service_classes:
  standard:
    tenancy: shared
    quota:
      production: {cpu: "2", memory: 4Gi}
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
"""
)
KEYS = {
    "policy",
    "severity",
    "resource",
    "tenant",
    "environment",
    "monthly_waste",
    "currency",
    "message",
    "fix",
    "fingerprint",
    "status",
    "suppressed_until",
    "evidence",
}
TAKEN = dt.datetime(2026, 11, 1)


def orphaned_claim(name: str = "old-files", size: str = "100Gi") -> dict[str, Any]:
    """A bound claim nothing mounts, as the API server returns it: 100 GiB at 0.10 a
    GiB-month is 10.00 a month."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": name,
            "namespace": "acme-prod",
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": {"storageClassName": "standard", "resources": {"requests": {"storage": size}}},
        "status": {"phase": "Bound", "capacity": {"storage": size}},
    }


def objects(*, with_route: bool = True, log_days: str | None = None) -> list[dict[str, Any]]:
    meta = {"namespace": "acme-prod", "creationTimestamp": "2026-01-01T00:00:00Z"}
    annotations = {"costplane.io/log-retention-days": log_days} if log_days else {}
    found: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": "acme-prod",
                "labels": {"costplane.io/tenant": "acme", "costplane.io/environment": "production"},
                "annotations": annotations,
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q", **meta},
            "spec": {"hard": {"requests.cpu": "2", "requests.memory": "4Gi"}},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", **meta},
            "spec": {
                "replicas": 1,
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "odoo",
                                "image": "odoo:latest",
                                "resources": {
                                    "requests": {"cpu": "1", "memory": "1Gi"},
                                    "limits": {"cpu": "1", "memory": "1Gi"},
                                },
                            }
                        ]
                    }
                },
            },
        },
    ]
    if with_route:
        found.append(
            {
                "apiVersion": "traefik.io/v1alpha1",
                "kind": "IngressRoute",
                "metadata": {"name": "odoo", **meta},
                "spec": {"entryPoints": ["web"], "routes": [{"match": "Host(`a`)"}]},
            }
        )
    return found


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("COSTPLANE_HOME", "COSTPLANE_STATE_URL", "COSTPLANE_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COSTPLANE_ACTOR", "ci-bot")
    project = tmp_path / "project"
    project.mkdir()
    (project / "costplane.yaml").write_text(CATALOG)
    return project


def repo(root: Path, items: list[dict[str, Any]]) -> Path:
    directory = root / "gitops"
    directory.mkdir(exist_ok=True)
    for path in directory.iterdir():
        path.unlink()
    for index, item in enumerate(items):
        (directory / f"{index}.json").write_text(json.dumps(item))
    return directory


def run(home: Path, *args: str) -> Any:
    app = typer.Typer(cls=CostplaneGroup)

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = Project(settings=Settings(home=home))

    app.command("govern")(govern.govern)
    app.add_typer(findings.app, name="findings")
    return CliRunner().invoke(app, list(args))


def load_inventory(home: Path, items: list[dict[str, Any]], taken: dt.datetime) -> None:
    url = f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}"
    (home / ".costplane").mkdir(exist_ok=True)
    with connect_warehouse(url) as warehouse:
        from costplane.catalog import parse_catalog

        rows = inventory_table(
            items, cluster="c1", taken_at=taken, labels=parse_catalog(CATALOG).labels
        )
        warehouse.ingest([Load("inventory_snapshots", "test", "c1", taken, taken, rows)])


def test_the_pull_request_check_fails_at_the_severity_asked(home: Path) -> None:
    manifests = repo(home.parent, objects())
    result = run(home, "govern", "--manifests", str(manifests), "--fail-on", "high", "-o", "json")
    assert result.exit_code == 3, result.stderr
    documents = json.loads(result.stdout)
    assert all(set(d) == KEYS for d in documents)
    by_policy = {d["policy"]: d for d in documents}
    assert set(by_policy) == {"image-tag-mutable", "ingress-no-tls", "ingress-no-rate-limit"}
    tls = by_policy["ingress-no-tls"]
    assert tls["resource"] == {"kind": "IngressRoute", "namespace": "acme-prod", "name": "odoo"}
    assert (tls["tenant"], tls["environment"], tls["severity"]) == ("acme", "production", "high")
    assert (tls["monthly_waste"], tls["currency"], tls["status"]) == ("0.00", "EUR", "open")
    assert len(tls["fingerprint"]) == 64
    assert tls["fix"]
    assert "note: skipped 13 policies" in result.stderr
    assert "1 finding at or above high" in result.stderr
    assert not (home / ".costplane").exists(), "the check needs no warehouse and no state store"


def test_the_check_passes_when_nothing_reaches_the_severity(home: Path) -> None:
    manifests = repo(home.parent, objects(with_route=False))
    result = run(home, "govern", "--manifests", str(manifests), "--fail-on", "high")
    assert result.exit_code == 0, result.stderr
    assert "image-tag-mutable" in result.stdout


def test_money_needing_the_warehouse_is_unknown_not_a_skip(home: Path) -> None:
    """log-retention-exceeds-class filters on the catalog but prices with the warehouse's log
    volume: without a warehouse it still finds, with an unknown amount, listed last."""
    manifests = repo(home.parent, objects(log_days="30"))  # the class keeps 14 days
    result = run(home, "govern", "--manifests", str(manifests), "-o", "json", "--verbose")
    assert result.exit_code == 0, result.stderr
    documents = json.loads(result.stdout)
    logs = documents[-1]
    assert logs["policy"] == "log-retention-exceeds-class"
    assert logs["resource"] == {"kind": "Namespace", "namespace": None, "name": "acme-prod"}
    assert logs["monthly_waste"] is None
    assert all(d["monthly_waste"] == "0.00" for d in documents[:-1])
    assert (
        "note: log-retention-exceeds-class: monthly waste unknown: needs facts no source "
        "provides: log_bytes_per_day" in result.stderr
    )
    assert "skipped log-retention-exceeds-class" not in result.stderr
    assert "skipped nonprod-idle: needs facts no source provides" in result.stderr  # filters

    table = run(home, "govern", "--manifests", str(manifests), "-o", "csv")
    [row] = [line for line in table.stdout.splitlines() if "log-retention" in line]
    assert row.split(",")[7] == ""  # monthly_waste: blank, not 0 and not None
    shown = run(home, "govern", "--manifests", str(manifests))
    assert "None" not in shown.stdout
    assert shown.stdout.count("0.00") == len(documents) - 1


def test_a_bad_policy_file_exits_2_naming_file_and_line(home: Path) -> None:
    bad = home.parent / "policies"
    bad.mkdir()
    (bad / "mine.yaml").write_text(
        "id: mine\ndescription: x\nresource: Deployment\nseverity: urgent\n"
    )
    manifests = repo(home.parent, objects())
    result = run(home, "govern", "--manifests", str(manifests), "--policies", str(bad))
    assert result.exit_code == 2
    assert f"{bad / 'mine.yaml'}:4:" in result.stderr
    assert result.stdout == ""


def test_a_policy_action_the_actions_do_not_take_exits_2_before_governing(home: Path) -> None:
    rules = home.parent / "policies"
    rules.mkdir()
    (rules / "mine.yaml").write_text(
        "id: mine\ndescription: x\nresource: Deployment\nseverity: low\n"
        "actions:\n  - {type: notify, url: https://hooks.example.com/x, channel: ops}\n"
    )
    manifests = repo(home.parent, objects())
    result = run(home, "govern", "--manifests", str(manifests), "--policies", str(rules))
    assert result.exit_code == 2
    assert f"{rules / 'mine.yaml'}:6: policy mine: actions[0]: unknown key 'channel'" in (
        result.stderr
    )
    assert result.stdout == ""


def test_csv_has_one_row_per_finding(home: Path) -> None:
    manifests = repo(home.parent, objects())
    result = run(home, "govern", "--manifests", str(manifests), "-o", "csv")
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith(
        "policy,severity,kind,namespace,name,tenant,environment,monthly_waste"
    )
    assert len(lines) == 4


def test_findings_are_kept_acknowledged_suppressed_and_resolved(home: Path) -> None:
    load_inventory(home, objects(), TAKEN)
    first = run(home, "govern", "-o", "json")
    assert first.exit_code == 0, first.stderr
    documents = {d["policy"]: d for d in json.loads(first.stdout)}
    assert {"image-tag-mutable", "ingress-no-tls"} <= set(documents)
    assert "3 new, 0 reopened, 0 resolved" in first.stderr
    tls = documents["ingress-no-tls"]["fingerprint"]
    image = documents["image-tag-mutable"]["fingerprint"]

    acked = run(home, "findings", "ack", tls[:8], "-o", "json")
    assert acked.exit_code == 0, acked.stderr
    assert json.loads(acked.stdout)["acknowledged_by"] == "ci-bot"
    hidden = run(
        home,
        "findings",
        "suppress",
        image[:8],
        "--until",
        "2099-12-31",
        "--reason",
        "base image is rebuilt nightly",
        "--by",
        "ana",
        "-o",
        "json",
    )
    assert hidden.exit_code == 0, hidden.stderr
    shown = json.loads(run(home, "findings", "show", image[:12], "-o", "json").stdout)
    assert (shown["status"], shown["suppressed_by"], shown["suppressed_until"]) == (
        "suppressed",
        "ana",
        "2099-12-31",
    )
    listed = json.loads(run(home, "findings", "list", "-o", "json").stdout)
    assert {d["policy"]: d["status"] for d in listed} == {
        "ingress-no-tls": "acknowledged",
        "ingress-no-rate-limit": "open",
    }
    # The fingerprint `findings suppress <fingerprint>` asks for is in the listing.
    assert {d["fingerprint"] for d in listed} == {
        documents["ingress-no-tls"]["fingerprint"],
        documents["ingress-no-rate-limit"]["fingerprint"],
    }

    load_inventory(home, objects(with_route=False), TAKEN + dt.timedelta(days=1))
    second = run(home, "govern", "--fail-on", "low", "-o", "json")
    assert second.exit_code == 0, "only a suppressed finding is left"
    assert "0 new, 0 reopened, 2 resolved" in second.stderr
    every = json.loads(run(home, "findings", "list", "--all", "-o", "json").stdout)
    assert {d["policy"]: d["status"] for d in every} == {
        "ingress-no-tls": "resolved",
        "ingress-no-rate-limit": "resolved",
        "image-tag-mutable": "suppressed",
    }


def test_unknown_finding_is_an_input_error(home: Path) -> None:
    load_inventory(home, objects(), TAKEN)
    assert run(home, "govern").exit_code == 0
    for reference in ("0123456789", "9" * 30, "²"):  # no id: beyond a SQL integer, no number
        result = run(home, "findings", "show", reference)
        assert result.exit_code == 2, reference
        assert "no finding" in result.stderr, reference


def test_an_empty_warehouse_is_said_so(home: Path) -> None:
    result = run(home, "govern", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "no Kubernetes inventory" in result.stderr


def test_a_suppressed_finding_is_neither_listed_counted_priced_nor_failed_on(home: Path) -> None:
    load_inventory(home, [*objects(), orphaned_claim()], TAKEN)
    first = run(home, "govern", "-o", "json")
    documents = {d["policy"]: d for d in json.loads(first.stdout)}
    orphan = documents["volume-orphaned"]
    assert (orphan["monthly_waste"], orphan["severity"]) == ("10.00", "medium")
    assert "4 findings (1 high, 2 medium, 1 low)" in first.stderr
    assert "monthly waste 10.00 EUR" in first.stderr
    for policy in ("volume-orphaned", "ingress-no-tls", "ingress-no-rate-limit"):
        suppressed = run(
            home, "findings", "suppress", documents[policy]["fingerprint"][:10],
            "--until", "2099-12-31", "--reason", "migration in December",
        )  # fmt: skip
        assert suppressed.exit_code == 0, suppressed.stderr

    again = run(home, "govern", "-o", "json", "--fail-on", "medium")
    assert again.exit_code == 0, again.stderr
    assert [d["policy"] for d in json.loads(again.stdout)] == ["image-tag-mutable"]
    assert "1 finding (1 low)" in again.stderr
    assert "monthly waste 0.00 EUR" in again.stderr
    assert "3 suppressed, not counted" in again.stderr
    table = run(home, "govern")
    assert "old-files" not in table.stdout
    assert "image-tag-mutable" in table.stdout
    csv = run(home, "govern", "-o", "csv")
    assert len(csv.stdout.strip().splitlines()) == 2

    shown = run(home, "govern", "--show-suppressed", "-o", "json", "--fail-on", "medium")
    assert shown.exit_code == 0, "suppressed findings shown still do not fail the check"
    marked = {d["policy"]: d for d in json.loads(shown.stdout)}
    assert (marked["volume-orphaned"]["status"], marked["volume-orphaned"]["suppressed_until"]) == (
        "suppressed",
        "2099-12-31",
    )
    assert marked["image-tag-mutable"]["suppressed_until"] is None
    assert "monthly waste 0.00 EUR" in shown.stderr
    shown_csv = run(home, "govern", "--show-suppressed", "-o", "csv").stdout
    [claim] = [line for line in shown_csv.splitlines() if "old-files" in line]
    assert ",suppressed,2099-12-31," in claim
    shown_table = run(home, "govern", "--show-suppressed", "--output", "table")
    [row] = [line for line in shown_table.stdout.splitlines() if "old-files" in line]
    assert "suppressed until" in row


def test_skipped_policies_are_counted_on_one_line_and_named_with_verbose(home: Path) -> None:
    manifests = repo(home.parent, objects())
    quiet = run(home, "govern", "--manifests", str(manifests))
    skipped = [line for line in quiet.stderr.splitlines() if "skipped" in line]
    assert skipped == [
        "note: skipped 13 policies for facts no source here provides (--verbose names them)"
    ]
    loud = run(home, "govern", "--manifests", str(manifests), "--verbose")
    named = [line for line in loud.stderr.splitlines() if line.startswith("note: skipped ")]
    assert len(named) == 13
    assert "note: skipped requests-oversized: needs facts no source provides:" in loud.stderr


def test_findings_show_gives_the_evidence_and_the_history(home: Path) -> None:
    load_inventory(home, [*objects(), orphaned_claim()], TAKEN)
    documents = {d["policy"]: d for d in json.loads(run(home, "govern", "-o", "json").stdout)}
    claim = documents["volume-orphaned"]
    evidence = claim["evidence"]
    assert evidence.pop("storage").startswith("0.000136986301369863")  # 0.10/730 per GiB-hour
    assert evidence == {
        "claim_request": str(100 * 2**30),
        "claim_size": str(100 * 2**30),
        "volume_size": "0",
    }
    reference = claim["fingerprint"][:10]
    assert run(home, "findings", "ack", reference, "--by", "ana").exit_code == 0
    suppressed = run(
        home, "findings", "suppress", reference, "--until", "2099-12-31",
        "--reason", "kept for the audit", "--by", "bob",
    )  # fmt: skip
    assert suppressed.exit_code == 0, suppressed.stderr
    load_inventory(home, objects(), TAKEN + dt.timedelta(days=1))  # the claim is deleted
    assert run(home, "govern").exit_code == 0

    shown = json.loads(run(home, "findings", "show", reference, "-o", "json").stdout)
    assert shown["evidence"]["claim_size"] == str(100 * 2**30)
    assert [(h["status"], h["by"], h["reason"]) for h in shown["history"]] == [
        ("open", "govern", "found"),
        ("acknowledged", "ana", None),
        ("suppressed", "bob", "until 2099-12-31: kept for the audit"),
        ("resolved", "govern", "no longer found"),
    ]
    assert all(h["at"] for h in shown["history"])
    table = run(home, "findings", "show", reference).stdout
    assert "evidence: claim_size" in table
    assert "suppressed by bob: until 2099-12-31: kept for the audit" in table
