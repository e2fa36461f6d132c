"""`costplane act`: plan an action on Kubernetes objects, write it as GitOps patches, or apply it.

Dry-run is the default: the plan (per resource, the change and the money) is
printed and nothing is touched. `--gitops DIR` writes Kustomize patches
instead; `--apply` changes the cluster, refusing outright when more resources
would change than `--max-resources`, and writes every change to the audit log
before and after it runs. Targets come from a JSON file of findings or targets,
or from `--namespace` (its objects of the action's kinds); `act schedule` picks
sleep or wake per namespace from the catalog's sleep schedules. An action that changes
the cluster is refused on the catalog's production namespaces without
`--allow-production`; a change no finding priced is priced at the catalog's price sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import typer

from costplane.actions import DEFAULT_MAX_RESOURCES, DEFAULT_WINDOW, action_types
from costplane.errors import ExecutionError, InputError
from costplane.service import (
    Acted,
    ActOptions,
    ClusterAccess,
    Mode,
    RunRequest,
    ScheduleRequest,
    acting_failure,
    run_action,
    run_schedule,
)
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Plan, write as GitOps patches, or apply actions (dry-run by default).")

PLAN_COLUMNS = [
    Column("action"),
    Column("kind"),
    Column("namespace"),
    Column("name"),
    Column("change"),
    Column("monthly_amount", "monthly", numeric=True),
    Column("currency"),
]
RESULT_COLUMNS = [*PLAN_COLUMNS[:5], Column("result"), *PLAN_COLUMNS[5:]]
SKIPPED_COLUMNS = [Column("kind"), Column("namespace"), Column("name"), Column("reason")]
ACTION_COLUMNS = [Column("name"), Column("kinds"), Column("parameters"), Column("summary")]


def options_of(
    *,
    manifests: Path | None,
    apply: bool,
    gitops: Path | None,
    max_resources: int,
    by: str | None,
    kubeconfig: Path | None,
    context: str | None,
    in_cluster: bool,
    now: str | None,
) -> ActOptions:
    """The acting flags every command shares, as the operations take them."""
    moment = _moment(now)
    if apply and gitops is not None:
        raise InputError("--apply and --gitops exclude each other: change the cluster or git")
    mode = Mode.GITOPS if gitops is not None else Mode.APPLY if apply else Mode.DRY_RUN
    return ActOptions(
        now=moment,
        mode=mode,
        gitops=gitops,
        manifests=manifests,
        cluster=ClusterAccess(kubeconfig, context, in_cluster),
        max_resources=max_resources,
        by=by,
    )


def _moment(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--now: not an ISO 8601 date and time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


MANIFESTS = typer.Option(
    None,
    "--manifests",
    file_okay=False,
    exists=True,
    help="Read objects from this directory of YAML/JSON manifests instead of the cluster.",
)
APPLY = typer.Option(False, "--apply", help="Change the cluster (default: dry-run).")
GITOPS = typer.Option(
    None,
    "--gitops",
    file_okay=False,
    help="Write each change as a Kustomize patch in this directory; the cluster is not touched.",
)
MAX_RESOURCES = typer.Option(
    DEFAULT_MAX_RESOURCES,
    "--max-resources",
    metavar="N",
    help="With --apply: refuse (exit 2, nothing changed) if more than N resources would change.",
)
BY = typer.Option(
    None, "--by", help="Who acts, for the audit log (default: $COSTPLANE_ACTOR, else the login)."
)
KUBECONFIG = typer.Option(
    None, "--kubeconfig", dir_okay=False, help="Kubeconfig (default: ~/.kube/config)."
)
CONTEXT = typer.Option(None, "--context", help="Kubeconfig context (default: the current one).")
IN_CLUSTER = typer.Option(False, "--in-cluster", help="Use the pod's service account.")
NOW = typer.Option(None, "--now", help="Plan as of this ISO 8601 time (default: now).")
OUTPUT = typer.Option(OutputFormat.TABLE, "--output", "-o")


@app.command("list")
def list_actions(output: OutputFormat = OUTPUT) -> None:
    """The action types: built in, and any registered by plug-ins."""
    rows = [
        {
            "name": name,
            "kinds": ", ".join(sorted(kind.kinds)) or "any",
            "parameters": ", ".join(kind.parameters) or "",
            "summary": kind.summary,
        }
        for name, kind in action_types().items()
    ]
    render(rows, ACTION_COLUMNS, output, title="actions")


@app.command("run")
def run(
    ctx: typer.Context,
    action_name: str = typer.Argument(..., metavar="ACTION", help="See `costplane act list`."),
    targets_file: Path | None = typer.Argument(
        None,
        metavar="[FILE]",
        dir_okay=False,
        exists=True,
        help="JSON: findings (`costplane govern -o json`), targets or Kubernetes objects.",
    ),
    namespace: list[str] = typer.Option(
        [], "--namespace", "-n", help="Act on this namespace's objects (repeatable)."
    ),
    kind: list[str] = typer.Option(
        [], "--kind", help="With --namespace: these kinds (default: the kinds the action acts on)."
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", metavar="KEY=VALUE", help="An action parameter (repeatable)."
    ),
    manifests: Path | None = MANIFESTS,
    apply: bool = APPLY,
    gitops: Path | None = GITOPS,
    max_resources: int = MAX_RESOURCES,
    by: str | None = BY,
    kubeconfig: Path | None = KUBECONFIG,
    context: str | None = CONTEXT,
    in_cluster: bool = IN_CLUSTER,
    now: str | None = NOW,
    allow_production: bool = typer.Option(
        False,
        "--allow-production",
        help="Let an action that changes the cluster act on production namespaces (the "
        "catalog's production environments); refused without it.",
    ),
    output: OutputFormat = OUTPUT,
) -> None:
    """Run ACTION on the targets in FILE and/or the objects of --namespace.

    A suppressed finding in FILE is left alone; a Namespace finding stands for the
    namespace's objects of the action's kinds."""
    options = options_of(
        manifests=manifests,
        apply=apply,
        gitops=gitops,
        max_resources=max_resources,
        by=by,
        kubeconfig=kubeconfig,
        context=context,
        in_cluster=in_cluster,
        now=now,
    )
    request = RunRequest(
        action=action_name,
        params=_params(param),
        targets_file=targets_file,
        namespaces=tuple(namespace),
        kinds=tuple(kind),
        allow_production=allow_production,
    )
    _show([run_action(project_of(ctx), request, options)], output)


@app.command("schedule")
def schedule(
    ctx: typer.Context,
    namespace: list[str] = typer.Option(
        [], "--namespace", "-n", help="Only these namespaces (default: all the catalog schedules)."
    ),
    window: int = typer.Option(
        int(DEFAULT_WINDOW.total_seconds() // 60),
        "--window",
        metavar="MINUTES",
        help="Act on a sleep or wake-up scheduled within the last MINUTES; 0: enforce the "
        "current state whenever it runs.",
    ),
    manifests: Path | None = MANIFESTS,
    apply: bool = APPLY,
    gitops: Path | None = GITOPS,
    max_resources: int = MAX_RESOURCES,
    by: str | None = BY,
    kubeconfig: Path | None = KUBECONFIG,
    context: str | None = CONTEXT,
    in_cluster: bool = IN_CLUSTER,
    now: str | None = NOW,
    output: OutputFormat = OUTPUT,
) -> None:
    """Sleep or wake non-production namespaces as their service class's schedule says.

    Run it from a CronJob every few minutes with --apply: like kube-green it acts at the
    scheduled moments, so a namespace someone woke by hand stays awake until the next
    scheduled sleep."""
    options = options_of(
        manifests=manifests,
        apply=apply,
        gitops=gitops,
        max_resources=max_resources,
        by=by,
        kubeconfig=kubeconfig,
        context=context,
        in_cluster=in_cluster,
        now=now,
    )
    limit = None if window == 0 else dt.timedelta(minutes=window)
    request = ScheduleRequest(namespaces=tuple(namespace), window=limit)
    done = run_schedule(project_of(ctx), request, options)
    if not done:
        err_console.print("no namespace is due to sleep or wake now", markup=False)
        if output is OutputFormat.JSON:
            emit_json([])
        return
    _show(done, output)


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param {pair!r}: expected KEY=VALUE")
        params[key] = value
    return params


def _show(done: Sequence[Acted], output: OutputFormat) -> None:
    """Print each plan or its outcome; JSON is one document (a list when several actions ran)."""
    if output is OutputFormat.JSON:
        documents = [d.document() for d in done]
        emit_json(documents[0] if len(documents) == 1 else documents)
    else:
        for item in done:
            _render(item, output)
    failure = acting_failure(done)
    if failure is not None:
        raise ExecutionError(failure)


def _render(done: Acted, output: OutputFormat) -> None:
    plan = done.plan
    columns = RESULT_COLUMNS if done.execution is not None else PLAN_COLUMNS
    render(done.rows(), columns, output, title=f"{plan.action}: {done.mode}")
    if plan.skipped and output is OutputFormat.TABLE:
        render(done.skipped_rows(), SKIPPED_COLUMNS, output, title="left alone")
    if done.mode is Mode.GITOPS:
        err_console.print(
            f"wrote {len(done.files)} files: " + ", ".join(done.files), markup=False, soft_wrap=True
        )
    elif done.mode is Mode.DRY_RUN:
        currencies = sorted({c.currency for c in plan.changes if c.currency})
        money = " ".join([format(plan.monthly_amount, "f"), *currencies[:1]])
        if len(currencies) > 1:
            money = " + ".join(
                f"{sum(c.monthly_amount for c in plan.changes if c.currency == cur)} {cur}"
                for cur in currencies
            )
        err_console.print(
            f"dry-run: nothing changed ({len(plan.changes)} changes planned, "
            f"{money} a month); --apply acts, --gitops DIR writes patches",
            markup=False,
        )
