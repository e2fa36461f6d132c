"""How an environment's quota is shared between its pods, and Odoo's worker model in each.

The quota is what the tenant pays for, so the rendered pods fill it: first what every
environment needs beside the web tier (the cron pod, a dedicated Redis, the production
database backup job), then the web tier gets the rest, split evenly over the most web
pods the environment can run (the autoscaler's maximum, else its replicas). Memory
requests equal limits (memory is never overcommitted, so Odoo's own limits act before the
kernel's OOM killer does); CPU limits equal requests.

In each web pod Odoo runs in multi-process mode (odoo_workers.py has the worker model).
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.blueprint.odoo_workers import WorkerModel, worker_model
from costplane.catalog import EnvironmentKind, ServiceClass, Tenancy

MIB = 1024 * 1024
MILLI = 1000

CRON_CPU_PER_THREAD_M = 100
"""Millicores per cron worker: cron jobs are mostly database-bound."""
MIN_WEB_CPU_M = 100
"""The least CPU a web pod is rendered with."""
REDIS_CPU_M = 100
REDIS_OVERHEAD = 128 * MIB
"""Redis's own memory beyond `maxmemory` (buffers, fragmentation)."""
BACKUP_JOB_CPU_M = 100
BACKUP_JOB_MEMORY = 256 * MIB


class SizingError(ValueError):
    """The class's quota for an environment cannot hold the pods it must run."""


@dataclass(frozen=True)
class PodSize:
    """Requests (equal to limits) of one pod: millicores and bytes (whole MiB)."""

    cpu_m: int
    memory: int


@dataclass(frozen=True)
class EnvironmentSizing:
    """Every pod of one environment, inside its quota."""

    kind: EnvironmentKind
    quota: PodSize
    web: PodSize
    web_replicas: int
    web_max_replicas: int
    web_workers: WorkerModel
    cron: PodSize
    cron_workers: WorkerModel
    redis: PodSize | None
    backup: PodSize | None

    @property
    def requested(self) -> PodSize:
        """The most the environment's pods request at once (web tier at its maximum)."""
        pods = [(self.web, self.web_max_replicas), (self.cron, 1)]
        pods += [(pod, 1) for pod in (self.redis, self.backup) if pod is not None]
        return PodSize(
            sum(pod.cpu_m * count for pod, count in pods),
            sum(pod.memory * count for pod, count in pods),
        )


def _floor_mib(value: int) -> int:
    return value // MIB * MIB


def _ceil_mib(value: int) -> int:
    return -(-value // MIB) * MIB


def web_replicas(service_class: ServiceClass, kind: EnvironmentKind) -> tuple[int, int]:
    """(replicas, maximum replicas) of the web tier: HA and autoscaling in production only."""
    if kind is not EnvironmentKind.PRODUCTION:
        return 1, 1
    scaling = service_class.blueprint.autoscaling
    maximum = scaling.max_replicas if scaling is not None else service_class.ha_replicas
    return service_class.ha_replicas, maximum


def size_environment(service_class: ServiceClass, kind: EnvironmentKind) -> EnvironmentSizing:
    """The pods of `kind` under `service_class`; SizingError when the quota cannot hold them."""
    quota = service_class.quota[kind]
    total = PodSize(int(quota.cpu * MILLI), quota.memory)
    odoo = service_class.blueprint.odoo
    threads = odoo.max_cron_threads
    cron = PodSize(
        CRON_CPU_PER_THREAD_M * threads,
        _ceil_mib(
            odoo.process_overhead + (threads - 1) * odoo.limit_memory_soft + odoo.limit_memory_hard
        ),
    )
    redis = None
    if service_class.tenancy is Tenancy.DEDICATED:
        redis = PodSize(
            REDIS_CPU_M, _ceil_mib(service_class.blueprint.redis.maxmemory + REDIS_OVERHEAD)
        )
    backup = PodSize(BACKUP_JOB_CPU_M, BACKUP_JOB_MEMORY) if kind.is_production else None
    replicas, maximum = web_replicas(service_class, kind)
    if maximum < replicas:
        raise SizingError(
            f"autoscaling.max_replicas {maximum} is below ha_replicas {replicas}: the production "
            "web tier could not run its HA replicas"
        )
    others = [pod for pod in (cron, redis, backup) if pod is not None]
    pool_cpu = total.cpu_m - sum(pod.cpu_m for pod in others)
    pool_memory = total.memory - sum(pod.memory for pod in others)
    web = PodSize(pool_cpu // maximum, _floor_mib(pool_memory // maximum))
    least_memory = odoo.process_overhead + odoo.limit_memory_hard
    if web.cpu_m < MIN_WEB_CPU_M or web.memory < least_memory:
        need = PodSize(
            sum(pod.cpu_m for pod in others) + MIN_WEB_CPU_M * maximum,
            sum(pod.memory for pod in others) + _ceil_mib(least_memory) * maximum,
        )
        raise SizingError(
            f"the {kind.value} quota ({cpu_text(total.cpu_m)} CPU, {memory_text(total.memory)}) "
            f"is smaller than the minimum Odoo environment ({cpu_text(need.cpu_m)} CPU, "
            f"{memory_text(need.memory)}): {maximum} web pod(s) of at least "
            f"{cpu_text(MIN_WEB_CPU_M)} and {memory_text(_ceil_mib(least_memory))} "
            f"(process overhead + limit_memory_hard), a cron pod of {cpu_text(cron.cpu_m)} and "
            f"{memory_text(cron.memory)}"
            + (", a Redis" if redis else "")
            + (", the backup job" if backup else "")
        )
    return EnvironmentSizing(
        kind=kind,
        quota=total,
        web=web,
        web_replicas=replicas,
        web_max_replicas=maximum,
        web_workers=worker_model(web.cpu_m, web.memory, odoo),
        cron=cron,
        cron_workers=WorkerModel(
            workers=1,
            max_cron_threads=threads,
            limit_memory_soft=odoo.limit_memory_soft,
            limit_memory_hard=odoo.limit_memory_hard,
            cpu_ceiling=1,
        ),
        redis=redis,
        backup=backup,
    )


def cpu_text(millicores: int) -> str:
    """A CPU quantity as Kubernetes writes it: whole cores when whole, else millicores."""
    return str(millicores // MILLI) if millicores % MILLI == 0 else f"{millicores}m"


def memory_text(size: int) -> str:
    """A memory quantity: Gi when whole, else Mi (sizes here are whole MiB)."""
    if size % (1024 * MIB) == 0:
        return f"{size // (1024 * MIB)}Gi"
    if size % MIB == 0:
        return f"{size // MIB}Mi"
    return str(size)
