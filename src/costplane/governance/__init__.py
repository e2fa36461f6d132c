"""Governance policies as code: the language, loading, facts, and the bulk engine.

    policies = load_policies([Path("policies/")])          # InputProblemsError: exit 2
    results = PolicyEngine(policies).evaluate(
        Inventory.from_objects(objects), now=end, facts=facts, prices=prices
    )

See docs/policies.md for the language.
"""

from costplane.governance.action_spec import ActionSpec, ActionVocabulary
from costplane.governance.engine import PolicyEngine, compile_policy, evaluate_policies
from costplane.governance.facts.catalog import CatalogFacts
from costplane.governance.facts.catalogue import fact_definitions, register_fact
from costplane.governance.facts.fact import (
    FactDefinition,
    FactRequest,
    Facts,
    FactSources,
    FactType,
    NoFacts,
)
from costplane.governance.facts.memory import InMemoryFacts
from costplane.governance.filters.boolean import BooleanFilter
from costplane.governance.filters.fact_filter import FactFilter
from costplane.governance.filters.operators import Op
from costplane.governance.filters.registry import FILTERS, FilterRegistry, filter_type
from costplane.governance.filters.spec import CompiledFilter, FilterSpec, ResourceFilter, Scope
from costplane.governance.filters.value_filter import ValueFilter
from costplane.governance.filters.value_types import ValueType
from costplane.governance.inventory.resources import NON_KUBERNETES_KINDS, Inventory, ResourceRef
from costplane.governance.load import (
    LoadedPolicy,
    load_policies,
    load_policy_files,
    parse_policies,
)
from costplane.governance.policy import Policy, Severity
from costplane.governance.results import Match, PolicyResult, Unreadable
from costplane.governance.savings.formula import Savings
from costplane.governance.savings.prices import PRICE_NAMES, Prices, PriceSheetPrices
from costplane.governance.schema import policy_schema

__all__ = [
    "FILTERS",
    "NON_KUBERNETES_KINDS",
    "PRICE_NAMES",
    "ActionSpec",
    "ActionVocabulary",
    "BooleanFilter",
    "CatalogFacts",
    "CompiledFilter",
    "FactDefinition",
    "FactFilter",
    "FactRequest",
    "FactSources",
    "FactType",
    "Facts",
    "FilterRegistry",
    "FilterSpec",
    "InMemoryFacts",
    "Inventory",
    "LoadedPolicy",
    "Match",
    "NoFacts",
    "Op",
    "Policy",
    "PolicyEngine",
    "PolicyResult",
    "PriceSheetPrices",
    "Prices",
    "ResourceFilter",
    "ResourceRef",
    "Savings",
    "Scope",
    "Severity",
    "Unreadable",
    "ValueFilter",
    "ValueType",
    "compile_policy",
    "evaluate_policies",
    "fact_definitions",
    "filter_type",
    "load_policies",
    "load_policy_files",
    "parse_policies",
    "policy_schema",
    "register_fact",
]
