"""Why a line of the `allocations` table carries its cost: the `kind` column.

Every amount of the bill lands in exactly one kind, so `reconcile` can show each day
adding up: what tenants used, what they share, what nobody used, what no usage
explains, and what Costplane could not place.
"""

from __future__ import annotations

import enum


class AllocationKind(enum.StrEnum):
    """The kinds of allocated cost, stored and exported as their values."""

    DIRECT = "direct"
    """A tenant's own usage of a resource."""
    SHARED = "shared"
    """Shared or platform capacity: split between tenants, or carried by none."""
    IDLE = "idle"
    """Capacity that was paid for and nobody used."""
    OVERHEAD = "overhead"
    """Cost no usage explains (a domain the bill does not classify), spread by a rule."""
    UNALLOCATED = "unallocated"
    """Usage whose owner is unknown: its namespace maps to no tenant."""
