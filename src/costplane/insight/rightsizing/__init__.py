"""Rightsizing: what each workload container should request, KRR's way, with the money.

    strategy = strategy_named("simple")
    result = recommend_containers(warehouse, strategy, StrategyOptions(), prices, "EUR")

`size_containers` is the one computation: the command shows it per container, the
`requests-oversized` policy's facts sum it per workload. See docs/rightsizing.md.
"""

from costplane.insight.rightsizing.inventory import workload_objects
from costplane.insight.rightsizing.odoo import OdooWorkers, odoo_config, size_odoo
from costplane.insight.rightsizing.options import StrategyOptions
from costplane.insight.rightsizing.owners import WorkloadKey
from costplane.insight.rightsizing.owners import owner as pod_owner
from costplane.insight.rightsizing.patches import resources_patch
from costplane.insight.rightsizing.recommend import (
    ContainerRecommendation,
    PriceOf,
    UsageWindow,
    WorkloadRecommendations,
    monthly_saving,
    recommend_containers,
    usage_end,
)
from costplane.insight.rightsizing.rounding import round_cpu, round_memory
from costplane.insight.rightsizing.sizing import SizedContainer, size_containers
from costplane.insight.rightsizing.strategies import (
    DEFAULT_STRATEGY,
    STRATEGIES,
    PooledStrategy,
    SimpleStrategy,
    Strategy,
    register_strategy,
    strategy_named,
)

__all__ = [
    "DEFAULT_STRATEGY",
    "STRATEGIES",
    "ContainerRecommendation",
    "OdooWorkers",
    "PooledStrategy",
    "PriceOf",
    "SimpleStrategy",
    "SizedContainer",
    "Strategy",
    "StrategyOptions",
    "UsageWindow",
    "WorkloadKey",
    "WorkloadRecommendations",
    "monthly_saving",
    "odoo_config",
    "pod_owner",
    "recommend_containers",
    "register_strategy",
    "resources_patch",
    "round_cpu",
    "round_memory",
    "size_containers",
    "size_odoo",
    "strategy_named",
    "usage_end",
    "workload_objects",
]
