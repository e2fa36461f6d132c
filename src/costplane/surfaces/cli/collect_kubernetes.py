"""`costplane collect kubernetes`: a cluster's objects into the warehouse's inventory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from costplane.catalog import LabelKeys
from costplane.errors import InputError
from costplane.service import Project
from costplane.sources import Collected
from costplane.sources.kubernetes import collect_live, collect_manifests
from costplane.surfaces.cli.collect import app, run_collector
from costplane.surfaces.cli.output import Column, OutputFormat, console, err_console, render
from costplane.surfaces.cli.project import project_of

KIND_COLUMNS = [Column("kind"), Column("objects", numeric=True)]


@app.command("kubernetes")
def kubernetes(
    ctx: typer.Context,
    kubeconfig: Path | None = typer.Option(
        None,
        "--kubeconfig",
        dir_okay=False,
        help="Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
    ),
    context: str | None = typer.Option(
        None, "--context", help="Kubeconfig context (default: the current one)."
    ),
    in_cluster: bool = typer.Option(
        False,
        "--in-cluster",
        help="Use the pod's service account (run inside the cluster; see "
        "deploy/kubernetes/base/rbac.yaml).",
    ),
    manifests: Path | None = typer.Option(
        None,
        "--manifests",
        file_okay=False,
        exists=True,
        help="Read YAML/JSON manifests or `kubectl get -o json` exports here instead of a cluster.",
    ),
    cluster: str | None = typer.Option(
        None,
        "--cluster",
        help="The cluster's name in the warehouse (default: the kubeconfig context's cluster, "
        '"in-cluster", or the manifests directory\'s name).',
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Snapshot a cluster's objects, tied to tenants by the catalog's label keys.

    Read-only (see deploy/kubernetes/base/rbac.yaml); kinds not served or denied are skipped
    and reported."""
    if manifests is not None and (kubeconfig or context or in_cluster):
        raise InputError(
            "--manifests reads files: it does not go with --kubeconfig, --context or --in-cluster"
        )
    if in_cluster and (kubeconfig or context):
        raise InputError(
            "--in-cluster uses the pod's service account: drop --kubeconfig and --context"
        )
    project = project_of(ctx)
    labels = _labels(project)

    def collect() -> Collected:
        if manifests is not None:
            return collect_manifests(manifests, labels, cluster=cluster)
        return collect_live(
            labels, kubeconfig=kubeconfig, context=context, in_cluster=in_cluster, cluster=cluster
        )

    target = _target(manifests, kubeconfig, context, in_cluster, cluster)
    run_collector(project, "kubernetes", target, collect, output, _table)


def _labels(project: Project) -> LabelKeys:
    """The catalog's label keys; the defaults when the project has no catalog yet."""
    if not project.settings.catalog_path.exists():
        err_console.print(
            f"{project.settings.catalog_path}: no catalog; tenants are read from the default "
            "label keys (costplane.io/tenant, ...)",
            markup=False,
        )
        return LabelKeys()
    return project.catalog().labels


def _target(
    manifests: Path | None,
    kubeconfig: Path | None,
    context: str | None,
    in_cluster: bool,
    cluster: str | None,
) -> str:
    """How `costplane sources status` names this run's target: the cluster, as loaded."""
    if cluster:
        return cluster
    if manifests is not None:
        return manifests.resolve().name
    if in_cluster:
        return "in-cluster"
    from costplane.sources.kubernetes import context_cluster  # the client, when needed

    return context_cluster(kubeconfig, context) or f"context {context or '(current)'}"


def _table(summary: dict[str, Any]) -> None:
    rows = [{"kind": kind, "objects": count} for kind, count in summary["kinds"].items()]
    render(rows, KIND_COLUMNS, OutputFormat.TABLE, title=f"cluster {summary['cluster']}")
    tenants = ", ".join(summary["tenants"]) or "none"
    console.print(
        f"{summary['objects']:,} objects; tenants: {tenants}; namespaced objects without a "
        f"tenant: {summary['namespaced_without_tenant']:,}",
        markup=False,
        soft_wrap=True,
    )
    if summary.get("ignored"):
        ignored = ", ".join(f"{kind} {count:,}" for kind, count in summary["ignored"].items())
        console.print(
            f"not read from the files (other kinds, Services that are not load balancers): "
            f"{ignored}",
            markup=False,
            soft_wrap=True,
        )
