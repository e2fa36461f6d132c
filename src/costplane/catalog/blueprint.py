"""What rendering a tenant needs beyond its entitlements: the platform's conventions and each
class's Odoo sizing, file store, rate limit and cache.

Every key is optional with a default, so a catalog written before rendering existed stays
valid; the defaults are the conventions docs/service-classes.md describes. Images must be
pinned (a digest, or a tag other than `latest`): a render must mean the same thing
tomorrow as today.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.types import MemoryBytes

MIB = 1024 * 1024

_IMAGE = re.compile(
    r"^(?P<name>[a-z0-9]+(?:(?:[._-]|__|/|:[0-9]+/)[a-z0-9]+)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


def pinned_image(value: str) -> str:
    """An image reference by digest or by an immutable tag; `latest` or no tag is refused."""
    match = _IMAGE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not an image reference (registry/name:tag or @sha256:...)")
    if match["digest"] is None and match["tag"] in (None, "latest"):
        raise ValueError(
            f"image {value!r} is not pinned: give an immutable tag (odoo:18.0-20250930) or a "
            "digest (@sha256:...), never latest or no tag"
        )
    return value


def _placeholders(value: str, allowed: set[str]) -> str:
    found = set(re.findall(r"\{([a-z_]+)\}", value))
    unknown = found - allowed
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{sorted(unknown)[0]}}} (use {', '.join(sorted(allowed))})"
        )
    return value


_TENANT_ENV = {"tenant", "environment"}

DNS_LABEL = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
"""A namespace: what Kubernetes accepts as one."""
DNS_NAME = r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$"
"""An object name (secret, storage class) or a host."""
PATTERN = r"^[a-z0-9{}_.-]+$"
"""A name with {tenant} and {environment} in it: a DNS name once they are replaced."""

EnvironmentName = Literal["production", "staging", "development", "dr"]
"""An environment kind by name (the catalog's EnvironmentKind values)."""


class IngressConventions(CatalogModel):
    """How a tenant environment is reached: Traefik's namespace, entry point, host and TLS."""

    namespace: str = Field(
        default="traefik", pattern=DNS_LABEL, description="where Traefik runs (ingress source)"
    )
    entry_point: str = Field(default="websecure", description="Traefik's TLS entry point")
    production_host: str = Field(
        default="{tenant}.odoo.example.com",
        pattern=PATTERN,
        description="host of production; {tenant} and {environment} are replaced",
    )
    host: str = Field(
        default="{tenant}-{environment}.odoo.example.com",
        pattern=PATTERN,
        description="host of every other environment",
    )
    tls_secret: str = Field(
        default="{tenant}-{environment}-tls",
        pattern=PATTERN,
        description="TLS secret the route serves (cert-manager writes it; never rendered)",
    )
    cert_resolver: str | None = Field(
        default=None, description="a Traefik certificate resolver instead of tls_secret"
    )

    @field_validator("production_host", "host", "tls_secret")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return _placeholders(value, _TENANT_ENV)


class DatabaseConventions(CatalogModel):
    """Where tenants' PostgreSQL databases live, and the secret holding their credentials."""

    namespace: str = Field(
        default="databases", pattern=DNS_LABEL, description="namespace of the PostgreSQL servers"
    )
    shared_host: str = Field(
        default="postgres-rw.databases.svc.cluster.local",
        pattern=DNS_NAME,
        description="the shared platform's PostgreSQL service (shared classes)",
    )
    dedicated_host: str = Field(
        default="{tenant}-{environment}-rw.databases.svc.cluster.local",
        pattern=PATTERN,
        description="a dedicated tenant's own PostgreSQL service",
    )
    port: int = Field(default=5432, gt=0, lt=65536)
    credentials_secret: str = Field(
        default="odoo-database",
        pattern=DNS_NAME,
        description="secret in the tenant namespace with keys `username` and `password`",
    )

    @field_validator("dedicated_host")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return _placeholders(value, _TENANT_ENV)


class CacheConventions(CatalogModel):
    """The shared platform's Redis (shared classes); dedicated classes run their own."""

    namespace: str = Field(default="redis", pattern=DNS_LABEL)
    shared_host: str = Field(default="redis.redis.svc.cluster.local", pattern=DNS_NAME)
    port: int = Field(default=6379, gt=0, lt=65536)
    image: str = Field(
        default="docker.io/library/redis:7.4.1", description="image of a dedicated Redis"
    )

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str) -> str:
        return pinned_image(value)


class BackupConventions(CatalogModel):
    """Velero for the namespace and its volumes; a CronJob dumping the database."""

    velero_namespace: str = Field(default="velero", pattern=DNS_LABEL)
    storage_location: str = Field(
        default="default", pattern=DNS_NAME, description="Velero BackupStorageLocation"
    )
    database_image: str = Field(
        default="docker.io/library/postgres:17.2",
        description="image with pg_dump for the database backup CronJob",
    )
    storage_class: str = Field(
        default="standard-rwo", pattern=DNS_NAME, description="storage class of the dump volume"
    )

    @field_validator("database_image")
    @classmethod
    def _pinned(cls, value: str) -> str:
        return pinned_image(value)


class ObjectStorageConventions(CatalogModel):
    """Where classes that keep attachments in object storage put them."""

    endpoint: str = Field(default="https://s3.eu-central-1.amazonaws.com")
    region: str = Field(default="eu-central-1")
    bucket: str = Field(default="{tenant}-{environment}-filestore", pattern=PATTERN)
    credentials_secret: str = Field(
        default="odoo-object-storage",
        pattern=DNS_NAME,
        description="secret with keys `access-key-id` and `secret-access-key`",
    )

    @field_validator("bucket")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return _placeholders(value, _TENANT_ENV)


class Platform(CatalogModel):
    """The conventions every rendered tenant environment follows."""

    odoo_image: str = Field(
        default="docker.io/library/odoo:18.0-20250930",
        description="Odoo image, by digest or an immutable tag; a class may override it",
    )
    storage_class: str = Field(
        default="standard-rwo", pattern=DNS_NAME, description="storage class of the filestore"
    )
    dns_namespace: str = Field(
        default="kube-system", pattern=DNS_LABEL, description="where cluster DNS runs"
    )
    ingress: IngressConventions = Field(default_factory=IngressConventions)
    database: DatabaseConventions = Field(default_factory=DatabaseConventions)
    redis: CacheConventions = Field(default_factory=CacheConventions)
    backup: BackupConventions = Field(default_factory=BackupConventions)
    object_storage: ObjectStorageConventions = Field(default_factory=ObjectStorageConventions)

    @field_validator("odoo_image")
    @classmethod
    def _pinned(cls, value: str) -> str:
        return pinned_image(value)


class OdooSizing(CatalogModel):
    """Odoo's worker model for the class (see Odoo's deployment documentation)."""

    image: str | None = Field(default=None, description="overrides the platform's Odoo image")
    limit_memory_soft: MemoryBytes = Field(
        default=512 * MIB, description="a worker past this is recycled after its request"
    )
    limit_memory_hard: MemoryBytes = Field(
        default=1024 * MIB, description="a worker past this is killed at once"
    )
    process_overhead: MemoryBytes = Field(
        default=256 * MIB,
        description="memory of the pod's main and gevent (longpolling) processes",
    )
    max_cron_threads: int = Field(default=2, ge=1, le=16, description="cron workers (cron pod)")
    limit_time_cpu: int = Field(default=600, gt=0, description="seconds of CPU per request")
    limit_time_real: int = Field(default=1200, gt=0, description="seconds per request")

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str | None) -> str | None:
        return None if value is None else pinned_image(value)

    @model_validator(mode="after")
    def _hard_above_soft(self) -> OdooSizing:
        if self.limit_memory_hard <= self.limit_memory_soft:
            raise ValueError("limit_memory_hard must be above limit_memory_soft")
        return self


class Filestore(CatalogModel):
    """Where Odoo keeps attachments: a volume of this size, or object storage."""

    size: MemoryBytes = Field(default=20 * 1024 * MIB, description="volume size (20Gi)")
    object_storage: bool = Field(
        default=False, description="attachments in object storage instead of a volume"
    )


class RateLimit(CatalogModel):
    """Traefik's rateLimit middleware: requests per second on average, and the burst."""

    average: int = Field(default=50, gt=0)
    burst: int = Field(default=100, gt=0)

    @model_validator(mode="after")
    def _burst_covers_average(self) -> RateLimit:
        if self.burst < self.average:
            raise ValueError(f"burst {self.burst} is below average {self.average}")
        return self


class Autoscaling(CatalogModel):
    """Production web pods scale between ha_replicas and max_replicas, inside the quota."""

    max_replicas: int = Field(gt=0)
    cpu_utilization_percent: int = Field(default=70, gt=0, le=100)


class DedicatedCache(CatalogModel):
    """A dedicated class's own Redis."""

    maxmemory: MemoryBytes = Field(default=512 * MIB, description="Redis maxmemory (512Mi)")
    policy: str = Field(
        default="allkeys-lru",
        pattern=r"^(noeviction|allkeys-lru|allkeys-lfu|allkeys-random|volatile-lru|"
        r"volatile-lfu|volatile-random|volatile-ttl)$",
    )


def _non_production() -> list[EnvironmentName]:
    return ["staging", "development"]


class ClassBlueprint(CatalogModel):
    """How a class renders: Odoo sizing, file store, rate limit, scaling, cache, sleep."""

    odoo: OdooSizing = Field(default_factory=OdooSizing)
    filestore: Filestore = Field(default_factory=Filestore)
    rate_limit: RateLimit = Field(default_factory=RateLimit)
    autoscaling: Autoscaling | None = Field(
        default=None, description="none: production runs exactly ha_replicas web pods"
    )
    redis: DedicatedCache = Field(default_factory=DedicatedCache)
    sleep_environments: list[EnvironmentName] = Field(
        default_factory=_non_production,
        description="environments the class's sleep_schedule applies to (never production or dr)",
    )
