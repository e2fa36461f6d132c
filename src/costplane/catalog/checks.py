"""Cross-reference checks: what no single model can see on its own.

A tenant names its service class, a budget names a tenant, two tenants must not
claim one namespace. The checks read the parts of the catalog that validated on
their own (`CatalogParts`), so a typo in one tenant does not hide a duplicate
namespace in another. Each violation names a path such as
`("tenants", 3, "service_class")`; the loader turns it into a line and column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from costplane.catalog.budget import Budget
from costplane.catalog.notifications import NotificationRoute
from costplane.catalog.service_class import ServiceClass
from costplane.catalog.tenant import Contract, Tenant

Loc = tuple[str | int, ...]
"""Where a value sits in the document: mapping keys and list indexes, from the top."""

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def dotted(loc: Loc) -> str:
    """A path as a user reads it: `tenants[3].environments.production`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


@dataclass(frozen=True)
class Violation:
    """One broken cross-reference, at the path of the offending key or value."""

    loc: Loc
    message: str


@dataclass(frozen=True)
class CatalogParts:
    """The pieces of a catalog that validated on their own, with their place in the file.

    The declared names (`service_class_ids`, `tenant_ids`) include pieces that did
    not validate: a reference to a tenant with a typo elsewhere is not "unknown".
    """

    service_class_ids: frozenset[str]
    service_classes: Mapping[str, ServiceClass]
    tenant_ids: frozenset[str]
    tenants: Sequence[tuple[int, Tenant]]
    budgets: Sequence[tuple[int, Budget]]
    routes: Sequence[tuple[int, NotificationRoute]] = ()


def check_references(parts: CatalogParts) -> list[Violation]:
    """Every broken reference, duplicate claim and overlap in the catalog."""
    return [
        *_unknown_service_classes(parts),
        *_duplicate_ids("tenants", "tenant", [(i, t.id) for i, t in parts.tenants]),
        *_duplicate_ids("budgets", "budget", [(i, b.id) for i, b in parts.budgets]),
        *_claimed_twice(parts.tenants, "namespaces", "namespace"),
        *_claimed_twice(parts.tenants, "databases", "database"),
        *_overlapping_contracts(parts.tenants),
        *_environments_without_quota(parts),
        *_unknown_budget_scopes(parts),
        *_unknown_route_scopes(parts),
    ]


def unknown_name(kind: str, name: str, known: frozenset[str]) -> str:
    """`unknown service class 'x' (did you mean 'y'?)`, or the declared names when none is close."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return f"unknown {kind} {name!r} (did you mean {close[0]!r}?)"
    declared = ", ".join(sorted(known)) or "none"
    return f"unknown {kind} {name!r} (declared: {declared})"


def _unknown_service_classes(parts: CatalogParts) -> Iterator[Violation]:
    for index, tenant in parts.tenants:
        if tenant.service_class not in parts.service_class_ids:
            yield Violation(
                ("tenants", index, "service_class"),
                unknown_name("service class", tenant.service_class, parts.service_class_ids),
            )


def _duplicate_ids(section: str, kind: str, ids: list[tuple[int, str]]) -> Iterator[Violation]:
    first: dict[str, int] = {}
    for index, item_id in ids:
        if item_id in first:
            yield Violation(
                (section, index, "id"),
                f"{kind} id {item_id!r} is already used by {section}[{first[item_id]}]",
            )
        else:
            first[item_id] = index


def _claimed_twice(
    tenants: Sequence[tuple[int, Tenant]], field: str, noun: str
) -> Iterator[Violation]:
    """A namespace or database has one owner: two would each be charged its whole cost."""
    owners: dict[str, str] = {}
    for index, tenant in tenants:
        for kind, environment in tenant.environments.items():
            names: list[str] = getattr(environment, field)
            for position, name in enumerate(names):
                owner = f"tenant {tenant.id!r} ({kind.value})"
                if name in owners:
                    yield Violation(
                        ("tenants", index, "environments", kind.value, field, position),
                        f"{noun} {name!r} is already claimed by {owners[name]}",
                    )
                else:
                    owners[name] = owner


def _overlapping_contracts(tenants: Sequence[tuple[int, Tenant]]) -> Iterator[Violation]:
    """Two contracts covering one day would bill the tenant twice for it."""
    for index, tenant in tenants:
        contracts = tenant.contracts
        for later in range(len(contracts)):
            for earlier in range(later):
                overlap = _overlap(contracts[earlier], contracts[later])
                if overlap is not None:
                    yield Violation(
                        ("tenants", index, "contracts", later),
                        f"overlaps contracts[{earlier}]: both cover {overlap}",
                    )


def _overlap(a: Contract, b: Contract) -> str | None:
    """The days two contracts share, as text, or None; `end` is exclusive."""
    first = max(a.start, b.start)
    ends = [end for end in (a.end, b.end) if end is not None]
    if not ends:
        return f"{first} onwards"
    end = min(ends)
    if end <= first:
        return None
    last = end - dt.timedelta(days=1)
    return f"{first}" if last == first else f"{first} to {last}"


def _environments_without_quota(parts: CatalogParts) -> Iterator[Violation]:
    """An environment its class gives no quota for cannot be rendered or priced."""
    for index, tenant in parts.tenants:
        service_class = parts.service_classes.get(tenant.service_class)
        if service_class is None:
            continue
        for kind in tenant.environments:
            if kind not in service_class.quota:
                offered = ", ".join(k.value for k in service_class.quota)
                yield Violation(
                    ("tenants", index, "environments", kind.value),
                    f"service class {tenant.service_class!r} has no quota for {kind.value} "
                    f"environments (it has quotas for: {offered})",
                )


def _unknown_budget_scopes(parts: CatalogParts) -> Iterator[Violation]:
    for index, budget in parts.budgets:
        scope = budget.scope
        if scope.tenant is not None and scope.tenant not in parts.tenant_ids:
            yield Violation(
                ("budgets", index, "scope", "tenant"),
                unknown_name("tenant", scope.tenant, parts.tenant_ids),
            )
        if scope.service_class is not None and scope.service_class not in parts.service_class_ids:
            yield Violation(
                ("budgets", index, "scope", "service_class"),
                unknown_name("service class", scope.service_class, parts.service_class_ids),
            )


def _unknown_route_scopes(parts: CatalogParts) -> Iterator[Violation]:
    """Routes: a unique id each, and only tenants and classes the catalog declares."""
    first: dict[str, int] = {}
    for index, route in parts.routes:
        if route.id in first:
            yield Violation(
                ("notifications", "routes", index, "id"),
                f"route id {route.id!r} is already used by routes[{first[route.id]}]",
            )
        first.setdefault(route.id, index)
        for position, tenant in enumerate(route.tenants):
            if tenant not in parts.tenant_ids:
                yield Violation(
                    ("notifications", "routes", index, "tenants", position),
                    unknown_name("tenant", tenant, parts.tenant_ids),
                )
        for position, name in enumerate(route.service_classes):
            if name not in parts.service_class_ids:
                yield Violation(
                    ("notifications", "routes", index, "service_classes", position),
                    unknown_name("service class", name, parts.service_class_ids),
                )
