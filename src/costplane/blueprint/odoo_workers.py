"""Odoo's worker model for one web pod.

Odoo's deployment guide sizes workers at 2 x CPU + 1; here that is the ceiling, lowered
until the memory fits: the main and gevent processes (`process_overhead`), every worker at
`limit_memory_soft` and one of them grown to `limit_memory_hard` must fit the pod's memory
limit, so that Odoo's own limits act before the kernel's OOM killer does.
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.catalog import OdooSizing

MILLI = 1000


@dataclass(frozen=True)
class WorkerModel:
    """Odoo's process settings for one pod (odoo.conf)."""

    workers: int
    max_cron_threads: int
    limit_memory_soft: int
    limit_memory_hard: int
    cpu_ceiling: int
    """2 x CPU + 1, before memory lowered it."""


def worker_model(cpu_m: int, memory: int, odoo: OdooSizing) -> WorkerModel:
    """Workers of a web pod with `cpu_m` millicores and `memory` bytes (no cron threads:
    the cron pod runs those)."""
    ceiling = (2 * cpu_m + MILLI) // MILLI
    by_memory = 1 + (memory - odoo.process_overhead - odoo.limit_memory_hard) // (
        odoo.limit_memory_soft
    )
    return WorkerModel(
        workers=max(1, min(ceiling, by_memory)),
        max_cron_threads=0,
        limit_memory_soft=odoo.limit_memory_soft,
        limit_memory_hard=odoo.limit_memory_hard,
        cpu_ceiling=ceiling,
    )
