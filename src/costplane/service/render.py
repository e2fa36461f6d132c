"""Rendering: a tenant's environments from its class, written as Kustomize or flat YAML.

The catalog is checked first for classes that cannot render (FILE:LINE, exit 2, nothing
written); then the files are written under `out`, each by a temporary name and a rename.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from costplane.blueprint import kustomize_files, plain_files, render_problems, render_tenant_objects
from costplane.catalog import EnvironmentKind, locate_problems
from costplane.errors import InputError
from costplane.service.project import Project
from costplane.written_file import make_directories, write_text


class RenderFormat(enum.StrEnum):
    KUSTOMIZE = "kustomize"
    PLAIN = "plain"


@dataclass(frozen=True)
class RenderRequest:
    tenant: str
    out: Path
    environment: EnvironmentKind | None = None
    """None: every environment the tenant has."""
    format: RenderFormat = RenderFormat.KUSTOMIZE


@dataclass(frozen=True)
class RenderedEnvironmentSummary:
    environment: str
    namespace: str
    objects: int
    web_replicas: int
    web_max_replicas: int
    workers: int
    web_cpu: str
    web_memory: str


@dataclass(frozen=True)
class Rendered:
    """What `render tenant` wrote."""

    tenant: str
    service_class: str
    format: str
    out: str
    files: tuple[str, ...]
    environments: tuple[RenderedEnvironmentSummary, ...]
    removed: tuple[str, ...] = ()
    """Files of an earlier rendering the class no longer gives (an HPA a class lost)."""


def render_tenant(project: Project, request: RenderRequest) -> Rendered:
    """Render the tenant's environments and write them under `request.out`."""
    catalog = project.catalog()
    problems = render_problems(catalog)
    if problems:
        raise locate_problems(project.settings.catalog_path, problems)
    tenant = catalog.tenant(request.tenant)
    if tenant is None:
        known = ", ".join(sorted(t.id for t in catalog.tenants)) or "none"
        raise InputError(f"unknown tenant {request.tenant!r} (catalog tenants: {known})")
    if request.environment is not None and request.environment not in tenant.environments:
        has = ", ".join(k.value for k in tenant.environments)
        raise InputError(
            f"tenant {tenant.id!r} has no {request.environment.value} environment (it has: {has})"
        )
    kinds = None if request.environment is None else [request.environment]
    rendering = render_tenant_objects(catalog, tenant.id, kinds)
    if request.format is RenderFormat.PLAIN:
        files = plain_files(rendering)
    else:
        files = kustomize_files(rendering, catalog)
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        target = out / relative
        if target.parent != out:
            make_directories(target.parent, root=out)
        write_text(target, text, root=out)
    removed = _remove_stale(out, files, request, [env.kind.value for env in rendering.environments])
    summaries = tuple(
        RenderedEnvironmentSummary(
            environment=env.kind.value,
            namespace=env.namespace,
            objects=len(env.objects),
            web_replicas=env.sizing.web_replicas,
            web_max_replicas=env.sizing.web_max_replicas,
            workers=env.sizing.web_workers.workers,
            web_cpu=f"{env.sizing.web.cpu_m}m",
            web_memory=f"{env.sizing.web.memory // (1024 * 1024)}Mi",
        )
        for env in rendering.environments
    )
    return Rendered(
        tenant=rendering.tenant,
        service_class=rendering.service_class,
        format=request.format.value,
        out=str(out),
        files=tuple(files),
        environments=summaries,
        removed=removed,
    )


def _remove_stale(
    out: Path, files: dict[str, str], request: RenderRequest, environments: list[str]
) -> tuple[str, ...]:
    """YAML files in the directories a Kustomize rendering owns that it did not write now:
    each overlay rendered, and base/ and backups/ when every environment was. Left there,
    they would be read by `govern --manifests` and `drift` as objects that exist."""
    if request.format is not RenderFormat.KUSTOMIZE:
        return ()
    owned = [f"overlays/{environment}" for environment in environments]
    if request.environment is None:
        owned += ["base", "backups"]
    removed = []
    for folder in owned:
        directory = out / folder
        if not directory.is_dir() or directory.is_symlink():
            continue
        for path in sorted(directory.iterdir()):
            relative = f"{folder}/{path.name}"
            stale = path.suffix == ".yaml" and relative not in files
            if stale and path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(relative)
    return tuple(removed)
