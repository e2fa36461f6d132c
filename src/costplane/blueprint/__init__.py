"""Blueprint: a tenant's environments rendered from its service class as Kubernetes
manifests (Kustomize base and overlays), and the drift of what runs from what was rendered.

The catalog says what a class entitles a tenant to; the blueprint is that entitlement as
objects a GitOps tool applies. `render_tenant_objects` is the pure function (the objects
per environment, with the sizing they came from) that `drift` and `plan class-change`
reuse; `render_problems` says why a class cannot render. See docs/service-classes.md.
"""

from costplane.blueprint.consistency import render_problems
from costplane.blueprint.drift import (
    DriftKind,
    FieldChange,
    ObjectDrift,
    relevant_namespaces,
    tenant_drift,
)
from costplane.blueprint.kustomize_tree import gitops_objects
from costplane.blueprint.layout import kustomize_files, plain_files
from costplane.blueprint.live import live_objects
from costplane.blueprint.render import RenderedEnvironment, TenantRendering, render_tenant_objects

__all__: list[str] = [
    "DriftKind",
    "FieldChange",
    "ObjectDrift",
    "RenderedEnvironment",
    "TenantRendering",
    "gitops_objects",
    "kustomize_files",
    "live_objects",
    "plain_files",
    "relevant_namespaces",
    "render_problems",
    "render_tenant_objects",
    "tenant_drift",
]
