"""Actions: turning findings into planned changes, GitOps patches or audited live changes.

A `Target` (a Kubernetes object and the money it concerns) goes through an
`Action` (built in: report, notify, annotate, mark-for-op, sleep, wake,
delete-snapshot, patch; users register their own) to a `Plan` of `Change`s.
A plan is printed (dry-run, the default), written as Kustomize patches
(`write_gitops`), or applied to a cluster (`apply_plan`), each change written
to the hash-chained `AuditLog` before and after it runs.
"""

from costplane.actions import (  # noqa: F401  (importing registers the built-in actions)
    annotate,
    delete_snapshot,
    mark_for_op,
    notify,
    patch,
    report,
    sleep,
)
from costplane.actions.audit_chain import Anchor, Verification, canonical_json
from costplane.actions.audit_heads import HeadsFile, heads_path
from costplane.actions.audit_log import AuditLog, Decision, current_actor
from costplane.actions.change import Change, Plan, Skipped
from costplane.actions.cluster import Cluster, LiveCluster, ManifestObjects, Objects
from costplane.actions.execute import (
    DEFAULT_MAX_RESOURCES,
    BrakeError,
    Execution,
    apply_plan,
    check_brake,
)
from costplane.actions.gitops import write_gitops
from costplane.actions.mark_for_op import OP_ANNOTATION, MarkedOp, due_ops, marked_ops
from costplane.actions.merge_patch import apply_merge_patch
from costplane.actions.planner import plan_action
from costplane.actions.production import ProductionGuard
from costplane.actions.registry import (
    Action,
    ActionOptions,
    action_options,
    action_types,
    make_action,
    register_action,
)
from costplane.actions.savings import priced
from costplane.actions.schedule import is_asleep, last_transition, next_transition
from costplane.actions.sleep import SLEEP_STATE, sleep_state
from costplane.actions.target import ObjectRef, Target
from costplane.actions.targets import (
    namespace_targets,
    read_targets,
    refreshed,
    require_namespaces,
)
from costplane.actions.timetable import DEFAULT_WINDOW, due_namespaces

__all__ = [
    "DEFAULT_MAX_RESOURCES",
    "DEFAULT_WINDOW",
    "OP_ANNOTATION",
    "SLEEP_STATE",
    "Action",
    "ActionOptions",
    "Anchor",
    "AuditLog",
    "BrakeError",
    "Change",
    "Cluster",
    "Decision",
    "Execution",
    "HeadsFile",
    "LiveCluster",
    "ManifestObjects",
    "MarkedOp",
    "ObjectRef",
    "Objects",
    "Plan",
    "ProductionGuard",
    "Skipped",
    "Target",
    "Verification",
    "action_options",
    "action_types",
    "apply_merge_patch",
    "apply_plan",
    "canonical_json",
    "check_brake",
    "current_actor",
    "due_namespaces",
    "due_ops",
    "heads_path",
    "is_asleep",
    "last_transition",
    "make_action",
    "marked_ops",
    "namespace_targets",
    "next_transition",
    "plan_action",
    "priced",
    "read_targets",
    "refreshed",
    "register_action",
    "require_namespaces",
    "sleep_state",
    "write_gitops",
]
