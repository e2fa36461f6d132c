"""What evaluating policies gives: matches with their money, and values that could not be read.

A result keeps the matched rows of its batch and builds each match's identity
(`ResourceRef`) when first asked, so a policy matching half of 100,000
resources costs nothing more until someone reads its matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, partial
from itertools import chain, repeat
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from costplane.governance.inventory.resources import Batch, ResourceRef

if TYPE_CHECKING:
    from costplane.governance.policy import Policy


@dataclass(frozen=True)
class Unreadable:
    """A value a filter could not read as its type: a data problem, reported, not hidden."""

    resource: ResourceRef
    where: str
    """The key path, or `fact NAME`."""
    value: object
    reason: str


NO_EVIDENCE: Mapping[str, Decimal | None] = MappingProxyType({})


class Match(NamedTuple):
    """A resource a policy found, the monthly amount it wastes (None: not computable), and
    the values that amount was computed from (its savings' `where` values)."""

    resource: ResourceRef
    monthly_waste: Decimal | None
    evidence: Mapping[str, Decimal | None] = NO_EVIDENCE


_match: Callable[[tuple[ResourceRef, Decimal | None, Mapping[str, Decimal | None]]], Match] = (
    partial(tuple.__new__, Match)
)
"""A Match of a (resource, amount, evidence) triple, made in C as `Match._make` does (a policy
may match 100,000 resources)."""


@dataclass(frozen=True)
class MatchedRows:
    """The rows of a batch a policy matched, the amount each wastes and what it was
    computed from (empty when not computed)."""

    batch: Batch
    rows: Sequence[int]
    amounts: Sequence[Decimal | None]
    evidence: Sequence[Mapping[str, Decimal | None]] = ()


@dataclass(frozen=True)
class PolicyResult:
    """One policy over the inventory."""

    policy: Policy
    evaluated: int
    """Resources of the policy's kinds that were tested."""
    found: tuple[MatchedRows, ...] = field(default=(), repr=False)
    """The matches in each batch (one per kind of the policy that has resources)."""
    unreadable: tuple[Unreadable, ...] = ()
    skipped: str | None = None
    """Why the policy was not run (a fact its filters need that no source provides), or None."""
    waste_unknown: str | None = None
    """Why every amount is None (a fact only its savings need that no source provides)."""

    @cached_property
    def matches(self) -> tuple[Match, ...]:
        """Each matched resource with its monthly waste, kind by kind, in inventory order."""
        triples = (
            zip(
                found.batch.refs_of(found.rows),
                found.amounts,
                found.evidence or repeat(NO_EVIDENCE, len(found.rows)),
                strict=True,
            )
            for found in self.found
        )
        return tuple(map(_match, chain.from_iterable(triples)))

    @property
    def documents(self) -> list[Mapping[str, Any]]:
        """The matched resources' documents themselves (as Cloud Custodian returns them)."""
        return [found.batch.documents[row] for found in self.found for row in found.rows]

    @property
    def match_count(self) -> int:
        return sum(len(found.rows) for found in self.found)
