"""The engine: policies compiled once, then run over an inventory in bulk.

    engine = PolicyEngine(load_policies([Path("policies/")]))
    results = engine.evaluate(
        Inventory.from_objects(objects),
        now=end_of_window,
        facts=FactSources(CatalogFacts(catalog), warehouse_facts),
        prices=PriceSheetPrices(catalog.price_sheet),
    )

Compiling parses every path and value once. Evaluating groups the inventory by
kind; all policies on one kind share a `Scope`, so a path prefix is read once
and an identical filter is answered once for all of them; a policy on a list of
kinds runs over each. A policy whose filters need a fact no source provides is
skipped, with the reason in its result; one whose savings alone need it runs, and
its amounts are unknown (None), with the reason in `waste_unknown`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from costplane.governance.facts.fact import Facts, NoFacts
from costplane.governance.filters.boolean import BooleanFilter
from costplane.governance.filters.spec import CompiledFilter, FilterSpec, Scope
from costplane.governance.filters.value_filter import ValueFilter, signature
from costplane.governance.inventory.columns import shared_prefixes
from costplane.governance.inventory.paths import Step
from costplane.governance.inventory.resources import Inventory
from costplane.governance.policy import Policy
from costplane.governance.results import MatchedRows, PolicyResult
from costplane.governance.savings.formula import Evidence, priced_rows
from costplane.governance.savings.prices import Prices


@dataclass(frozen=True)
class CompiledPolicy:
    policy: Policy
    root: CompiledFilter
    filter_facts: frozenset[str]
    savings_facts: frozenset[str]


def compile_policy(policy: Policy) -> CompiledPolicy:
    """The policy's filters as one `and`, ready to run."""
    root = BooleanFilter(connective="and", filters=policy.filters).compile()
    return CompiledPolicy(policy, root, policy.filter_fact_names(), policy.savings.fact_names())


class PolicyEngine:
    """Compiled policies, run over inventories."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.compiled = [compile_policy(policy) for policy in policies]
        self._sharing = _sharing([c.policy for c in self.compiled])

    def evaluate(
        self,
        inventory: Inventory,
        *,
        now: dt.datetime,
        facts: Facts | None = None,
        prices: Prices | None = None,
    ) -> list[PolicyResult]:
        """One result per policy, in the order given; `now` is the instant ages and fact
        windows end at (the end of the data's window, not the wall clock, for repeatable runs)."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (UTC)")
        source = facts if facts is not None else NoFacts()
        scopes: dict[str, Scope] = {}
        results = []
        for compiled in self.compiled:
            policy = compiled.policy
            missing = _unprovided(compiled.filter_facts, source)
            if missing:
                results.append(PolicyResult(policy, 0, skipped=missing))
                continue
            unpriced = _unprovided(compiled.savings_facts, source)
            parts = []
            for kind in policy.kinds:
                batch = inventory.batch(kind)
                if batch is None or not len(batch):
                    continue
                scope = scopes.get(kind)
                if scope is None:
                    paths, prefixes, shared = self._sharing[kind]
                    scope = Scope(
                        batch,
                        now,
                        source,
                        shared_paths=prefixes,
                        shared_filters=shared,
                        paths=paths,
                    )
                    scopes[kind] = scope
                parts.append(_run(compiled, scope, prices, unpriced))
            results.append(_merged(policy, parts, unpriced))
        return results


def _unprovided(names: frozenset[str], source: Facts) -> str | None:
    """Why facts cannot be had, or None when every one can."""
    missing = sorted(name for name in names if not source.provides(name))
    return f"needs facts no source provides: {', '.join(missing)}" if missing else None


def _value_filters(specs: Iterable[FilterSpec]) -> Iterator[ValueFilter]:
    for spec in specs:
        if isinstance(spec, ValueFilter):
            yield spec
        elif isinstance(spec, BooleanFilter):
            yield from _value_filters(spec.filters)


Paths = set[tuple[Step, ...]]


def _sharing(policies: list[Policy]) -> dict[str, tuple[Paths, Paths, set[object]]]:
    """Per kind: the paths its value filters read, where they part, and which filters
    recur."""
    by_kind: dict[str, list[ValueFilter]] = defaultdict(list)
    for policy in policies:
        for kind in policy.kinds:
            by_kind[kind] += _value_filters(policy.filters)
    sharing: dict[str, tuple[Paths, Paths, set[object]]] = defaultdict(
        lambda: (set(), set(), set())
    )
    for kind, specs in by_kind.items():
        counts = Counter(signature(spec) for spec in specs)
        recurring = {key for key, count in counts.items() if count > 1}
        paths = {spec.path.steps for spec in specs}
        sharing[kind] = (paths, shared_prefixes(paths), recurring)
    return sharing


def _run(
    compiled: CompiledPolicy, scope: Scope, prices: Prices | None, unpriced: str | None
) -> PolicyResult:
    scope.unreadable = []
    rows = np.arange(len(scope.batch), dtype=np.intp)
    matched = rows[compiled.root.evaluate(scope, rows)]
    amounts: list[Decimal | None]
    evidence: list[Evidence] = []
    if unpriced is None:
        amounts, evidence = priced_rows(compiled.policy.savings, scope, matched, prices)
    else:
        amounts = [None] * len(matched)
    found = MatchedRows(scope.batch, matched.tolist(), amounts, evidence)
    unreadable = tuple({(u.resource, u.where): u for u in scope.unreadable}.values())
    return PolicyResult(compiled.policy, len(rows), (found,), unreadable)


def _merged(policy: Policy, parts: list[PolicyResult], unpriced: str | None) -> PolicyResult:
    """One result for a policy over each of its kinds."""
    return PolicyResult(
        policy,
        sum(part.evaluated for part in parts),
        tuple(found for part in parts for found in part.found),
        tuple(problem for part in parts for problem in part.unreadable),
        waste_unknown=unpriced,
    )


def evaluate_policies(
    policies: Sequence[Policy],
    inventory: Inventory,
    *,
    now: dt.datetime,
    facts: Facts | None = None,
    prices: Prices | None = None,
) -> list[PolicyResult]:
    """Compile and run in one call (compile once with `PolicyEngine` to run many times)."""
    return PolicyEngine(policies).evaluate(inventory, now=now, facts=facts, prices=prices)
