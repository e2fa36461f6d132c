"""Recommending: what each workload container should request, with the money, and the
Kustomize patches that apply it.

The operation opens the warehouse read-only, takes the prices savings are computed with
(the allocation's by default, as `govern --prices allocation`), and asks the rightsizing
stage; `--gitops DIR` hands the changes to the actions stage's patch writer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from costplane.actions import Change, Plan, Target, write_gitops
from costplane.errors import InputError
from costplane.governance import PriceSource, ResourceRef, savings_prices
from costplane.insight.rightsizing import (
    DEFAULT_STRATEGY,
    ContainerRecommendation,
    StrategyOptions,
    WorkloadKey,
    WorkloadRecommendations,
    recommend_containers,
    resources_patch,
    strategy_named,
    usage_end,
    workload_objects,
)
from costplane.service.project import Project
from costplane.warehouse import Warehouse

ACTION = "rightsize"


@dataclass(frozen=True)
class WorkloadRequest:
    tenant: str | None = None
    namespace: str | None = None
    strategy: str = DEFAULT_STRATEGY
    options: StrategyOptions = field(default_factory=StrategyOptions)
    prices: PriceSource = PriceSource.ALLOCATION
    gitops: Path | None = None
    """Write the Kustomize patches that apply the recommendations here."""
    end: dt.datetime | None = None
    """The window's end (naive UTC); default: the hour after the newest usage sample."""


@dataclass(frozen=True)
class Recommended:
    result: WorkloadRecommendations
    written: tuple[Path, ...] = ()


def recommend_workloads(project: Project, request: WorkloadRequest) -> Recommended:
    try:
        strategy = strategy_named(request.strategy)
    except ValueError as exc:
        raise InputError(f"--strategy: {exc}") from None
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        # the prices of the 30 days before the window's end, as govern at that instant
        end = request.end or usage_end(warehouse) or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        prices = savings_prices(warehouse, catalog, end, request.prices)

        def price_of(name: str, cluster: str) -> Decimal | None:
            return prices.price(name, ResourceRef("Pod", "", cluster=cluster))

        result = recommend_containers(
            warehouse,
            strategy,
            request.options,
            price_of,
            catalog.currency,
            end=end,
            tenant=request.tenant,
            namespace=request.namespace,
        )
        written: tuple[Path, ...] = ()
        if request.gitops is not None:
            written = _write_patches(warehouse, result, request.gitops)
    return Recommended(result, written)


def _write_patches(
    warehouse: Warehouse, result: WorkloadRecommendations, directory: Path
) -> tuple[Path, ...]:
    by_workload: dict[WorkloadKey, list[ContainerRecommendation]] = defaultdict(list)
    for c in result.containers:
        by_workload[(c.cluster, c.namespace, c.kind, c.workload)].append(c)
    objects = workload_objects(warehouse, set(by_workload), result.window.end)
    changes, targets = [], []
    for key, containers in sorted(by_workload.items()):
        obj = objects.get(key)
        patch = resources_patch(obj, containers) if obj is not None else None
        if obj is None or patch is None:
            continue
        saving = sum((c.monthly_saving or Decimal(0) for c in containers), Decimal(0))
        changes.append(
            Change(
                kind=key[2],
                namespace=key[1],
                name=key[3],
                action=ACTION,
                patch=patch,
                before=None,
                after=patch,
                monthly_amount=saving,
                currency=result.currency,
                api_version=str(obj.get("apiVersion") or ""),
                summary=f"requests to the {result.strategy} strategy's recommendation",
            )
        )
        targets.append(Target(obj, saving, result.currency))
    return tuple(write_gitops(Plan(ACTION, tuple(changes)), directory, targets))
