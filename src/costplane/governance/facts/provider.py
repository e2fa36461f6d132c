"""What every built-in fact provider shares: the facts it answers, declared beside it.

A provider lists its facts in `FACTS` and answers them in `values`; `provides`
follows from the list. A warehouse-backed provider also keeps each query's result
for the run (`cache`), so one query answers a fact for every resource.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from costplane.governance.facts.fact import FactDefinition, FactRequest
from costplane.governance.facts.window import QueryCache
from costplane.governance.inventory.resources import ResourceRef
from costplane.warehouse import Warehouse


class FactProvider(ABC):
    """A source of the facts in `FACTS` (see `fact.py` for the `Facts` interface)."""

    FACTS: ClassVar[tuple[FactDefinition, ...]] = ()
    NAMES: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.NAMES = frozenset(fact.name for fact in cls.FACTS)

    def provides(self, name: str) -> bool:
        return name in self.NAMES

    @abstractmethod
    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        """One value per subject, in order; None where nothing is known."""


class WarehouseProvider(FactProvider):
    """A provider that reads the warehouse, each query once per run."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.cache = QueryCache()
