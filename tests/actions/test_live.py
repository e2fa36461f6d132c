"""Live actions with the official client against the loopback API server: requests checked."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from costplane.actions import (
    SLEEP_STATE,
    AuditLog,
    BrakeError,
    LiveCluster,
    Target,
    apply_plan,
    make_action,
    namespace_targets,
    plan_action,
    refreshed,
)
from costplane.actions.change import Applied, Change
from costplane.sources.kubernetes.live import connect
from tests.actions.conftest import NAMESPACE, cronjob, deployment, snapshot, statefulset
from tests.kubeapi import KubeAPIServer, write_kubeconfig

NIGHT = dt.datetime(2026, 1, 6, 19, 0, tzinfo=dt.UTC)
MORNING = dt.datetime(2026, 1, 7, 6, 0, tzinfo=dt.UTC)
MERGE_PATCH = "application/merge-patch+json"


def _workloads() -> list[dict[str, Any]]:
    return [
        deployment("odoo-web", 3),
        deployment("odoo-batch", 0),  # already stopped: never touched
        statefulset("odoo-queue", 2),
        cronjob("odoo-cron"),
        deployment("other-web", 2, namespace="other-dev"),  # another namespace
    ]


def _cluster(server: KubeAPIServer, tmp_path: Path) -> LiveCluster:
    connected = connect(kubeconfig=write_kubeconfig(tmp_path / "kubeconfig", server))
    return LiveCluster(connected.api, connected.target)


def _run(action: str, cluster: LiveCluster, log: AuditLog, now: dt.datetime, **kw: Any) -> Any:
    chosen = make_action(action)
    targets = namespace_targets(cluster, [NAMESPACE], chosen.kinds)
    plan = plan_action(chosen, targets, now)
    return plan, apply_plan(plan, chosen, cluster=cluster, audit=log, actor="alice", **kw)


def test_sleep_sends_one_merge_patch_per_workload_and_audits_each(
    kube_api: Any, tmp_path: Path, sqlite_store: Engine
) -> None:
    server = kube_api(_workloads())
    log = AuditLog(sqlite_store)
    plan, execution = _run("sleep", _cluster(server, tmp_path), log, NIGHT)

    patches = server.requests_for("PATCH")
    assert [r.path for r in patches] == [
        f"/apis/batch/v1/namespaces/{NAMESPACE}/cronjobs/odoo-cron",
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/odoo-web",
        f"/apis/apps/v1/namespaces/{NAMESPACE}/statefulsets/odoo-queue",
    ]
    assert {r.content_type for r in patches} == {MERGE_PATCH}
    web = patches[1].body
    assert web["spec"] == {"replicas": 0}
    assert json.loads(web["metadata"]["annotations"][SLEEP_STATE])["replicas"] == 3
    # conditional on the version planned against: a change made since is a 409, not overwritten
    planned = next(c for c in plan.changes if c.name == "odoo-web")
    assert web["metadata"]["resourceVersion"] == planned.resource_version != ""
    assert server.get("Deployment", "odoo-web", NAMESPACE)["spec"]["replicas"] == 0
    assert server.get("StatefulSet", "odoo-queue", NAMESPACE)["spec"]["replicas"] == 0
    assert server.get("CronJob", "odoo-cron", NAMESPACE)["spec"]["suspend"] is True
    assert server.get("Deployment", "other-web", "other-dev")["spec"]["replicas"] == 2
    assert [o.ok for o in execution.outcomes] == [True, True, True]
    assert [s.name for s in plan.skipped] == ["odoo-batch"]

    verification = log.verify()
    assert (verification.intact, verification.entries) == (True, 6)
    results = [e for e in log.entries() if e.phase == "result"]
    assert {e.actor for e in results} == {"alice"}
    web_result = next(e for e in results if e.name == "odoo-web")
    assert web_result.result == "ok"
    assert json.loads(web_result.after or "")["spec"] == {
        "replicas": 0
    }  # read back from the server


def test_wake_restores_what_sleep_saved_and_leaves_a_hand_scaled_workload_alone(
    kube_api: Any, tmp_path: Path, sqlite_store: Engine
) -> None:
    server = kube_api(_workloads())
    cluster = _cluster(server, tmp_path)
    log = AuditLog(sqlite_store)
    _run("sleep", cluster, log, NIGHT)
    # at 22:00 someone scales the queue up by hand
    queue = server.get("StatefulSet", "odoo-queue", NAMESPACE)
    queue["spec"]["replicas"] = 1
    server.add([queue])
    server.requests.clear()

    _plan, execution = _run("wake", cluster, log, MORNING)
    assert server.get("Deployment", "odoo-web", NAMESPACE)["spec"]["replicas"] == 3
    assert "suspend" not in server.get("CronJob", "odoo-cron", NAMESPACE)["spec"]
    woken_queue = server.get("StatefulSet", "odoo-queue", NAMESPACE)
    assert woken_queue["spec"]["replicas"] == 1
    assert SLEEP_STATE not in woken_queue["metadata"]["annotations"]
    queue_patch = next(r for r in server.requests_for("PATCH") if r.path.endswith("/odoo-queue"))
    assert "spec" not in queue_patch.body  # only the saved state is cleared
    assert server.get("Deployment", "odoo-batch", NAMESPACE)["spec"]["replicas"] == 0
    assert all(o.ok for o in execution.outcomes)
    assert log.verify().intact
    assert log.verify().entries == 12


def test_delete_snapshot_sends_a_delete_with_preconditions(
    kube_api: Any, tmp_path: Path, sqlite_store: Engine
) -> None:
    server = kube_api([snapshot("odoo-data-2025-03-01"), snapshot("odoo-data-2025-12-01")])
    cluster = _cluster(server, tmp_path)
    stale = cluster.read(Target(snapshot("odoo-data-2025-03-01")).ref)
    assert stale is not None
    target = Target(stale, Decimal("3.40"), "EUR", "older than the class's 7-day retention")
    plan = plan_action(make_action("delete-snapshot"), [target], NIGHT)
    execution = apply_plan(
        plan,
        make_action("delete-snapshot"),
        cluster=cluster,
        audit=AuditLog(sqlite_store),
        actor="bob",
    )
    (delete,) = server.requests_for("DELETE")
    assert delete.path == (
        f"/apis/snapshot.storage.k8s.io/v1/namespaces/{NAMESPACE}/volumesnapshots/odoo-data-2025-03-01"
    )
    assert delete.body["kind"] == "DeleteOptions"
    assert delete.body["preconditions"] == {
        "uid": stale["metadata"]["uid"],
        "resourceVersion": stale["metadata"]["resourceVersion"],
    }
    assert server.get("VolumeSnapshot", "odoo-data-2025-03-01", NAMESPACE) is None
    assert server.get("VolumeSnapshot", "odoo-data-2025-12-01", NAMESPACE) is not None
    assert [o.detail for o in execution.outcomes] == ["deleted"]
    intent = AuditLog(sqlite_store).entries()[-1]
    assert (intent.patch, intent.monthly_amount) == ("delete", "3.40")
    assert (
        json.loads(intent.before or "")["spec"]["source"]["persistentVolumeClaimName"]
        == "odoo-filestore"
    )


def test_the_brake_refuses_the_whole_plan_before_anything_happens(
    kube_api: Any, tmp_path: Path, sqlite_store: Engine
) -> None:
    server = kube_api(_workloads())
    log = AuditLog(sqlite_store)
    with pytest.raises(BrakeError, match="would change 3 resources, more than --max-resources 2"):
        _run("sleep", _cluster(server, tmp_path), log, NIGHT, max_resources=2)
    assert server.requests_for("PATCH") == []
    assert log.verify().entries == 0
    assert server.get("Deployment", "odoo-web", NAMESPACE)["spec"]["replicas"] == 3
    _plan, execution = _run("sleep", _cluster(server, tmp_path), log, NIGHT, max_resources=3)
    assert len(execution.outcomes) == 3


def test_a_refused_change_is_recorded_as_failed_and_the_others_go_on(
    kube_api: Any, tmp_path: Path, sqlite_store: Engine
) -> None:
    server = kube_api(_workloads())
    cluster = _cluster(server, tmp_path)
    targets = namespace_targets(cluster, [NAMESPACE], make_action("sleep").kinds)
    server.forbidden = {"statefulsets"}
    log = AuditLog(sqlite_store)
    plan = plan_action(make_action("sleep"), targets, NIGHT)
    execution = apply_plan(plan, make_action("sleep"), cluster=cluster, audit=log, actor="alice")
    by_name = {o.change.name: o for o in execution.outcomes}
    assert not by_name["odoo-queue"].ok
    assert "403 forbidden: grant patch on it" in by_name["odoo-queue"].detail
    assert by_name["odoo-web"].ok
    assert by_name["odoo-cron"].ok
    assert execution.failed == 1
    assert execution.stopped is None
    failed = [e for e in log.entries() if e.result == "failed"]
    assert [(e.name, e.phase) for e in failed] == [("odoo-queue", "result")]


def test_a_change_made_since_the_export_is_planned_against_the_live_object(
    kube_api: Any, tmp_path: Path
) -> None:
    server = kube_api(_workloads())
    cluster = _cluster(server, tmp_path)
    exported = Target(deployment("odoo-web", 3), Decimal("41.20"), "EUR")
    live = server.get("Deployment", "odoo-web", NAMESPACE)
    live["spec"]["replicas"] = 0
    server.add([live])
    (current,) = refreshed([exported], cluster)
    assert current.object["spec"]["replicas"] == 0
    assert current.monthly_amount == Decimal("41.20")
    plan = plan_action(make_action("sleep"), [current], NIGHT)
    assert plan.changes == ()
    assert plan.skipped[0].reason == "already at 0 replicas"
    (gone,) = refreshed([Target(deployment("deleted-meanwhile"))], cluster)
    assert gone.missing


def test_the_intent_is_in_the_log_before_the_cluster_is_touched(
    kube_api: Any, tmp_path: Path, sqlite_store: Engine
) -> None:
    server = kube_api(_workloads())
    log = AuditLog(sqlite_store)
    seen: list[tuple[str, str]] = []

    class Watched(LiveCluster):
        def apply(self, change: Change) -> Applied:
            newest = log.entries(limit=1)[0]
            seen.append((newest.phase, newest.name))
            return super().apply(change)

    connected = connect(kubeconfig=write_kubeconfig(tmp_path / "kubeconfig", server))
    _run("sleep", Watched(connected.api, connected.target), log, NIGHT)
    assert seen == [("intent", "odoo-cron"), ("intent", "odoo-web"), ("intent", "odoo-queue")]
