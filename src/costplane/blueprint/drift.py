"""Drift: what runs (or what a GitOps repository holds) against what `render` produces.

Objects are matched by kind, namespace and name. A rendered object absent is `missing`;
an object of a rendered kind in a tenant namespace that the rendering does not have is
`extra`; a matched object whose rendered fields differ is `changed`, with each field.

Only what the rendering says is compared: every field it sets (spec, data, its labels)
must be there with the same value; what the cluster adds (status, managedFields,
defaults such as `imagePullPolicy`, its own labels) is not drift. Quantities compare by
value, so the cluster's `6Gi` for a rendered `6144Mi` is no drift.

Money: the monthly cost of what runs minus that of what was rendered, where the object's
cost follows from its fields (workload requests x replicas, a volume claim's size, a
quota's CPU and memory), at the catalog's price sheet. Positive: running costs more.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from costplane.blueprint.context import Manifest
from costplane.blueprint.render import KIND_ORDER, TenantRendering
from costplane.catalog import HOURS_PER_MONTH, Catalog, PriceSheet
from costplane.money import cents
from costplane.quantity import parse_quantity, pod_requests, quantity_or_zero

GIB = Decimal(1024**3)
IGNORED_NAMES = frozenset({("ConfigMap", "kube-root-ca.crt")})
"""Objects the cluster creates in every namespace."""
_COMPARED_ROOTS = ("spec", "data")
REDACTED = "***"
"""What `collect kubernetes` stores for a container's inline env value (secrets stay out of
the warehouse): unknown, so never drift."""


class DriftKind(enum.StrEnum):
    MISSING = "missing"
    EXTRA = "extra"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its path, the rendered value, what runs (None: absent)."""

    path: str
    rendered: Any
    actual: Any


@dataclass(frozen=True)
class ObjectDrift:
    tenant: str
    environment: str
    drift: DriftKind
    kind: str
    namespace: str
    name: str
    fields: tuple[FieldChange, ...]
    monthly_amount: Decimal | None
    """What runs minus what was rendered, per month; None when the object's cost does
    not follow from its fields."""


def _key(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    metadata = obj.get("metadata") or {}
    return str(obj.get("kind")), str(metadata.get("namespace") or ""), str(metadata.get("name"))


def _same(rendered: Any, actual: Any) -> bool:
    if rendered == actual or actual == REDACTED:
        return True
    if isinstance(rendered, bool) or isinstance(actual, bool):
        return False
    if isinstance(rendered, str | int) and isinstance(actual, str | int):
        try:
            return parse_quantity(rendered) == parse_quantity(actual)
        except (ValueError, InvalidOperation, ArithmeticError):
            return False
    return False


def field_changes(rendered: Any, actual: Any, path: str = "") -> list[FieldChange]:
    """Where `actual` lacks or changes what `rendered` sets; what it adds is ignored."""
    if isinstance(rendered, dict):
        if not isinstance(actual, dict):
            return [FieldChange(path, rendered, actual)]
        changes: list[FieldChange] = []
        for key in sorted(rendered):
            child = f"{path}.{key}" if path else key
            if key not in actual:
                changes.append(FieldChange(child, rendered[key], None))
            else:
                changes += field_changes(rendered[key], actual[key], child)
        return changes
    if isinstance(rendered, list):
        if not isinstance(actual, list) or len(actual) != len(rendered):
            return [FieldChange(path, rendered, actual)]
        changes = []
        for index, (mine, theirs) in enumerate(zip(rendered, actual, strict=True)):
            changes += field_changes(mine, theirs, f"{path}[{index}]")
        return changes
    return [] if _same(rendered, actual) else [FieldChange(path, rendered, actual)]


def _object_changes(rendered: Manifest, actual: Mapping[str, Any]) -> list[FieldChange]:
    labels = (rendered.get("metadata") or {}).get("labels") or {}
    actual_labels = (actual.get("metadata") or {}).get("labels") or {}
    changes = field_changes(labels, actual_labels, "metadata.labels")
    for root in _COMPARED_ROOTS:
        if root in rendered:
            changes += field_changes(rendered[root], actual.get(root), root)
    return changes


def monthly_cost(obj: Mapping[str, Any] | None, prices: PriceSheet) -> Decimal | None:
    """The object's monthly cost from its own fields, or None when it has none."""
    if obj is None:
        return Decimal(0)
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    cpu_month = prices.cpu.canonical * HOURS_PER_MONTH
    gib_month = prices.memory.canonical * HOURS_PER_MONTH
    if kind in ("Deployment", "StatefulSet"):
        replicas = Decimal(spec.get("replicas", 1) or 0)
        cpu, memory = pod_requests((spec.get("template") or {}).get("spec") or {})
        return replicas * (cpu * cpu_month + memory / GIB * gib_month)
    if kind == "ResourceQuota":
        hard = spec.get("hard") or {}
        cpu = quantity_or_zero(hard.get("requests.cpu", hard.get("cpu", 0)))
        memory = quantity_or_zero(hard.get("requests.memory", hard.get("memory", 0)))
        return cpu * cpu_month + memory / GIB * gib_month
    if kind == "PersistentVolumeClaim":
        price = prices.storage.get(str(spec.get("storageClassName")))
        if price is None:
            return None
        size = quantity_or_zero(
            ((spec.get("resources") or {}).get("requests") or {}).get("storage", 0)
        )
        return size / GIB * price.canonical * HOURS_PER_MONTH
    return None


def _money(
    rendered: Manifest | None, actual: Mapping[str, Any] | None, prices: PriceSheet
) -> Decimal | None:
    before, after = monthly_cost(rendered, prices), monthly_cost(actual, prices)
    if before is None or after is None or (rendered is None and actual is None):
        return None
    if (
        rendered is not None
        and actual is not None
        and rendered.get("kind")
        not in (
            "Deployment",
            "StatefulSet",
            "ResourceQuota",
            "PersistentVolumeClaim",
        )
    ):
        return None
    return cents(after - before)


def tenant_drift(
    rendering: TenantRendering,
    actual: Iterable[Mapping[str, Any]],
    catalog: Catalog,
    kinds: frozenset[str] | None = None,
) -> list[ObjectDrift]:
    """The tenant's drift: rendered objects against `actual` (objects of any tenant);
    with `kinds`, only objects of those kinds (what the source holds at all)."""
    prices = catalog.price_sheet
    velero = catalog.platform.backup.velero_namespace
    environment_of: dict[str, str] = {}
    rendered: dict[tuple[str, str, str], tuple[str, Manifest]] = {}
    for rendered_environment in rendering.environments:
        environment_of[rendered_environment.namespace] = rendered_environment.kind.value
        for obj in rendered_environment.objects:
            if kinds is None or obj["kind"] in kinds:
                rendered[_key(obj)] = (rendered_environment.kind.value, obj)
    running = {
        _key(obj): obj
        for obj in actual
        if (_key(obj)[1] in environment_of)
        or (_key(obj)[0] == "Schedule" and _key(obj)[1] == velero)
        or (_key(obj)[0] == "Namespace" and _key(obj)[2] in environment_of)
    }
    found: list[ObjectDrift] = []
    for key, (environment, obj) in rendered.items():
        kind, namespace, name = key
        live = running.get(key)
        if live is None:
            found.append(
                ObjectDrift(
                    rendering.tenant,
                    environment,
                    DriftKind.MISSING,
                    kind,
                    namespace,
                    name,
                    (),
                    _money(obj, None, prices),
                )
            )
            continue
        changes = _object_changes(obj, live)
        if changes:
            found.append(
                ObjectDrift(
                    rendering.tenant,
                    environment,
                    DriftKind.CHANGED,
                    kind,
                    namespace,
                    name,
                    tuple(changes),
                    _money(obj, live, prices),
                )
            )
    for key, live in running.items():
        kind, namespace, name = key
        if key in rendered or kind not in KIND_ORDER or (kind, name) in IGNORED_NAMES:
            continue
        if kinds is not None and kind not in kinds:
            continue
        if kind == "Schedule" or kind == "Namespace":
            continue  # another tenant's, or a namespace the rendering names differently
        found.append(
            ObjectDrift(
                rendering.tenant,
                environment_of[namespace],
                DriftKind.EXTRA,
                kind,
                namespace,
                name,
                (),
                _money(None, live, prices),
            )
        )
    return sorted(found, key=lambda d: (d.tenant, d.namespace, d.kind, d.name, d.drift.value))


def relevant_namespaces(renderings: Sequence[TenantRendering], catalog: Catalog) -> set[str]:
    """Namespaces whose objects drift compares: the tenants' and Velero's."""
    names = {env.namespace for rendering in renderings for env in rendering.environments}
    return names | {catalog.platform.backup.velero_namespace}
