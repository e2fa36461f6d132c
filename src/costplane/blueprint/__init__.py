"""Blueprint: a tenant's environments rendered from its service class as Kubernetes
manifests (Kustomize base and overlays), and the drift of what runs from what was rendered.

The catalog says what a class entitles a tenant to; the blueprint is that entitlement as
objects a GitOps tool applies. See docs/service-classes.md.
"""

from costplane.blueprint.consistency import render_problems
from costplane.blueprint.context import Manifest
from costplane.blueprint.layout import kustomize_files, plain_files, to_yaml
from costplane.blueprint.render import (
    RenderedEnvironment,
    TenantRendering,
    object_key,
    render_environment,
    render_tenant_objects,
)
from costplane.blueprint.schedules import backup_cron
from costplane.blueprint.sizing import (
    EnvironmentSizing,
    PodSize,
    SizingError,
    WorkerModel,
    size_environment,
)

__all__: list[str] = [
    "EnvironmentSizing",
    "Manifest",
    "PodSize",
    "RenderedEnvironment",
    "SizingError",
    "TenantRendering",
    "WorkerModel",
    "backup_cron",
    "kustomize_files",
    "object_key",
    "plain_files",
    "render_environment",
    "render_problems",
    "render_tenant_objects",
    "size_environment",
    "to_yaml",
]
