"""The manifests before and after a class change: the tenant rendered from its class and
from the new one by the blueprint's pure render function, and the unified diff of the
flat YAML (`render tenant --format plain`) of each environment.

The new class is rendered from a copy of the catalog in which only the tenant's
`service_class` differs, so the diff holds exactly what the class decides (quota, sizing,
replicas, schedules, rate limits, labels). An environment the new class gives no quota is
not rendered: its whole file shows as removed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from costplane.blueprint import TenantRendering, plain_files, render_tenant_objects
from costplane.catalog import Catalog, EnvironmentKind


@dataclass(frozen=True)
class ManifestDiff:
    environment: str
    objects_before: int
    objects_after: int
    diff: str
    """Unified diff of `<environment>.yaml`, before (a/) to after (b/); empty: no change."""


def with_class(catalog: Catalog, tenant_id: str, class_id: str) -> Catalog:
    """The catalog with one tenant moved to `class_id`, everything else as it is."""
    tenants = [
        t.model_copy(update={"service_class": class_id}) if t.id == tenant_id else t
        for t in catalog.tenants
    ]
    return catalog.model_copy(update={"tenants": tenants})


def rendering(catalog: Catalog, tenant_id: str) -> TenantRendering:
    """The tenant's environments its class gives a quota for."""
    tenant = catalog.tenant(tenant_id)
    assert tenant is not None  # the caller checked
    quota = catalog.service_classes[tenant.service_class].quota
    kinds = [k for k in EnvironmentKind if k in tenant.environments and k in quota]
    return render_tenant_objects(catalog, tenant_id, kinds)


def manifest_diffs(before: TenantRendering, after: TenantRendering) -> tuple[ManifestDiff, ...]:
    """Per environment of either rendering, in environment order."""
    old, new = plain_files(before), plain_files(after)
    counts_before = {env.kind.value: len(env.objects) for env in before.environments}
    counts_after = {env.kind.value: len(env.objects) for env in after.environments}
    diffs = []
    for kind in EnvironmentKind:
        name = f"{kind.value}.yaml"
        if name not in old and name not in new:
            continue
        lines = difflib.unified_diff(
            old.get(name, "").splitlines(keepends=True),
            new.get(name, "").splitlines(keepends=True),
            fromfile=f"a/{name}" if name in old else "/dev/null",
            tofile=f"b/{name}" if name in new else "/dev/null",
        )
        diffs.append(
            ManifestDiff(
                kind.value,
                counts_before.get(kind.value, 0),
                counts_after.get(kind.value, 0),
                "".join(lines),
            )
        )
    return tuple(diffs)
