"""Which tenants a report on a period covers: those with a contract on one of its days."""

from __future__ import annotations

import datetime as dt

from costplane.catalog import Catalog, Tenant
from costplane.errors import InputError


def contracted_tenants(
    catalog: Catalog, start: dt.date, end: dt.date, tenant: str | None = None
) -> list[Tenant]:
    """Tenants under contract on a day of [start, end), sorted by id; only `tenant` when
    given (an unknown one is an input error; one without a contract then is kept, since
    asking for it by name is asking for its evidence)."""
    if tenant is not None:
        found = catalog.tenant(tenant)
        if found is None:
            known = ", ".join(sorted(t.id for t in catalog.tenants)[:5])
            raise InputError(f"--tenant {tenant!r}: no such tenant in the catalog (e.g. {known})")
        return [found]
    return sorted(
        (
            t
            for t in catalog.tenants
            if any(_overlaps(c.start, c.end, start, end) for c in t.contracts)
        ),
        key=lambda t: t.id,
    )


def _overlaps(first: dt.date, last: dt.date | None, start: dt.date, end: dt.date) -> bool:
    """A contract [first, last) (open when `last` is None) and the days [start, end)."""
    return first < end and (last is None or last > start)
