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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from costplane.actions import (
    DEFAULT_MAX_RESOURCES,
    Action,
    AuditLog,
    Change,
    Cluster,
    Execution,
    HeadsFile,
    LiveCluster,
    ManifestObjects,
    ObjectRef,
    Objects,
    Plan,
    ProductionGuard,
    Target,
    action_types,
    apply_plan,
    check_brake,
    current_actor,
    due_namespaces,
    heads_path,
    make_action,
    namespace_targets,
    plan_action,
    priced,
    read_targets,
    refreshed,
    require_namespaces,
    write_gitops,
)
from costplane.actions.timetable import DEFAULT_WINDOW
from costplane.catalog import Catalog
from costplane.errors import ExecutionError, InputError
from costplane.service import Project
from costplane.sources.kubernetes.live import connect
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


@dataclass
class Options:
    """What every acting command shares: where objects come from and what to do with the plan."""

    manifests: Path | None
    apply: bool
    gitops: Path | None
    max_resources: int
    by: str | None
    kubeconfig: Path | None
    context: str | None
    in_cluster: bool
    now: dt.datetime
    output: OutputFormat
    _cluster: Cluster | None = field(default=None, repr=False)
    _manifests: ManifestObjects | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.apply and self.gitops is not None:
            raise InputError("--apply and --gitops exclude each other: change the cluster or git")
        if self.max_resources < 0:
            raise InputError("--max-resources must be 0 or more")

    def cluster(self) -> Cluster:
        if self._cluster is None:
            try:
                connected = connect(
                    kubeconfig=self.kubeconfig, context=self.context, in_cluster=self.in_cluster
                )
            except InputError as error:
                if self.kubeconfig is not None or self.in_cluster:
                    raise
                raise InputError(
                    f"no cluster to read objects from ({error}): point at manifests with "
                    "--manifests DIR, or at a cluster with --kubeconfig FILE (or $KUBECONFIG, "
                    "~/.kube/config) and --context NAME, or --in-cluster inside a pod"
                ) from None
            self._cluster = LiveCluster(connected.api, connected.target)
        return self._cluster

    def source(self) -> str:
        """Where objects are read, for messages."""
        if self.manifests is not None:
            return f"the manifests in {self.manifests}"
        return f"the cluster {self.cluster().target}"

    def objects(self) -> Objects:
        """Where targets are read: the manifests if given, else the cluster."""
        if self.manifests is None:
            return self.cluster()
        if self._manifests is None:
            self._manifests = ManifestObjects(self.manifests)
        return self._manifests


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
    options = Options(
        manifests,
        apply,
        gitops,
        max_resources,
        by,
        kubeconfig,
        context,
        in_cluster,
        _moment(now),
        output,
    )
    action = make_action(action_name, _params(param))
    if targets_file is None and not namespace:
        raise InputError("give a FILE of findings or targets, or --namespace")
    kinds = kind or sorted(action.kinds)
    if namespace and not kinds:
        raise InputError(f"{action.name} acts on any kind: say which with --kind")
    catalog = _optional_catalog(project_of(ctx))
    guard = ProductionGuard.of(catalog, allowed=allow_production)
    if action.touches_cluster:
        guard.check_namespaces(action.name, namespace)
    targets: list[Target] = []
    if targets_file is not None:
        spread = action.kinds if action.namespace_wide else ()
        targets += read_targets(targets_file, _Lazy(options.objects), spread)
    if namespace:
        require_namespaces(options.objects(), namespace, kinds, options.source())
        targets += namespace_targets(options.objects(), namespace, kinds)
    if action.touches_cluster:
        guard.check_targets(action, targets)
    if catalog is not None:
        savings = [action.saving(target, catalog.price_sheet) for target in targets]
        targets = priced(targets, savings, catalog.currency)
    _show([_act(ctx, action, targets, options)], output)


def _optional_catalog(project: Project) -> Catalog | None:
    """The project's catalog when it has one: production namespaces and list prices."""
    if not project.settings.catalog_path.exists():
        return None
    return project.catalog()


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
    options = Options(
        manifests,
        apply,
        gitops,
        max_resources,
        by,
        kubeconfig,
        context,
        in_cluster,
        _moment(now),
        output,
    )
    catalog = project_of(ctx).catalog()
    limit = None if window == 0 else dt.timedelta(minutes=window)
    due = due_namespaces(catalog, options.now, limit, namespace)
    done = []
    for event in ("sleep", "wake"):
        spaces = [d.namespace for d in due if d.event == event]
        if spaces:
            action = make_action(event)
            found = namespace_targets(options.objects(), spaces, action.kinds, f"scheduled {event}")
            done.append(_act(ctx, action, found, options))
    if not done:
        err_console.print("no namespace is due to sleep or wake now", markup=False)
        if output is OutputFormat.JSON:
            emit_json([])
        return
    _show(done, output)


class _Lazy:
    """Objects read on first use: a targets file of whole objects needs no cluster."""

    def __init__(self, source: Callable[[], Objects]) -> None:
        self._source = source
        self._objects: Objects | None = None

    def _get(self) -> Objects:
        if self._objects is None:
            self._objects = self._source()
        return self._objects

    def read(self, ref: ObjectRef) -> dict[str, Any] | None:
        return self._get().read(ref)

    def list(self, kind: str, namespace: str) -> list[dict[str, Any]]:
        return self._get().list(kind, namespace)


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param {pair!r}: expected KEY=VALUE")
        params[key] = value
    return params


@dataclass(frozen=True)
class _Done:
    """One action's plan and what became of it, ready to print."""

    plan: Plan
    mode: str  # dry-run | gitops | apply
    execution: Execution | None = None
    files: tuple[str, ...] = ()


def _audit_log(project: Project) -> AuditLog:
    """The project's audit log, each entry's head noted in its heads file as well."""
    return AuditLog(project.state(), HeadsFile(heads_path(project.settings.data_dir)))


def _act(ctx: typer.Context, action: Action, targets: list[Target], options: Options) -> _Done:
    if options.apply and action.touches_cluster:
        targets = refreshed(targets, options.cluster())  # plan against what is live now
    plan = plan_action(action, targets, options.now)
    if options.gitops is not None:
        written = write_gitops(plan, options.gitops, targets)
        return _Done(plan, "gitops", files=tuple(str(p) for p in written))
    if not options.apply:
        return _Done(plan, "dry-run")
    check_brake(plan, options.max_resources)
    cluster = options.cluster() if action.touches_cluster and plan.cluster_changes else None
    execution = apply_plan(
        plan,
        action,
        cluster=cluster,
        audit=_audit_log(project_of(ctx)),
        actor=current_actor(options.by),
        max_resources=options.max_resources,
    )
    return _Done(plan, "apply", execution)


def _show(done: Sequence[_Done], output: OutputFormat) -> None:
    """Print each plan or its outcome; JSON is one document (a list when several actions ran)."""
    if output is OutputFormat.JSON:
        documents = [_document(d) for d in done]
        emit_json(documents[0] if len(documents) == 1 else documents)
    else:
        for item in done:
            _render(item, output)
    for item in done:
        if item.execution is not None and item.execution.stopped:
            raise ExecutionError(f"stopped: {item.execution.stopped}")
    failed = sum(d.execution.failed for d in done if d.execution is not None)
    if failed:
        raise ExecutionError(f"{failed} changes failed (see the result column)")


def _document(done: _Done) -> dict[str, Any]:
    document: dict[str, Any] = {
        "action": done.plan.action,
        "mode": done.mode,
        "changes": _rows(done),
        "skipped": _skipped_rows(done.plan),
        "monthly_amount": done.plan.monthly_amount,
    }
    if done.mode == "gitops":
        document["files"] = list(done.files)
    if done.execution is not None:
        document["failed"] = done.execution.failed
        document["stopped"] = done.execution.stopped
    return document


def _rows(done: _Done) -> list[dict[str, Any]]:
    if done.execution is None:
        return [_change_row(c) for c in done.plan.changes]
    return [
        {**_change_row(o.change), "result": o.detail, "ok": o.ok, "audit_entry": o.intent_id}
        for o in done.execution.outcomes
    ]


def _render(done: _Done, output: OutputFormat) -> None:
    plan = done.plan
    columns = RESULT_COLUMNS if done.execution is not None else PLAN_COLUMNS
    render(_rows(done), columns, output, title=f"{plan.action}: {done.mode}")
    if plan.skipped and output is OutputFormat.TABLE:
        render(_skipped_rows(plan), SKIPPED_COLUMNS, output, title="left alone")
    if done.mode == "gitops":
        err_console.print(
            f"wrote {len(done.files)} files: " + ", ".join(done.files), markup=False, soft_wrap=True
        )
    elif done.mode == "dry-run":
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


def _change_row(change: Change) -> dict[str, Any]:
    return {
        "action": change.action,
        "kind": change.kind,
        "namespace": change.namespace,
        "name": change.name,
        "change": change.summary,
        "monthly_amount": change.monthly_amount,
        "currency": change.currency,
        "reason": change.reason,
        "patch": change.patch,
        "before": change.before,
        "after": change.after,
    }


def _skipped_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"kind": s.kind, "namespace": s.namespace, "name": s.name, "reason": s.reason}
        for s in plan.skipped
    ]
