"""`costplane drift`: what runs, or a GitOps repository, against what `render tenant` gives."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

import typer

from costplane.blueprint import DriftKind, ObjectDrift
from costplane.service import DriftRequest
from costplane.service import drift as drift_operation
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

FAILED_CHECK_EXIT_CODE = 3


class FailOn(enum.StrEnum):
    DRIFT = "drift"


COLUMNS = [
    Column("tenant"),
    Column("environment"),
    Column("drift"),
    Column("kind"),
    Column("namespace"),
    Column("name"),
    Column("fields"),
    Column("monthly_amount", "monthly", numeric=True),
]


def _shown(value: Any) -> str:
    if value is None:
        return "(absent)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def row_of(item: ObjectDrift) -> dict[str, Any]:
    fields = "; ".join(
        f"{change.path}: {_shown(change.rendered)} -> {_shown(change.actual)}"
        for change in item.fields
    )
    return {
        "tenant": item.tenant,
        "environment": item.environment,
        "drift": item.drift.value,
        "kind": item.kind,
        "namespace": item.namespace,
        "name": item.name,
        "fields": fields,
        "monthly_amount": item.monthly_amount,
    }


def drift(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, "--tenant", metavar="TENANT", help="One tenant."),
    manifests: Path | None = typer.Option(
        None,
        "--manifests",
        exists=True,
        file_okay=False,
        help="Compare this GitOps repository instead of the warehouse's latest inventory.",
    ),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help="Exit 3 when anything drifted (a pull-request check)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Missing, extra and changed objects against the tenants' rendering, each changed
    field, and the monthly money where the change alters cost. Fields the cluster sets
    (status, defaults) are not drift."""
    report = drift_operation(project_of(ctx), DriftRequest(tenant=tenant, manifests=manifests))
    for note in report.notes:
        err_console.print(note, markup=False)
    if output is OutputFormat.JSON:
        emit_json(report)
    else:
        render(
            [row_of(item) for item in report.drifts],
            COLUMNS,
            output,
            title=f"drift against render ({report.source}), {report.currency}",
        )
    counts = dict.fromkeys(DriftKind, 0)
    for item in report.drifts:
        counts[item.drift] += 1
    err_console.print(
        ", ".join(f"{counts[kind]} {kind.value}" for kind in DriftKind)
        + f" (of {report.objects_compared} rendered objects compared), "
        f"{report.monthly_amount} {report.currency} a month",
        markup=False,
    )
    if fail_on is FailOn.DRIFT and report.drifted:
        raise typer.Exit(FAILED_CHECK_EXIT_CODE)
