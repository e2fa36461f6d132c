"""A tenant's environments as Kubernetes objects: the pure function `drift` and
`plan class-change` reuse. Same catalog, same objects, in the same order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from costplane.blueprint import cache, ingress, isolation, odoo, schedules
from costplane.blueprint.context import EnvironmentContext, Manifest, database_name
from costplane.blueprint.sizing import EnvironmentSizing, SizingError, size_environment
from costplane.catalog import Catalog, EnvironmentKind
from costplane.errors import InputError

KIND_ORDER = (
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "CronJob",
    "Middleware",
    "IngressRoute",
    "SleepInfo",
    "Schedule",
)
"""The order objects are written in: what others depend on first, as `kubectl apply` wants."""

_BUILDERS: tuple[Callable[[EnvironmentContext], Manifest | None], ...] = (
    isolation.namespace,
    isolation.resource_quota,
    isolation.limit_range,
    isolation.network_policy,
    odoo.config_map,
    odoo.filestore_claim,
    odoo.service,
    odoo.web_deployment,
    odoo.cron_deployment,
    odoo.autoscaler,
    odoo.disruption_budget,
    cache.redis_deployment,
    cache.redis_service,
    ingress.rate_limit,
    ingress.ingress_route,
    schedules.sleep_info,
    schedules.dump_claim,
    schedules.database_backup,
    schedules.velero_schedule,
)


@dataclass(frozen=True)
class RenderedEnvironment:
    """One environment's objects, sorted, and the sizing they were rendered from."""

    kind: EnvironmentKind
    namespace: str
    sizing: EnvironmentSizing
    objects: tuple[Manifest, ...]


@dataclass(frozen=True)
class TenantRendering:
    tenant: str
    service_class: str
    environments: tuple[RenderedEnvironment, ...]


def object_key(obj: Manifest) -> tuple[int, str, str, str]:
    """Objects sort by kind (in apply order), namespace and name."""
    kind = obj["kind"]
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    metadata = obj.get("metadata", {})
    return rank, kind, metadata.get("namespace", ""), metadata.get("name", "")


def render_environment(
    catalog: Catalog, tenant_id: str, kind: EnvironmentKind
) -> RenderedEnvironment:
    """One environment of a catalog tenant; InputError when the class cannot render it."""
    tenant = catalog.tenant(tenant_id)
    if tenant is None:
        known = ", ".join(sorted(t.id for t in catalog.tenants)) or "none"
        raise InputError(f"unknown tenant {tenant_id!r} (catalog tenants: {known})")
    environment = tenant.environments.get(kind)
    if environment is None:
        raise InputError(f"tenant {tenant_id!r} has no {kind.value} environment")
    service_class = catalog.service_classes[tenant.service_class]
    try:
        sizing = size_environment(service_class, kind)
    except SizingError as exc:
        raise InputError(f"service class {tenant.service_class!r}: {exc}") from None
    context = EnvironmentContext(
        catalog=catalog,
        tenant=tenant,
        service_class_id=tenant.service_class,
        service_class=service_class,
        kind=kind,
        namespace=environment.namespaces[0],
        database=database_name(tenant, kind),
        sizing=sizing,
    )
    objects = [obj for build in _BUILDERS if (obj := build(context)) is not None]
    return RenderedEnvironment(
        kind, context.namespace, sizing, tuple(sorted(objects, key=object_key))
    )


def render_tenant_objects(
    catalog: Catalog, tenant_id: str, kinds: Iterable[EnvironmentKind] | None = None
) -> TenantRendering:
    """The tenant's environments (all it has, or `kinds`) as Kubernetes objects."""
    tenant = catalog.tenant(tenant_id)
    if tenant is None:
        known = ", ".join(sorted(t.id for t in catalog.tenants)) or "none"
        raise InputError(f"unknown tenant {tenant_id!r} (catalog tenants: {known})")
    chosen: Sequence[EnvironmentKind] = (
        [k for k in EnvironmentKind if k in tenant.environments] if kinds is None else list(kinds)
    )
    environments = tuple(render_environment(catalog, tenant_id, kind) for kind in chosen)
    return TenantRendering(tenant.id, tenant.service_class, environments)
