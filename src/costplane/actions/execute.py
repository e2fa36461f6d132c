"""Applying a plan: the brake, then each change audited before and after it runs.

Nothing happens when more resources would change than `max_resources` allows:
the whole plan is refused (exit 2) before the first entry is written. A change
the API server refuses (a conflict, a vanished object, RBAC) is recorded as
failed and the others go on; losing the cluster or the webhook stops the run
after recording that failure, so the log never claims more than happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costplane.actions.audit_log import AuditLog
from costplane.actions.change import Applied, Change, Plan
from costplane.actions.cluster import ChangeRefusedError, Cluster
from costplane.actions.registry import Action
from costplane.errors import InputError, ServiceUnavailableError

DEFAULT_MAX_RESOURCES = 20


class BrakeError(InputError):
    """The plan would change more resources than allowed; nothing was changed."""


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    detail: str
    intent_id: int | None = None


@dataclass(frozen=True)
class Execution:
    """The outcome of each change that was attempted, and what stopped the run, if anything."""

    outcomes: tuple[Outcome, ...]
    stopped: str | None = None

    @property
    def failed(self) -> int:
        return sum(not o.ok for o in self.outcomes)


def check_brake(plan: Plan, max_resources: int) -> None:
    count = len(plan.cluster_changes)
    if count > max_resources:
        raise BrakeError(
            f"{plan.action} would change {count} resources, more than --max-resources "
            f"{max_resources}: nothing was changed (raise the limit, or narrow the targets)"
        )


def apply_plan(
    plan: Plan,
    action: Action,
    *,
    cluster: Cluster | None,
    audit: AuditLog,
    actor: str,
    max_resources: int = DEFAULT_MAX_RESOURCES,
) -> Execution:
    """Carry out `plan` with `action`, writing each change's intent first and result after."""
    check_brake(plan, max_resources)
    batches = [plan.changes] if action.batched else [(c,) for c in plan.changes]
    outcomes: list[Outcome] = []
    for batch in batches:
        if not batch:
            continue
        intents = [audit.record_intent(c, actor) if action.audited else None for c in batch]
        stopped = None
        try:
            results = action.execute(batch, cluster)
        except ChangeRefusedError as error:
            results = [Applied(f"failed: {error}")] * len(batch)
        except ServiceUnavailableError as error:
            results, stopped = [Applied(f"failed: {error}")] * len(batch), str(error)
        outcomes += _record(audit, action, actor, batch, intents, results)
        if stopped is not None:
            return Execution(tuple(outcomes), stopped)
    return Execution(tuple(outcomes))


def _record(
    audit: AuditLog,
    action: Action,
    actor: str,
    batch: Sequence[Change],
    intents: Sequence[int | None],
    results: Sequence[Applied],
) -> list[Outcome]:
    outcomes = []
    for change, intent, applied in zip(batch, intents, results, strict=True):
        ok = not applied.detail.startswith("failed:")
        if action.audited and intent is not None:
            audit.record_result(
                intent, change, actor, ok=ok, detail=applied.detail, observed=applied.observed
            )
        outcomes.append(Outcome(change, ok, applied.detail, intent))
    return outcomes
