"""A planned change to one object, what an action decided not to do, and a plan of both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from costplane.actions.merge_patch import apply_merge_patch, old_values
from costplane.actions.target import ObjectRef, Target

DELETE: Literal["delete"] = "delete"


@dataclass(frozen=True)
class Change:
    """One resource's change: a JSON merge patch, a delete, or None (nothing in the cluster).

    `before` holds the old values of exactly the fields the patch touches (the
    whole object for a delete), `after` their new values (`None` = removed), so
    the audit log can say what was there without keeping whole objects.
    """

    kind: str
    namespace: str
    name: str
    action: str
    patch: Mapping[str, Any] | Literal["delete"] | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    monthly_amount: Decimal
    currency: str = ""
    api_version: str = ""
    summary: str = ""
    reason: str = ""
    resource_version: str = ""  # the version planned against: live changes are conditional on it
    uid: str = ""
    finding: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name, self.api_version)

    @property
    def is_delete(self) -> bool:
        return self.patch == DELETE

    @property
    def merge_patch(self) -> Mapping[str, Any] | None:
        return self.patch if isinstance(self.patch, Mapping) else None


def patch_change(target: Target, action: str, patch: Mapping[str, Any], summary: str) -> Change:
    """A merge-patch change of `target`, with before/after taken from the object."""
    return _change(
        target,
        action,
        patch=patch,
        before=old_values(target.object, patch),
        after=dict(patch),
        summary=summary,
    )


def delete_change(target: Target, action: str, summary: str) -> Change:
    kept = {k: v for k, v in target.object.items() if k != "status"}
    metadata = {k: v for k, v in target.metadata.items() if k != "managedFields"}
    return _change(
        target,
        action,
        patch=DELETE,
        before={**kept, "metadata": metadata},
        after=None,
        summary=summary,
    )


def no_change(target: Target, action: str, summary: str) -> Change:
    """A change that touches nothing in the cluster (a report, a notification)."""
    return _change(target, action, patch=None, before=None, after=None, summary=summary)


def _change(
    target: Target,
    action: str,
    *,
    patch: Mapping[str, Any] | Literal["delete"] | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    summary: str,
) -> Change:
    metadata = target.metadata
    return Change(
        kind=target.kind,
        namespace=target.namespace,
        name=target.name,
        action=action,
        patch=patch,
        before=before,
        after=after,
        monthly_amount=target.monthly_amount,
        currency=target.currency,
        api_version=target.ref.api_version,
        summary=summary,
        reason=target.reason,
        resource_version=str(metadata.get("resourceVersion") or ""),
        uid=str(metadata.get("uid") or ""),
        finding=target.finding,
    )


def patched(target: Target, change: Change) -> Any:
    """The object as it would be after the change (None once deleted)."""
    if change.is_delete:
        return None
    return apply_merge_patch(target.object, change.merge_patch or {})


@dataclass(frozen=True)
class Applied:
    """How one change went: a line for people, and the changed fields as the server now has
    them (None when there is nothing to read back, as for a delete or a notification)."""

    detail: str
    observed: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Skipped:
    """An object an action leaves alone, and why (already asleep, changed by someone ...)."""

    kind: str
    namespace: str
    name: str
    action: str
    reason: str

    @classmethod
    def of(cls, target: Target, action: str, reason: str) -> Skipped:
        return cls(target.kind, target.namespace, target.name, action, reason)


@dataclass(frozen=True)
class Plan:
    """What one action would do to a set of targets: the changes and the objects left alone."""

    action: str
    changes: tuple[Change, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def monthly_amount(self) -> Decimal:
        return sum((c.monthly_amount for c in self.changes), Decimal(0))

    @property
    def cluster_changes(self) -> tuple[Change, ...]:
        """The changes that patch or delete something in the cluster."""
        return tuple(c for c in self.changes if c.patch is not None)
