"""`costplane act` and `costplane audit` as a user runs them (the groups under a test root)."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from pathlib import Path
from typing import Any

from tests.actions.conftest import NAMESPACE, RunCli, cronjob, deployment, statefulset
from tests.kubeapi import write_kubeconfig

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"
NIGHT = "2026-01-06T19:00:00+00:00"


def _workloads() -> list[dict[str, Any]]:
    return [deployment("odoo-web", 3), statefulset("odoo-queue", 2), cronjob("odoo-cron")]


def _targets_file(tmp_path: Path) -> Path:
    path = tmp_path / "targets.json"
    path.write_text(
        json.dumps(
            [
                {
                    "object": deployment("odoo-web", 3),
                    "monthly_amount": "41.20",
                    "currency": "EUR",
                    "reason": "idle",
                },
                {"object": cronjob("odoo-cron"), "monthly_amount": 0.75, "currency": "EUR"},
            ]
        )
    )
    return path


def test_act_list_names_the_built_in_actions(cli: RunCli) -> None:
    result = cli("act", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {
        "report",
        "notify",
        "annotate",
        "mark-for-op",
        "sleep",
        "wake",
        "delete-snapshot",
        "patch",
    } <= names


def test_a_dry_run_prints_the_plan_and_touches_nothing(cli: RunCli, tmp_path: Path) -> None:
    result = cli("act", "run", "sleep", str(_targets_file(tmp_path)), "--now", NIGHT, "-o", "json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert (plan["action"], plan["mode"], plan["monthly_amount"]) == ("sleep", "dry-run", "41.95")
    assert [(c["name"], c["change"], c["monthly_amount"]) for c in plan["changes"]] == [
        ("odoo-web", "replicas 3 → 0", "41.20"),
        ("odoo-cron", "suspend (unset) → true", "0.75"),
    ]
    assert plan["changes"][0]["patch"]["spec"] == {"replicas": 0}
    assert plan["changes"][0]["before"]["spec"] == {"replicas": 3}
    table = cli("act", "run", "sleep", str(_targets_file(tmp_path)), "--now", NIGHT)
    assert "odoo-web" in table.stdout
    assert "replicas 3 → 0" in table.stdout
    assert "41.20" in table.stdout
    assert "dry-run: nothing changed (2 changes planned, 41.95 EUR a month)" in table.stderr
    assert not (cli.home / ".costplane" / "state.db").exists()  # type: ignore[attr-defined]


def test_gitops_mode_writes_patches_from_manifests(cli: RunCli, tmp_path: Path) -> None:
    manifests = tmp_path / "base"
    manifests.mkdir()
    (manifests / "workloads.yaml").write_text(
        "\n---\n".join(json.dumps(o) for o in _workloads())  # JSON is YAML
    )
    out = tmp_path / "overlay"
    result = cli(
        "act",
        "run",
        "sleep",
        "-n",
        NAMESPACE,
        "--manifests",
        str(manifests),
        "--gitops",
        str(out),
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["files"]) == 4
    assert (out / "patches/sleep/acme-dev/statefulset-odoo-queue.yaml").is_file()
    assert (
        "patches/sleep/acme-dev/cronjob-odoo-cron.yaml" in (out / "kustomization.yaml").read_text()
    )


def test_apply_changes_the_cluster_and_the_audit_log_verifies(
    cli: RunCli, kube_api: Any, tmp_path: Path
) -> None:
    server = kube_api(_workloads())
    kubeconfig = str(write_kubeconfig(tmp_path / "kubeconfig", server))
    result = cli(
        "act",
        "run",
        "sleep",
        "-n",
        NAMESPACE,
        "--kubeconfig",
        kubeconfig,
        "--apply",
        "--by",
        "alice",
        "--now",
        NIGHT,
    )
    assert result.exit_code == 0, result.stderr
    assert "patched (resourceVersion" in result.stdout
    assert server.get("Deployment", "odoo-web", NAMESPACE)["spec"]["replicas"] == 0
    assert len(server.requests_for("PATCH")) == 3

    listed = json.loads(cli("audit", "list", "-o", "json").stdout)
    assert len(listed) == 6
    assert {e["actor"] for e in listed} == {"alice"}
    assert [e["phase"] for e in listed[:2]] == ["result", "intent"]
    assert listed[1]["name"] == "odoo-queue"  # the newest intent: StatefulSets come last
    assert listed[1]["patch"]["spec"] == {"replicas": 0}
    assert listed[0]["prev_hash"] == listed[1]["hash"]
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.stderr
    assert verified.stdout.startswith("audit log: 6 entries, intact; head 6:")

    again = cli(
        "act",
        "run",
        "wake",
        "-n",
        NAMESPACE,
        "--kubeconfig",
        kubeconfig,
        "--apply",
        "-o",
        "json",
        env={"COSTPLANE_ACTOR": "wake-cronjob"},
    )
    assert again.exit_code == 0, again.stderr
    assert [c["ok"] for c in json.loads(again.stdout)["changes"]] == [True, True, True]
    assert server.get("StatefulSet", "odoo-queue", NAMESPACE)["spec"]["replicas"] == 2
    assert (
        json.loads(cli("audit", "list", "--limit", "1", "-o", "json").stdout)[0]["actor"]
        == "wake-cronjob"
    )


def test_the_brake_exits_2_and_changes_nothing(cli: RunCli, kube_api: Any, tmp_path: Path) -> None:
    server = kube_api(_workloads())
    kubeconfig = str(write_kubeconfig(tmp_path / "kubeconfig", server))
    result = cli(
        "act",
        "run",
        "sleep",
        "-n",
        NAMESPACE,
        "--kubeconfig",
        kubeconfig,
        "--apply",
        "--max-resources",
        "2",
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: sleep would change 3 resources, more than --max-resources 2: nothing was changed "
        "(raise the limit, or narrow the targets)"
    )
    assert server.requests_for("PATCH") == []
    assert "no Costplane project here" in cli("audit", "list").stderr  # nothing written


def test_a_forbidden_change_exits_1_after_the_others_went_through(
    cli: RunCli, kube_api: Any, tmp_path: Path
) -> None:
    server = kube_api(_workloads(), forbidden={"cronjobs"})
    server.forbidden = set()
    kubeconfig = str(write_kubeconfig(tmp_path / "kubeconfig", server))
    targets = _targets_file(tmp_path)
    server.forbidden = {"cronjobs"}
    result = cli("act", "run", "sleep", str(targets), "--kubeconfig", kubeconfig, "--apply")
    # the targets are re-read from the cluster first: the forbidden cronjob cannot even be read
    assert result.exit_code == 1
    assert "forbidden" in result.stderr
    assert server.requests_for("PATCH") == []


def test_bad_input_is_one_line_and_exit_2(cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"object": ')
    result = cli("act", "run", "sleep", str(broken))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {broken}:1:")
    no_kind = tmp_path / "no-kind.json"
    no_kind.write_text(
        json.dumps([{"object": deployment("a")}, {"object": {"metadata": {"name": "b"}}}])
    )
    result = cli("act", "run", "sleep", str(no_kind))
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"error: {no_kind}: item 2: object: a Kubernetes object needs kind and metadata.name",
    )
    money = tmp_path / "money.json"
    money.write_text(json.dumps([{"object": deployment("a"), "monthly_amount": "twelve"}]))
    assert (
        "item 1: monthly_amount: not a decimal amount"
        in cli("act", "run", "sleep", str(money)).stderr
    )
    money.write_text(json.dumps([{"object": deployment("a"), "monthly_amount": "1." + "3" * 40}]))
    assert (
        "item 1: monthly_amount: an amount of at most 40 characters"
        in cli("act", "run", "sleep", str(money)).stderr
    )
    both = cli(
        "act",
        "run",
        "sleep",
        str(_targets_file(tmp_path)),
        "--apply",
        "--gitops",
        str(tmp_path / "g"),
    )
    assert both.exit_code == 2
    assert "exclude each other" in both.stderr
    assert cli("act", "run", "sleep").exit_code == 2
    assert (
        "expected KEY=VALUE"
        in cli("act", "run", "annotate", str(_targets_file(tmp_path)), "-p", "x").stderr
    )


def test_an_unreachable_cluster_is_one_line_naming_it(cli: RunCli, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: lab\n"
        f"clusters: [{{name: lab-cluster, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
        "users: [{name: u, user: {token: not-printed-token}}]\n"
        "contexts: [{name: lab, context: {cluster: lab-cluster, user: u}}]\n"
    )
    result = cli("act", "run", "sleep", "-n", NAMESPACE, "--kubeconfig", str(kubeconfig))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "lab-cluster" in result.stderr
    assert "connection refused" in result.stderr.lower()
    assert "not-printed-token" not in result.stderr


def test_audit_verify_exits_3_and_names_an_edited_entry(
    cli: RunCli, kube_api: Any, tmp_path: Path
) -> None:
    server = kube_api(_workloads())
    kubeconfig = str(write_kubeconfig(tmp_path / "kubeconfig", server))
    assert (
        cli("act", "run", "sleep", "-n", NAMESPACE, "--kubeconfig", kubeconfig, "--apply").exit_code
        == 0
    )
    database = cli.home / ".costplane" / "state.db"  # type: ignore[attr-defined]
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")
    result = cli("audit", "verify")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0].startswith(
        "edited: entry 2: its content does not match its hash"
    )
    assert "TAMPERED (1 problems)" in result.stdout
    document = json.loads(cli("audit", "verify", "-o", "json").stdout)
    assert (document["intact"], document["tampering"][0]["entry_id"]) == (False, 2)
    assert cli("audit", "verify", "--anchor", "nonsense").exit_code == 2


def test_schedule_sleeps_the_due_non_production_namespaces(cli: RunCli, tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLE, cli.home / "costplane.yaml")  # type: ignore[attr-defined]
    manifests = tmp_path / "cluster"
    manifests.mkdir()
    for namespace in ("kontor-buero-staging", "kontor-buero-prod"):
        (manifests / f"{namespace}.json").write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "List",
                    "items": [
                        deployment("odoo", 2, namespace),
                        cronjob("cron", namespace=namespace),
                    ],
                }
            )
        )
    friday_evening = "2026-01-09T20:05:00+01:00"
    result = cli(
        "act", "schedule", "--manifests", str(manifests), "--now", friday_evening, "-o", "json"
    )
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["action"] == "sleep"
    assert {(c["namespace"], c["name"]) for c in plan["changes"]} == {
        ("kontor-buero-staging", "odoo"),
        ("kontor-buero-staging", "cron"),
    }
    late = cli(
        "act",
        "schedule",
        "--manifests",
        str(manifests),
        "--now",
        "2026-01-09T23:00:00+01:00",
        "-o",
        "json",
    )
    assert (late.exit_code, json.loads(late.stdout)) == (0, [])
    assert "no namespace is due" in late.stderr


def test_findings_are_completed_from_manifests_and_keep_their_money(
    cli: RunCli, tmp_path: Path
) -> None:
    manifests = tmp_path / "repo"
    manifests.mkdir()
    (manifests / "web.yaml").write_text(json.dumps(deployment("odoo-web", 3)))
    findings = tmp_path / "findings.json"
    findings.write_text(
        json.dumps(
            {
                "findings": [
                    {
                        "policy": "nonprod-no-sleep-schedule",
                        "severity": "low",
                        "resource": {"kind": "Deployment", "namespace": NAMESPACE, "name": name},
                        "monthly_waste": "19.99",
                        "currency": "EUR",
                        "message": "awake all night",
                    }
                    for name in ("odoo-web", "deleted-last-week")
                ]
            }
        )
    )
    result = cli("act", "run", "report", str(findings), "--manifests", str(manifests), "-o", "json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert [
        (c["name"], c["monthly_amount"], c["currency"], c["change"]) for c in plan["changes"]
    ] == [("odoo-web", "19.99", "EUR", "awake all night")]
    assert plan["skipped"] == [
        {
            "kind": "Deployment",
            "namespace": NAMESPACE,
            "name": "deleted-last-week",
            "reason": "not found",
        }
    ]
