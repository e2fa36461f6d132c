"""Strategies: how a container's samples become a proposal, a registry as KRR has them.

A strategy sees, per workload container, the CPU percentile of each pod's samples and
(when it asks for it) the percentile of all its pods' samples pooled, and each pod's
peak memory. `simple` is KRR 1.29's: the highest pod's percentile, which inflates a
workload whose pods churn (a pod that lived two busy hours has a busy p95); `pooled`
takes one percentile over every sample of the workload's pods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

STRATEGIES: dict[str, type[Strategy]] = {}
"""Strategies by name; `register_strategy` adds one."""

DEFAULT_STRATEGY = "simple"


class Strategy(ABC):
    """A CPU and a memory proposal (unrounded) from a container's evidence."""

    name: ClassVar[str]
    summary: ClassVar[str]
    pools: ClassVar[bool] = False
    """Whether `cpu` needs the percentile of all the workload's samples pooled."""
    needs_every_pod: ClassVar[bool] = True
    """Whether `cpu` and `memory` read every pod's figure. False: they depend on the
    highest only (and the pooled percentile), which the engine computes, so they are
    given that one figure and no per-pod lists leave the database. Not inherited: a
    subclass that does not set it gets every pod's figures (it may override `cpu`)."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "needs_every_pod" not in cls.__dict__:
            cls.needs_every_pod = True

    @abstractmethod
    def cpu(self, per_pod: Sequence[float], pooled: float | None) -> float:
        """Cores, from each pod's percentile (and the pooled one when `pools`)."""

    def memory(self, peaks: Sequence[float], buffer_percent: float) -> float:
        """Bytes: the highest peak working set of any pod, plus the buffer (KRR's rule)."""
        return max(peaks) * (1 + buffer_percent / 100)


def register_strategy(strategy: type[Strategy]) -> type[Strategy]:
    """Add a strategy under its name (a class decorator, for plug-ins too)."""
    STRATEGIES[strategy.name] = strategy
    return strategy


def strategy_named(name: str) -> Strategy:
    """The registered strategy `name`; ValueError lists the known ones."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        known = ", ".join(sorted(STRATEGIES))
        raise ValueError(f"unknown strategy {name!r} (known: {known})") from None


@register_strategy
class SimpleStrategy(Strategy):
    name = "simple"
    summary = "KRR 1.29's: the highest of the pods' CPU percentiles; peak memory + buffer"
    needs_every_pod = False

    def cpu(self, per_pod: Sequence[float], pooled: float | None) -> float:
        return max(per_pod)


@register_strategy
class PooledStrategy(Strategy):
    name = "pooled"
    summary = "one CPU percentile over all the workload's pods' samples; peak memory + buffer"
    pools = True
    needs_every_pod = False

    def cpu(self, per_pod: Sequence[float], pooled: float | None) -> float:
        assert pooled is not None, "a pooling strategy is given the pooled percentile"
        return pooled
