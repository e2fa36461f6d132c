"""Acting on Kubernetes objects: plan an action, write it as GitOps patches, or apply it.

`run_action` acts on the targets of a findings file and the objects of namespaces;
`run_schedule` sleeps or wakes the namespaces the catalog's schedules say are due.
Both plan with the actions stage; in `Mode.APPLY` the plan is checked against the brake
(`max_resources`) and every change is written to the project's audit log before and after
it runs. Objects come from manifests when given, else from the cluster, connected on
first use (a targets file of whole objects needs none).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from costplane.catalog import Catalog
from costplane.errors import InputError
from costplane.service.project import Project
from costplane.service.serialise import as_row
from costplane.sources.kubernetes import connect


class Mode(enum.StrEnum):
    """What becomes of a plan: shown only, written as Kustomize patches, or applied."""

    DRY_RUN = "dry-run"
    GITOPS = "gitops"
    APPLY = "apply"


@dataclass(frozen=True)
class ClusterAccess:
    """How to reach the cluster: a kubeconfig and context, or the pod's service account."""

    kubeconfig: Path | None = None
    context: str | None = None
    in_cluster: bool = False


@dataclass(frozen=True)
class ActOptions:
    """What every acting operation shares: where objects come from, what to do with a plan."""

    now: dt.datetime
    mode: Mode = Mode.DRY_RUN
    gitops: Path | None = None
    """With `Mode.GITOPS`: the directory the patches are written to."""
    manifests: Path | None = None
    """Read objects from these manifests instead of the cluster."""
    cluster: ClusterAccess = ClusterAccess()
    max_resources: int = DEFAULT_MAX_RESOURCES
    by: str | None = None
    """Who acts, for the audit log (default: $COSTPLANE_ACTOR, else the login)."""

    def __post_init__(self) -> None:
        if (self.mode is Mode.GITOPS) != (self.gitops is not None):
            raise InputError("GitOps mode, and only it, writes patches to a directory")
        if self.max_resources < 0:
            raise InputError("--max-resources must be 0 or more")


@dataclass(frozen=True)
class RunRequest:
    """`act run`: an action and its parameters, on a file's targets and/or namespaces."""

    action: str
    params: Mapping[str, str] = field(default_factory=dict)
    targets_file: Path | None = None
    """JSON: findings (`costplane govern -o json`), targets or Kubernetes objects."""
    namespaces: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    """With namespaces: these kinds (default: the kinds the action acts on)."""
    allow_production: bool = False


@dataclass(frozen=True)
class ScheduleRequest:
    """`act schedule`: the namespaces to consider (default all), and how far back a
    scheduled moment still counts (None: enforce the current state)."""

    namespaces: tuple[str, ...] = ()
    window: dt.timedelta | None = None


@dataclass(frozen=True)
class Acted:
    """One action's plan and what became of it."""

    plan: Plan
    mode: Mode
    execution: Execution | None = None
    files: tuple[str, ...] = ()

    def rows(self) -> list[dict[str, Any]]:
        """Each change (with its result once applied), as listings and documents show it."""
        if self.execution is None:
            return [change_row(c) for c in self.plan.changes]
        return [
            {**change_row(o.change), "result": o.detail, "ok": o.ok, "audit_entry": o.intent_id}
            for o in self.execution.outcomes
        ]

    def skipped_rows(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in as_row(s).items() if k != "action"} for s in self.plan.skipped]

    def document(self) -> dict[str, Any]:
        """The JSON document of `costplane act -o json`."""
        document: dict[str, Any] = {
            "action": self.plan.action,
            "mode": self.mode,
            "changes": self.rows(),
            "skipped": self.skipped_rows(),
            "monthly_amount": self.plan.monthly_amount,
        }
        if self.mode is Mode.GITOPS:
            document["files"] = list(self.files)
        if self.execution is not None:
            document["failed"] = self.execution.failed
            document["stopped"] = self.execution.stopped
        return document


def change_row(change: Change) -> dict[str, Any]:
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


def run_action(project: Project, request: RunRequest, options: ActOptions) -> Acted:
    """Plan the action on its targets, priced at the catalog's price sheet when the project
    has a catalog; refused on production namespaces unless allowed."""
    action = make_action(request.action, dict(request.params))
    if request.targets_file is None and not request.namespaces:
        raise InputError("give a FILE of findings or targets, or --namespace")
    kinds = list(request.kinds) or sorted(action.kinds)
    if request.namespaces and not kinds:
        raise InputError(f"{action.name} acts on any kind: say which with --kind")
    catalog = _optional_catalog(project)
    guard = ProductionGuard.of(catalog, allowed=request.allow_production)
    namespaces = list(request.namespaces)
    if action.touches_cluster:
        guard.check_namespaces(action.name, namespaces)
    source = _Source(options)
    targets: list[Target] = []
    if request.targets_file is not None:
        spread = action.kinds if action.namespace_wide else ()
        targets += read_targets(request.targets_file, _Lazy(source.objects), spread)
    if namespaces:
        require_namespaces(source.objects(), namespaces, kinds, source.where())
        targets += namespace_targets(source.objects(), namespaces, kinds)
    if action.touches_cluster:
        guard.check_targets(action, targets)
    if catalog is not None:
        savings = [action.saving(target, catalog.price_sheet) for target in targets]
        targets = priced(targets, savings, catalog.currency)
    return _act(project, action, targets, options, source)


def run_schedule(
    project: Project, request: ScheduleRequest, options: ActOptions
) -> tuple[Acted, ...]:
    """Sleep, then wake, the namespaces due now; nothing when none is due."""
    catalog = project.catalog()
    due = due_namespaces(catalog, options.now, request.window, list(request.namespaces))
    source = _Source(options)
    done = []
    for event in ("sleep", "wake"):
        spaces = [d.namespace for d in due if d.event == event]
        if spaces:
            action = make_action(event)
            found = namespace_targets(source.objects(), spaces, action.kinds, f"scheduled {event}")
            done.append(_act(project, action, found, options, source))
    return tuple(done)


def _optional_catalog(project: Project) -> Catalog | None:
    """The project's catalog when it has one: production namespaces and list prices."""
    if not project.settings.catalog_path.exists():
        return None
    return project.catalog()


def _act(
    project: Project, action: Action, targets: list[Target], options: ActOptions, source: _Source
) -> Acted:
    apply = options.mode is Mode.APPLY
    if apply and action.touches_cluster:
        targets = refreshed(targets, source.cluster())  # plan against what is live now
    plan = plan_action(action, targets, options.now)
    if options.gitops is not None:
        written = write_gitops(plan, options.gitops, targets)
        return Acted(plan, Mode.GITOPS, files=tuple(str(p) for p in written))
    if not apply:
        return Acted(plan, Mode.DRY_RUN)
    check_brake(plan, options.max_resources)
    cluster = source.cluster() if action.touches_cluster and plan.cluster_changes else None
    audit = AuditLog(project.state(), HeadsFile(heads_path(project.settings.data_dir)))
    execution = apply_plan(
        plan,
        action,
        cluster=cluster,
        audit=audit,
        actor=current_actor(options.by),
        max_resources=options.max_resources,
    )
    return Acted(plan, Mode.APPLY, execution)


class _Source:
    """Where objects are read: the manifests if given, else the cluster, connected once."""

    def __init__(self, options: ActOptions) -> None:
        self._options = options
        self._cluster: Cluster | None = None
        self._manifests: ManifestObjects | None = None

    def cluster(self) -> Cluster:
        if self._cluster is None:
            access = self._options.cluster
            try:
                connected = connect(
                    kubeconfig=access.kubeconfig,
                    context=access.context,
                    in_cluster=access.in_cluster,
                )
            except InputError as error:
                if access.kubeconfig is not None or access.in_cluster:
                    raise
                raise InputError(
                    f"no cluster to read objects from ({error}): point at manifests with "
                    "--manifests DIR, or at a cluster with --kubeconfig FILE (or $KUBECONFIG, "
                    "~/.kube/config) and --context NAME, or --in-cluster inside a pod"
                ) from None
            self._cluster = LiveCluster(connected.api, connected.target)
        return self._cluster

    def where(self) -> str:
        """Where objects are read, for messages."""
        if self._options.manifests is not None:
            return f"the manifests in {self._options.manifests}"
        return f"the cluster {self.cluster().target}"

    def objects(self) -> Objects:
        if self._options.manifests is None:
            return self.cluster()
        if self._manifests is None:
            self._manifests = ManifestObjects(self._options.manifests)
        return self._manifests


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


def acting_failure(done: Sequence[Acted]) -> str | None:
    """Why applying failed, if it did: a stop, or changes that failed."""
    for item in done:
        if item.execution is not None and item.execution.stopped:
            return f"stopped: {item.execution.stopped}"
    failed = sum(d.execution.failed for d in done if d.execution is not None)
    return f"{failed} changes failed (see the result column)" if failed else None
