"""Governance policies as code: the language, loading, facts, and the bulk engine.

    policies = load_policies([Path("policies/")])          # InputProblemsError: exit 2
    results = PolicyEngine(policies).evaluate(
        Inventory.from_objects(objects), now=end, facts=facts, prices=prices
    )

See docs/policies.md for the language.
"""

from costplane.catalog import Severity
from costplane.governance.builtin_pack import policies_with_pack
from costplane.governance.engine import PolicyEngine, evaluate_policies
from costplane.governance.facts.catalog import CatalogFacts
from costplane.governance.facts.catalogue import register_fact
from costplane.governance.facts.fact import (
    FactDefinition,
    FactRequest,
    Facts,
    FactSources,
    FactType,
)
from costplane.governance.facts.memory import InMemoryFacts
from costplane.governance.filters.registry import FILTERS, filter_type
from costplane.governance.filters.spec import CompiledFilter, FilterSpec, ResourceFilter, Scope
from costplane.governance.findings import Finding, Status, at_or_above, visible
from costplane.governance.findings_store import (
    FindingsPage,
    Resolution,
    RunRecord,
    StoredFinding,
    acknowledge,
    get_finding,
    list_findings,
    page_of_findings,
    record_run,
    resolutions,
    suppress,
)
from costplane.governance.govern import (
    PriceSource,
    Review,
    govern_manifests,
    govern_warehouse,
    savings_prices,
)
from costplane.governance.inventory.resources import Inventory, ResourceRef
from costplane.governance.load import load_policies, load_policy_files, parse_policies
from costplane.governance.policy import Policy
from costplane.governance.results import PolicyResult
from costplane.governance.savings.prices import Prices, PriceSheetPrices
from costplane.governance.schema import policy_schema

__all__ = [
    "FILTERS",
    "CatalogFacts",
    "CompiledFilter",
    "FactDefinition",
    "FactRequest",
    "FactSources",
    "FactType",
    "Facts",
    "FilterSpec",
    "Finding",
    "FindingsPage",
    "InMemoryFacts",
    "Inventory",
    "Policy",
    "PolicyEngine",
    "PolicyResult",
    "PriceSheetPrices",
    "PriceSource",
    "Prices",
    "Resolution",
    "ResourceFilter",
    "ResourceRef",
    "Review",
    "RunRecord",
    "Scope",
    "Severity",
    "Status",
    "StoredFinding",
    "acknowledge",
    "at_or_above",
    "evaluate_policies",
    "filter_type",
    "get_finding",
    "govern_manifests",
    "govern_warehouse",
    "list_findings",
    "load_policies",
    "load_policy_files",
    "page_of_findings",
    "parse_policies",
    "policies_with_pack",
    "policy_schema",
    "record_run",
    "register_fact",
    "resolutions",
    "savings_prices",
    "suppress",
    "visible",
]
