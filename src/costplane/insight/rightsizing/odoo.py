"""Odoo workers for Odoo web deployments: how many workers, how much memory each may use,
and the pod's CPU and memory, from the observed traffic, Odoo's sizing rules and the
container's rightsizing.

Odoo's deployment guide ("Deploying Odoo", *Worker number calculation* and *Memory
size calculation*) gives the rules: at most `2 x CPU + 1` workers; one worker serves
about 6 concurrent users; about 20 % of requests are heavy (a worker near 1 GB) and
80 % light (near 150 MB). Concurrent users are estimated from Traefik's requests per
router (`service_usage`, one row per router and day): the 95th percentile of the
namespace's daily requests, the share of a day's requests in its busiest hour, and the
requests an active user makes in an hour (the assumptions below, named in the output).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from costplane.insight.rightsizing.deployments import ContainerArgs
from costplane.quantity import cpu_quantity, memory_quantity
from costplane.warehouse import Warehouse

USERS_PER_WORKER = 6
"""Odoo: "1 worker ~= 6 concurrent users"."""
BUSY_HOUR_SHARE = Decimal("0.125")
"""The busiest hour's share of a day's requests: an 8-hour working day, evenly busy."""
REQUESTS_PER_USER_HOUR = 360
"""An active web-client user: a request every 10 s (clicks' RPCs, the bus's polling)."""
WORKER_MEMORY = int(Decimal("0.8") * 150 * 2**20 + Decimal("0.2") * 1024 * 2**20)
"""Odoo: 80 % light requests near 150 MB, 20 % heavy near 1 GB, per worker (~325 MiB)."""
SOFT_OF_HARD = Decimal("0.8")
"""Odoo's defaults: limit_memory_soft 2048 MiB of limit_memory_hard 2560 MiB."""
MIN_WORKERS = 2

_OPTION = re.compile(r"^--(workers|max-cron-threads|limit-memory-soft|limit-memory-hard)=(\d+)$")


@dataclass(frozen=True)
class OdooConfig:
    """An Odoo web container's worker options, as its command line sets them."""

    workers: int | None
    max_cron_threads: int | None
    limit_memory_soft: int | None
    limit_memory_hard: int | None


@dataclass(frozen=True)
class OdooWorkers:
    """The recommendation for one Odoo web container, with its evidence."""

    workers: int | None
    workers_recommended: int
    max_cron_threads: int | None
    max_cron_threads_recommended: int
    limit_memory_soft: int | None
    limit_memory_soft_recommended: int
    limit_memory_hard: int | None
    limit_memory_hard_recommended: int
    cpu_recommended: str
    """The pod's CPU: the container's rightsizing (Odoo's ceiling is derived from it)."""
    memory_recommended: str
    """The pod's memory: the rightsizing's, or the workers' need if that is more."""
    requests_p95_per_day: Decimal | None
    concurrent_users: Decimal | None
    workers_for_users: int
    """Workers the users need; above `workers_recommended` the pod needs more CPU."""
    workers_ceiling: int
    """2 x CPU + 1, CPU being the recommendation rounded up to whole cores."""
    cpu_for_users: str
    """The CPU at which `2 x CPU + 1` admits the workers the users need."""
    monthly_saving: Decimal | None = None


def odoo_config(args: Sequence[object]) -> OdooConfig | None:
    """The worker options of a container's command and args; None if it sets no workers."""
    found: dict[str, int] = {}
    for arg in args:
        match = _OPTION.match(str(arg))
        if match:
            found[match.group(1)] = int(match.group(2))
    if "workers" not in found:
        return None
    return OdooConfig(
        found["workers"],
        found.get("max-cron-threads"),
        found.get("limit-memory-soft"),
        found.get("limit-memory-hard"),
    )


OdooWeb = dict[tuple[str, str, str, str, str], OdooConfig]
"""Odoo web containers by (cluster, namespace, kind, workload, container)."""


def odoo_web(
    deployments: Iterable[tuple[str, str, str, tuple[ContainerArgs, ...]]],
) -> tuple[OdooWeb, set[tuple[str, str]]]:
    """Odoo web containers (serving HTTP with workers), by (cluster, namespace, kind,
    workload, container), from Deployments' (cluster, namespace, name, containers); and
    the (cluster, namespace)s that run cron threads in a container of their own (no
    HTTP, or no workers)."""
    found: OdooWeb = {}
    cron: set[tuple[str, str]] = set()
    parsed: dict[tuple[ContainerArgs, ...], list[tuple[str, OdooConfig, bool]]] = {}
    for cluster, namespace, name, containers in deployments:
        place = (cluster, namespace)
        configs = parsed.get(containers)
        if configs is None:  # tenants' Deployments often share one container spec
            configs = parsed[containers] = _configs(containers)
        for container, config, serves in configs:
            if config.workers and serves:
                found[(*place, "Deployment", name, container)] = config
            elif config.max_cron_threads:
                cron.add(place)
    return found, cron


def _configs(containers: tuple[ContainerArgs, ...]) -> list[tuple[str, OdooConfig, bool]]:
    """(container name, worker options, serves HTTP) of the containers that set workers."""
    configs = []
    for name, args in containers:
        config = odoo_config(args)
        if config is not None:
            configs.append((name, config, "--no-http" not in args))
    return configs


def daily_requests_p95(
    warehouse: Warehouse, start: dt.datetime, end: dt.datetime
) -> dict[tuple[str, str], float]:
    """Per (cluster, namespace): the 95th percentile of its routers' requests per day."""
    usage = warehouse.table("service_usage")
    rows = usage.filter(
        (usage.service == "traefik")
        & (usage.metric == "requests")
        & (usage.day >= start.date())
        & (usage.day < end.date())
    )
    days = rows.group_by(["cluster", "namespace", "day"]).aggregate(requests=rows.quantity.sum())
    stats = days.group_by(["cluster", "namespace"]).aggregate(p95=days.requests.quantile(0.95))
    table = stats.to_pyarrow()
    columns = [table.column(name).to_pylist() for name in ("cluster", "namespace", "p95")]
    return {
        (cluster or "", namespace or ""): p95
        for cluster, namespace, p95 in zip(*columns, strict=True)
        if p95 is not None
    }


def size_odoo(
    config: OdooConfig,
    cpu_recommended: Decimal,
    memory_recommended: int,
    requests_p95: float | None,
    separate_cron: bool,
) -> OdooWorkers:
    """Odoo's rules applied to one web container (see the module's note)."""
    return odoo_sizing(
        config, cpu_recommended, memory_recommended, requests_p95, separate_cron
    ).recommendation()


class OdooSizing(NamedTuple):
    """`size_odoo`'s figures before they are written as quantities: the pod's memory in
    bytes prices its saving (a named tuple: one is made per Odoo web container)."""

    config: OdooConfig
    cpu_recommended: Decimal
    memory: int
    """The pod's memory (bytes): the rightsizing's, or the workers' need if that is more."""
    workers: int
    workers_for_users: int
    workers_ceiling: int
    limit_memory_soft: int
    limit_memory_hard: int
    requests_p95: float | None
    users: Decimal | None
    separate_cron: bool

    def recommendation(self, monthly_saving: Decimal | None = None) -> OdooWorkers:
        config, for_users = self.config, self.workers_for_users
        return OdooWorkers(
            workers=config.workers,
            workers_recommended=self.workers,
            max_cron_threads=config.max_cron_threads,
            max_cron_threads_recommended=0 if self.separate_cron else 1,
            limit_memory_soft=config.limit_memory_soft,
            limit_memory_soft_recommended=self.limit_memory_soft,
            limit_memory_hard=config.limit_memory_hard,
            limit_memory_hard_recommended=self.limit_memory_hard,
            cpu_recommended=_cpu(self.cpu_recommended),
            memory_recommended=_memory(self.memory),
            requests_p95_per_day=(
                None if self.requests_p95 is None else Decimal(round(self.requests_p95))
            ),
            concurrent_users=None if self.users is None else self.users.quantize(_TENTH),
            workers_for_users=for_users,
            workers_ceiling=self.workers_ceiling,
            cpu_for_users=_cpu(Decimal(max(1, math.ceil((for_users - 1) / 2)))),
            monthly_saving=monthly_saving,
        )


def odoo_sizing(
    config: OdooConfig,
    cpu_recommended: Decimal,
    memory_recommended: int,
    requests_p95: float | None,
    separate_cron: bool,
) -> OdooSizing:
    """`size_odoo`'s figures (see the module's note)."""
    users = (
        None
        if requests_p95 is None
        else Decimal(repr(requests_p95)) * BUSY_HOUR_SHARE / REQUESTS_PER_USER_HOUR
    )
    for_users = max(MIN_WORKERS, math.ceil(users / USERS_PER_WORKER) if users else 0)
    ceiling = 2 * max(1, math.ceil(cpu_recommended)) + 1
    workers = min(for_users, ceiling)
    memory = max(memory_recommended, workers * WORKER_MEMORY)
    memory = -(-memory // 2**20) * 2**20  # whole MiB
    hard = memory // workers // 2**20 * 2**20
    soft = int(hard * SOFT_OF_HARD) // 2**20 * 2**20
    return OdooSizing(
        config,
        cpu_recommended,
        memory,
        workers,
        for_users,
        ceiling,
        soft,
        hard,
        requests_p95,
        users,
        separate_cron,
    )


_TENTH = Decimal("0.1")
_CPU: dict[Decimal, str] = {}
_MEMORY: dict[int, str] = {}


def _cpu(cores: Decimal) -> str:
    """`cpu_quantity`, remembered: a fleet's recommendations take few distinct values."""
    found = _CPU.get(cores)
    if found is None:
        if len(_CPU) >= _REMEMBERED:
            _CPU.clear()
        found = _CPU[cores] = cpu_quantity(cores)
    return found


def _memory(size: int) -> str:
    found = _MEMORY.get(size)
    if found is None:
        if len(_MEMORY) >= _REMEMBERED:
            _MEMORY.clear()
        found = _MEMORY[size] = memory_quantity(size)
    return found


_REMEMBERED = 4096
