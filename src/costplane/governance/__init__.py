"""Governance policies as code: the language, loading, facts, and the bulk engine.

    policies = load_policies([Path("policies/")])          # InputProblemsError: exit 2
    results = PolicyEngine(policies).evaluate(
        Inventory.from_objects(objects), now=end, facts=facts, prices=prices
    )

See docs/policies.md for the language.
"""

from costplane.governance.action_spec import ACTION_TYPES, ActionSpec, register_action_type
from costplane.governance.boolean import BooleanFilter
from costplane.governance.engine import PolicyEngine, compile_policy, evaluate_policies
from costplane.governance.fact_filter import FactFilter
from costplane.governance.facts import (
    FactDefinition,
    FactRequest,
    Facts,
    FactSources,
    FactType,
    NoFacts,
    fact_definitions,
    register_fact,
)
from costplane.governance.facts_catalog import CatalogFacts
from costplane.governance.facts_memory import InMemoryFacts
from costplane.governance.filter_spec import CompiledFilter, FilterSpec, ResourceFilter, Scope
from costplane.governance.inventory import NON_KUBERNETES_KINDS, Inventory, ResourceRef
from costplane.governance.load import (
    LoadedPolicy,
    load_policies,
    load_policy_files,
    parse_policies,
)
from costplane.governance.operators import Op
from costplane.governance.policy import Policy, Severity
from costplane.governance.prices import PRICE_NAMES, Prices, PriceSheetPrices
from costplane.governance.registry import FILTERS, FilterRegistry, filter_type
from costplane.governance.results import Match, PolicyResult, Unreadable
from costplane.governance.savings import Savings
from costplane.governance.schema import policy_schema
from costplane.governance.value_filter import ValueFilter
from costplane.governance.value_types import ValueType

__all__ = [
    "ACTION_TYPES",
    "FILTERS",
    "NON_KUBERNETES_KINDS",
    "PRICE_NAMES",
    "ActionSpec",
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
    "register_action_type",
    "register_fact",
]

# The facts the built-in pack names (declared on import, so every loader knows them).
import costplane.governance.facts_pack  # noqa: F401
