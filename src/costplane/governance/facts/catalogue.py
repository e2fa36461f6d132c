"""Every fact a policy may name: those of the built-in providers, listed here, and any a
plug-in declares with `register_fact`.

A policy naming a fact that is not declared fails when it loads (`FactName`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator

from costplane.governance.facts.backups import BackupFacts
from costplane.governance.facts.caches import CacheFacts
from costplane.governance.facts.capacity import CapacityFacts
from costplane.governance.facts.catalog import CatalogFacts
from costplane.governance.facts.cost import CostFacts
from costplane.governance.facts.databases import DatabaseFacts
from costplane.governance.facts.fact import FactDefinition
from costplane.governance.facts.inventory import InventoryFacts
from costplane.governance.facts.ownership import OwnershipFacts
from costplane.governance.facts.provider import FactProvider
from costplane.governance.facts.rightsizing import RightsizingFacts
from costplane.governance.facts.services import ServiceFacts
from costplane.governance.facts.usage import UsageFacts

PROVIDERS: tuple[type[FactProvider], ...] = (
    UsageFacts,
    RightsizingFacts,
    ServiceFacts,
    CostFacts,
    BackupFacts,
    DatabaseFacts,
    CacheFacts,
    CatalogFacts,
    OwnershipFacts,
    InventoryFacts,
    CapacityFacts,
)
"""The built-in providers; their `FACTS` are the built-in facts."""

_DEFINITIONS: dict[str, FactDefinition] = {}


def register_fact(definition: FactDefinition) -> FactDefinition:
    """Declare a fact so policies may name it (a provider must then answer it)."""
    known = _DEFINITIONS.get(definition.name)
    if known is not None and known != definition:
        raise ValueError(f"fact {definition.name!r} is already declared differently")
    _DEFINITIONS[definition.name] = definition
    return definition


for _provider in PROVIDERS:
    for _fact in _provider.FACTS:
        register_fact(_fact)


def _declared(name: str) -> str:
    fact_definition(name)
    return name


FactName = Annotated[str, AfterValidator(_declared)]
"""The name of a declared fact, checked when the policy loads."""


def fact_definitions() -> Mapping[str, FactDefinition]:
    """Every fact a policy may name, by name."""
    return dict(_DEFINITIONS)


def fact_definition(name: str) -> FactDefinition:
    """The declared fact `name`; ValueError lists the known ones."""
    try:
        return _DEFINITIONS[name]
    except KeyError:
        known = ", ".join(sorted(_DEFINITIONS))
        raise ValueError(f"unknown fact {name!r} (known facts: {known})") from None
